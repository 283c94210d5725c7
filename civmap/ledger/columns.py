"""The ledger columns civmap understands, and the many ways offices write their headers.

A ledger (台账) is filled in by many hands: the same column is headed 经度, lng, 东经 or
"经度（高德）" depending on who made the template. Each ``Field`` names one thing civmap
reads, the Chinese header it writes on export (so an exported sheet imports again), and
the aliases it accepts. Headers are compared after ``normalise_header``: full-width
characters folded (NFKC), spaces, asterisks and bracketed notes such as "（米）" dropped,
Latin letters lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Field", "KINDS", "LEDGER_KINDS", "UNIT_NAMING_KINDS", "DATED_KINDS", "VOCABULARY_OF", "fields_of", "field_by_name", "normalise_header",
           "match_headers", "header_score", "required_groups"]

#: What can be imported, in the order an office loads its city (see ``civmap.setup.stages``);
#: boundaries come only from vector files (GeoJSON, zipped Shapefile).
KINDS = ("boundaries", "units", "points", "circles", "alleys", "inspections", "problems")
LEDGER_KINDS = ("units", "points", "circles", "alleys", "inspections", "problems")
#: Ledgers whose rows name a responsible unit (which the import may create when asked).
UNIT_NAMING_KINDS = ("points", "alleys", "problems")
#: Ledgers with date columns (a day may be written without its year: 3月5日).
DATED_KINDS = ("inspections", "problems")

#: (ledger kind, column) → the vocabulary its codes come from (shown as their labels).
VOCABULARY_OF = {
    ("points", "category"): "point_categories", ("problems", "category"): "problem_categories",
    ("problems", "status"): "statuses", ("problems", "source"): "problem_sources", ("alleys", "state"): "alley_states",
    ("units", "kind"): "unit_kinds", ("circles", "kind"): "centre_kinds",
}


@dataclass(frozen=True)
class Field:
    """One column of a ledger.

    ``name`` is the store column it fills where there is one (``district_code``), else a
    name of its own (``coords``: "110.29,25.27" in one cell). ``header`` is the Chinese
    header written on export; ``aliases`` are further headers accepted on import.
    """

    name: str
    header: str
    header_en: str
    aliases: tuple[str, ...] = ()

    def accepted(self) -> set[str]:
        return {normalise_header(h) for h in (self.name, self.header, self.header_en, *self.aliases)}


def _f(name: str, header: str, header_en: str, *aliases: str) -> Field:
    return Field(name, header, header_en, aliases)


_LOCATION = (
    _f("lon", "经度", "Longitude", "lng", "lon", "long", "longitude", "x", "东经", "经度坐标", "x坐标"),
    _f("lat", "纬度", "Latitude", "lat", "latitude", "y", "北纬", "纬度坐标", "y坐标"),
    _f("coords", "坐标", "Coordinates", "经纬度", "经纬度坐标", "位置坐标", "坐标位置", "lnglat", "lonlat",
       "coordinates", "gps"),
    # "geom_wkt": how civmap named this column before; a file headed so still imports.
    _f("wkt", "几何(WKT)", "Geometry (WKT)", "几何", "geom_wkt", "geometry", "几何图形"),
)
_DISTRICT = (
    _f("district_code", "所属区", "District", "district", "区县", "辖区", "所属区县", "区(县)", "县区",
       "所在区", "所在区县", "区", "行政区", "所属辖区"),
    _f("street_code", "街道", "Street", "street", "所属街道", "街道(乡镇)", "乡镇街道", "街道办",
       "所在街道", "乡镇(街道)"),
)
_PEOPLE = (
    _f("chief_name", "点位长", "Point chief", "chief", "负责人", "责任人", "巷长", "联系人", "点长"),
    _f("chief_phone", "联系电话", "Phone", "phone", "电话", "手机", "手机号", "手机号码", "联系方式",
       "负责人电话"),
    _f("unit_code", "责任单位", "Responsible unit", "unit", "unit_name", "属地管理单位", "属地单位",
       "责任部门", "承办单位", "属地责任单位"),
)

_FIELDS: dict[str, tuple[Field, ...]] = {
    "points": (
        _f("id", "编号", "ID", "点位编号", "台账编号", "编码"),
        _f("name", "名称", "Name", "点位名称", "点位", "测评点位", "点位名"),
        _f("category", "类别", "Category", "点位类别", "点位类型", "类型", "分类"),
        *_DISTRICT,
        _f("community", "社区", "Community", "所属社区", "所在社区"),
        *_LOCATION,
        *_PEOPLE,
        _f("authority", "行业主管部门", "Industry authority", "主管部门", "行业主管单位"),
        _f("partner_unit", "包抓共建单位", "Co-building unit", "partner", "共建单位", "包抓单位"),
        _f("address", "地址", "Address", "详细地址", "具体位置", "位置", "点位地址"),
    ),
    "alleys": (
        _f("id", "编号", "ID", "巷道编号", "背街小巷编号", "台账编号", "编码"),
        _f("name", "名称", "Name", "巷道名称", "背街小巷名称", "街巷名称", "背街小巷", "小巷名称"),
        *_DISTRICT,
        _f("state", "改造状态", "State", "状态", "改造情况", "整治状态"),
        _f("length_m", "长度(米)", "Length (m)", "长度", "length", "全长", "长度m"),
        *_LOCATION,
        _f("start", "起点坐标", "Start", "起点", "起点经纬度"),
        _f("end", "终点坐标", "End", "终点", "终点经纬度"),
        *_PEOPLE,
    ),
    "problems": (
        _f("id", "问题编号", "Problem ID", "编号", "台账编号", "工单号", "工单编号", "案件编号",
           "service_request_id"),
        _f("description", "问题描述", "Problem", "描述", "问题", "问题内容", "存在问题", "具体问题"),
        _f("category", "问题类别", "Category", "类别", "问题类型", "问题分类", "类型", "service_code"),
        _f("source", "来源", "Source", "问题来源", "发现渠道", "来源渠道"),
        _f("point_id", "点位编号", "Point ID", "point", "所属点位", "测评点位", "点位"),
        *_DISTRICT,
        *_LOCATION,
        _f("address", "地址", "Address", "详细地址", "具体位置", "位置", "问题地址"),
        _f("found_on", "发现日期", "Found on", "发现时间", "检查日期", "督查日期", "巡查日期", "日期",
           "requested_datetime"),
        _f("deadline", "整改时限", "Deadline", "整改期限", "限期", "截止日期", "完成时限", "整改截止日期",
           "限期整改日期"),
        _f("status", "状态", "Status", "整改状态", "办理状态", "处理状态", "整改情况"),
        _f("status_on", "状态日期", "Status date", "销号日期", "办结日期", "结案日期", "整改完成日期", "完成日期",
           "状态变更日期"),
        _f("unit_code", "责任单位", "Responsible unit", "unit", "unit_name", "属地管理单位", "属地单位",
           "责任部门", "承办单位", "整改单位"),
        _f("chief_name", "点位长", "Point chief", "chief", "负责人", "责任人", "联系人"),
    ),
    "units": (
        _f("code", "单位编码", "Unit code", "编码", "代码", "单位代码", "编号"),
        _f("name", "单位名称", "Unit name", "名称", "责任单位", "单位", "责任单位名称"),
        *_DISTRICT,
        _f("kind", "单位类型", "Kind", "类型", "单位类别", "类别"),
        _f("head_name", "负责人", "Head", "主要负责人", "联系人", "责任人"),
        _f("head_phone", "联系电话", "Phone", "电话", "手机", "手机号", "手机号码", "联系方式", "负责人电话"),
    ),
    "circles": (
        _f("id", "点位圈编号", "Circle ID", "编号", "圈编号", "重点点位圈编号"),
        _f("name", "点位圈名称", "Circle name", "名称", "圈名称", "重点点位圈", "重点点位圈名称"),
        _f("centre_point_id", "中心点位编号", "Centre point ID", "中心点位", "中心点位编码", "中心点", "中心点编号"),
        _f("kind", "中心类型", "Centre kind", "类型", "圈类型", "中心点类型", "中心点位类型"),
        _f("remove", "删除", "Remove", "是否删除", "撤销", "取消"),
    ),
    "inspections": (
        _f("point_id", "点位编号", "Point ID", "测评点位编号", "点位", "测评点位", "point"),
        _f("date", "测评日期", "Date", "日期", "检查日期", "测评时间", "检查时间", "督查日期"),
        _f("score_rate", "得分率", "Score rate", "得分", "分数", "测评得分", "得分率%"),
        _f("up_to_standard", "是否达标", "Up to standard", "达标", "达标情况", "是否合格"),
        _f("inspector", "测评人", "Inspector", "检查人", "测评员", "督查人", "测评组"),
    ),
    "boundaries": (
        _f("code", "代码", "Code", "编码", "编号", "区划代码", "行政区划代码", "adcode", "id"),
        _f("name", "名称", "Name", "区划名称", "名字"),
        _f("name_en", "英文名", "English name", "name_en", "英文名称"),
        _f("level", "层级", "Level", "级别", "类型"),
        _f("parent_code", "上级代码", "Parent code", "parent", "上级编码", "上级", "parent_adcode"),
    ),
}

#: Each group needs one of its alternatives present as a column, or nothing can be read.
_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "points": (("id",), ("name",), ("category",), ("lon", "coords", "wkt")),
    "alleys": (("id",), ("name",), ("wkt", "start")),
    "problems": (("id",), ("description",), ("category",), ("lon", "coords", "wkt", "point_id"),
                 ("found_on",)),
    "boundaries": (("code",), ("name",)),
    "units": (("name",),),
    "circles": (("id",), ("centre_point_id",)),
    "inspections": (("point_id",), ("date",), ("score_rate",)),
}

_BRACKETS = re.compile(r"[(\[【<《][^)\]】>》]*[)\]】>》]")
_DROP = re.compile(r"[\s*:：_\-/\\·.。、]+")


def normalise_header(text) -> str:
    """A header reduced to what identifies it: "经 度（WGS84）*" → "经度"."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    stripped = _BRACKETS.sub("", value)
    value = stripped if stripped.strip() else value  # "(米)" alone stays itself
    return _DROP.sub("", value)


def fields_of(kind: str) -> tuple[Field, ...]:
    if kind not in _FIELDS:
        raise ValueError(f"unknown ledger kind {kind!r}; expected one of {', '.join(KINDS)}")
    return _FIELDS[kind]


def field_by_name(kind: str, name: str) -> Field:
    return next(f for f in fields_of(kind) if f.name == name)


def required_groups(kind: str) -> tuple[tuple[str, ...], ...]:
    return _REQUIRED[kind]


def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for field in fields_of(kind):  # earlier fields win an alias two of them accept
        for alias in field.accepted():
            table.setdefault(alias, field.name)
    return table


def match_headers(kind: str, headers) -> tuple[dict[str, int], list[int]]:
    """Which column holds which field.

    Returns ``({field name: column position}, [positions of unrecognised columns])``.
    When two columns mean the same field the first one is used and the other is
    reported as unrecognised, so nothing is read twice.
    """
    lookup = _lookup(kind)
    found: dict[str, int] = {}
    unknown: list[int] = []
    for position, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            continue
        name = lookup.get(key)
        if name is None or name in found:
            unknown.append(position)
        else:
            found[name] = position
    return found, unknown


def header_score(kind: str, headers) -> int:
    """How many distinct fields a row of cells names: the header row scores highest."""
    return len(match_headers(kind, headers)[0])
