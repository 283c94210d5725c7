"""Sample ledgers to try the importer on, written as offices write them.

``python -m civmap.ledger.samples data/samples`` writes, from the store's demo city:

- ``points_ledger.xlsx``: assessment points, WGS-84, a merged title row above the
  header, coordinates as "lon,lat" in one cell, full-width digits, blank trailing
  rows, and one deliberately bad row of each kind (see ``data/samples/README.md``);
- ``problems_ledger.xlsx``: problems picked on AMap (GCJ-02, import with
  ``--crs gcj02``), a two-row header (坐标（高德） over 经度 | 纬度), dates written four
  ways, and bad rows;
- ``problems_ledger_corrected.xlsx``: the same problems a week later, fixed and with
  new statuses, to show that a re-import updates rows and records status events.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import shapely
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from civmap.ledger.cells import EXCEL_EPOCH
from civmap.safecells import keep_text
from civmap.storage.store import Store
from geo import random_points_in, wgs84_to_gcj02

__all__ = ["write_samples", "POINT_BAD_ROWS", "PROBLEM_BAD_ROWS"]

_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
#: Expected rejects: spreadsheet row → reason code (the README documents them).
POINT_BAD_ROWS = {
    12: "missing_coords", 13: "bad_coords", 14: "outside_city", 15: "no_district", 16: "district_mismatch",
    17: "unknown_suggest", 18: "unknown_suggest", 19: "duplicate_id", 20: "duplicate_id", 21: "missing",
}
PROBLEM_BAD_ROWS = {
    14: "bad_date", 15: "deadline_before_found", 16: "unknown_suggest", 17: "unknown_suggest", 18: "duplicate_id",
    19: "duplicate_id", 20: "missing_coords", 21: "outside_city", 22: "district_mismatch",
}


def _title(ws, text: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(horizontal="center")


def _pair(lon: float, lat: float, full_width: bool = False) -> str:
    text = f"{lon:.6f},{lat:.6f}"
    return text.translate(_FULL_WIDTH) if full_width else text


def _nowhere(districts) -> tuple[float, float]:
    """A place inside the city's box but in no district (the box's emptiest corner)."""
    city = districts.union_all()
    west, south, east, north = districts.total_bounds
    for fx, fy in ((0.02, 0.02), (0.98, 0.02), (0.02, 0.98), (0.98, 0.98)):
        lon, lat = west + fx * (east - west), south + fy * (north - south)
        if not city.contains(shapely.Point(lon, lat)):
            return lon, lat
    raise ValueError("every corner of the city's box is inside a district")


def _points_workbook(store: Store, rng) -> Workbook:
    districts = store.districts().set_index("code")
    points = store.points().sort_values("id")
    names = ("滨江农贸市场", "阳光幼儿园", "南门公交站", "古榕公园", "新华书店网点", "惠民药店", "文昌社区",
             "七星公共卫生间")
    categories = ("农贸市场", "幼儿园", "公交站", "公园广场", "营业厅", "药店", "社区", "公共厕所")
    wb = Workbook()
    ws = wb.active
    ws.title = "点位台账"
    header = ["序号", "点位编号", "点位名称", "点位类别", "辖区", "街道", "经纬度", "点位长", "联系电话", "地址", "备注"]
    _title(ws, "XX市创建全国文明城市实地测评点位台账（样例）", len(header))
    ws.append([])
    ws.append(header)
    codes = list(districts.index)
    for i, (name, category) in enumerate(zip(names, categories)):  # rows 4-11: new points
        code = codes[i % len(codes)]
        lon, lat = random_points_in(districts.at[code, "geometry"], 1, rng)[0]
        ws.append([i + 1, f"YB-P{i + 1:03d}", name, category, "" if i == 2 else districts.at[code, "name"], "",
                   _pair(lon, lat, full_width=i == 1), "王" + "明华丽强"[i % 4], f"1380000{i:04d}",
                   f"样例路{i + 10}号", "新增点位" if i != 2 else "辖区空白：按坐标填入"])
    inside = districts.iloc[0]
    lon, lat = random_points_in(inside["geometry"], 1, rng)[0]
    other = districts.iloc[1]["name"]
    nowhere = _nowhere(store.districts())
    bad = [
        ["YB-P101", "缺坐标的点位", "医院", inside["name"], "", "", "缺少坐标"],
        ["YB-P102", "坐标写错的点位", "医院", inside["name"], "", "110.29;东经", "坐标无法识别"],
        ["YB-P103", "外市的点位", "医院", "", "", "108.366,22.817", "坐标在本市之外（南宁）"],
        ["YB-P104", "不在任何区的点位", "医院", "", "", _pair(*nowhere), "坐标在城市范围内但不在任何区县"],
        ["YB-P105", "区县填错的点位", "医院", other, "", _pair(lon, lat), "所填区县与坐标不符"],
        ["YB-P106", "区名写错的点位", "医院", inside["name"][:-1] + "县", "", _pair(lon, lat), "未知区县，提示最接近的"],
        ["YB-P107", "类别写错的点位", "农贸市杨", "", "", _pair(lon, lat), "未知类别，提示“农贸市场”"],
        ["YB-P108", "重复编号的点位甲", "医院", "", "", _pair(lon, lat), "编号重复"],
        ["YB-P108", "重复编号的点位乙", "医院", "", "", _pair(lon, lat), "编号重复"],
        ["YB-P110", "", "医院", "", "", _pair(lon, lat), "名称为空"],
    ]
    for n, (pid, name, category, district, street, coords, note) in enumerate(bad, start=len(names) + 1):
        ws.append([n, pid, name, category, district, street, coords, "", "", "", note])
    first = points.iloc[0]  # row 22: an existing point whose chief changed
    ws.append([len(names) + len(bad) + 1, first["id"], first["name"], "社区", "", "",
               _pair(first["lon"], first["lat"]), "新点位长", "13900000000", first["address"], "更换点位长"])
    for _ in range(3):
        ws.append([None] * len(header))
    return wb


def _problem_rows(store: Store, rng, today: dt.date, corrected: bool) -> list[list]:
    points = store.points().sort_values("id").iloc[100:110]
    districts = store.districts().set_index("code")["name"]
    kinds = ("占道经营", "乱停乱放", "牛皮癣", "垃圾桶破损或满溢", "卫生死角", "飞线充电", "盲道被占", "路面破损",
             "蜘蛛网", "公益广告缺失或破损")
    found = today - dt.timedelta(days=20)
    written = (found.strftime("%Y/%-m/%-d"), f"{found.year}年{found.month}月{found.day}日", found,
               (found - EXCEL_EPOCH).days)
    rows = []
    for i, (point, kind) in enumerate(zip(points.itertuples(), kinds)):  # rows 4-13
        offset = rng.normal(0, 0.00008, 2)
        lon, lat = wgs84_to_gcj02(point.lon + offset[0], point.lat + offset[1])
        status = ("已整改待复核" if i % 2 else "已销号") if corrected else ("整改中" if i % 3 else "已交办")
        rows.append([i + 1, f"YB-W{i + 1:03d}", written[i % 4], districts[point.district_code], point.id, kind,
                     f"{point.name}{kind}", round(float(lon), 6), round(float(lat), 6),
                     found + dt.timedelta(days=7), status, "", "市级督查"])
    if corrected:
        return rows
    p = points.iloc[0]
    glon, glat = (round(float(v), 6) for v in wgs84_to_gcj02(p.lon, p.lat))
    other = districts.drop(p.district_code).iloc[0]
    bad = [
        ["YB-W101", "2023年13月5日", districts[p.district_code], "", "牛皮癣", "日期写错", glon, glat, "", "整改中"],
        ["YB-W102", found, "", "", "牛皮癣", "时限早于发现", glon, glat, found - dt.timedelta(days=3), "整改中"],
        ["YB-W103", found, "", "", "占道经菅", "类别写错", glon, glat, "", "整改中"],
        ["YB-W104", found, "", "", "牛皮癣", "状态写错", glon, glat, "", "已整该"],
        ["YB-W105", found, "", "", "牛皮癣", "编号重复甲", glon, glat, "", "整改中"],
        ["YB-W105", found, "", "", "牛皮癣", "编号重复乙", glon, glat, "", "整改中"],
        ["YB-W107", found, "", "", "牛皮癣", "无坐标也无点位", "", "", "", "整改中"],
        ["YB-W108", found, "", "", "牛皮癣", "外市坐标", 108.366, 22.817, "", "整改中"],
        ["YB-W109", found, other, "", "牛皮癣", "区县与坐标不符", glon, glat, "", "整改中"],
    ]
    for n, (pid, day, district, point, kind, text, lon, lat, deadline, status) in enumerate(bad, start=11):
        rows.append([n, pid, day, district, point, kind, text, lon, lat, deadline, status, "", "市级督查"])
    return rows


def _problems_workbook(store: Store, rng, today: dt.date, corrected: bool) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题整改台账"
    top = ["序号", "问题编号", "发现时间", "所属区县", "所属点位", "问题类型", "问题描述", "坐标（高德）", None,
           "整改期限", "整改状态", "备注", "问题来源"]
    _title(ws, "XX市创城实地督查问题整改台账（样例，坐标取自高德地图）", len(top))
    ws.append(top)
    ws.append([None] * 7 + ["经度", "纬度"] + [None] * 4)
    for col in range(1, len(top) + 1):
        if col not in (8, 9):
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells(start_row=2, start_column=8, end_row=2, end_column=9)
    for row in _problem_rows(store, rng, today, corrected):
        ws.append(row)
        for col in (3, 10):
            if isinstance(ws.cell(row=ws.max_row, column=col).value, dt.date):
                ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    for _ in range(2):
        ws.append([None] * len(top))
    return wb


def write_samples(store: Store, folder: Path, seed: int = 20240601, today: dt.date | None = None) -> list[Path]:
    """Write the sample ledgers into ``folder``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    today = today or store.as_of()
    books = {
        "points_ledger.xlsx": _points_workbook(store, np.random.default_rng(seed)),
        "problems_ledger.xlsx": _problems_workbook(store, np.random.default_rng(seed), today, corrected=False),
        "problems_ledger_corrected.xlsx": _problems_workbook(store, np.random.default_rng(seed), today,
                                                             corrected=True),
    }
    paths = []
    for name, book in books.items():
        for cell in (c for sheet in book for row in sheet.iter_rows() for c in row):
            keep_text(cell)  # names and addresses come from the store: never formulas
        path = folder / name
        book.save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":  # python -m civmap.ledger.samples data/samples
    from civmap.demo.seed import open_first_run

    for written in write_samples(open_first_run(), Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples")):
        print(written)
