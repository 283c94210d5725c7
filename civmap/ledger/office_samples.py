"""A small city's worth of an office's own files, to set up a store from nothing.

``python -m civmap.ledger.office_samples data/samples/office`` writes, from the demo city,
the files an office loads in order (see ``civmap.setup.stages``), each as offices write them:

- ``1_boundaries.geojson``: districts and streets (代码, 名称, 层级, 上级代码);
- ``2_units.xlsx``: responsible units with their district or street, head and phone;
- ``3_points.xlsx``: a few assessment points per district, with the circles' centres and
  the points around them, naming their responsible unit;
- ``4_circles.xlsx``: one key point-circle per district, by its centre point's id;
- ``5_alleys.xlsx``: back alleys with their lines (WKT);
- ``6_inspections.xlsx``: the points' last two inspection results, score rates written
  as 92, 0.92 and 92%, 是否达标 sometimes blank (derived from the threshold);
- ``7_problems.xlsx``: open and closed problems at those points, each with the day its
  status was reached (状态日期), so closings count on their own days.

Each imports with no rejected row into a store that holds the files before it; the
setup test and the README's "Your own city" walk through them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import shapely
from openpyxl import Workbook

from civmap.storage.store import Store
from civmap.vocab import Vocabulary, load_vocabulary

__all__ = ["write_office_samples", "boundaries_geojson", "OFFICE_FILES"]

OFFICE_FILES = {
    "boundaries": "1_boundaries.geojson", "units": "2_units.xlsx", "points": "3_points.xlsx",
    "circles": "4_circles.xlsx", "alleys": "5_alleys.xlsx", "inspections": "6_inspections.xlsx",
    "problems": "7_problems.xlsx",
}
_LEVEL_WORDS = {"district": "区县", "street": "街道"}


def _workbook(title: str, header: list[str], rows) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append([None if isinstance(v, float) and pd.isna(v) else v for v in row])
    return wb


def boundaries_geojson(store: Store) -> bytes:
    """The store's districts and streets as an office's boundaries file (代码, 名称, 层级 ...)."""
    features = []
    for level in ("district", "street"):
        for area in store.areas(level).itertuples():
            props = {"代码": area.code, "名称": area.name, "层级": _LEVEL_WORDS[level]}
            if level == "district":
                props["英文名"] = area.name_en
            else:
                props["上级代码"] = area.parent_code
            features.append({"type": "Feature", "properties": props,
                             "geometry": json.loads(shapely.to_geojson(area.geometry))})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _chosen_points(store: Store, circles: pd.DataFrame, per_district: int) -> pd.DataFrame:
    """Each circle's centre and its nearest points (so circles have members), then a few more."""
    points = store.points()
    metric = points.to_crs(points.estimate_utm_crs())
    chosen: list[str] = []
    for centre in circles.itertuples():
        here = metric.loc[metric["id"] == centre.centre_point_id].geometry.iloc[0]
        near = metric.assign(d=metric.distance(here)).query("d <= 300").sort_values("d")
        chosen += near["id"].head(per_district).tolist()
    for _, group in points.sort_values("id").groupby("district_code"):
        chosen += group["id"].head(4).tolist()
    return points[points["id"].isin(set(chosen))].sort_values("id")


def write_office_samples(store: Store, folder: Path, vocab: Vocabulary | None = None,
                         per_district: int = 8) -> list[Path]:
    """Write the office's files into ``folder`` from ``store``'s demo city; their paths."""
    vocab = vocab or load_vocabulary()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    circles = store.circles().sort_values("id").groupby("district_code").head(1)
    points = _chosen_points(store, circles, per_district)
    units = store.units().sort_values("code")
    unit_name = dict(zip(units["code"], units["name"]))
    area_name = dict(zip(store.areas(None)["code"], store.areas(None)["name"]))
    label = {kind: vocab.labels(kind, "zh") for kind in
             ("point_categories", "centre_kinds", "unit_kinds", "statuses", "problem_categories", "alley_states")}

    books = {
        "units": _workbook("责任单位", ["单位编码", "单位名称", "所属区", "街道", "单位类型", "负责人", "联系电话"], (
            [u.code, u.name, area_name.get(u.district_code), area_name.get(u.street_code),
             label["unit_kinds"].get(u.kind, u.kind), f"{u.name[:2]}负责人", f"0773-{2000000 + i:07d}"]
            for i, u in enumerate(units.itertuples()))),
        "points": _workbook("测评点位", ["点位编号", "点位名称", "点位类别", "所属区", "经度", "纬度", "点位长",
                                      "责任单位", "地址"], (
            [p.id, p.name, label["point_categories"][p.category], area_name[p.district_code], p.lon, p.lat,
             p.chief_name, unit_name.get(p.unit_code), p.address] for p in points.itertuples())),
        "circles": _workbook("重点点位圈", ["点位圈编号", "点位圈名称", "中心点位编号", "中心类型"], (
            [c.id, c.name, c.centre_point_id, label["centre_kinds"][c.kind]] for c in circles.itertuples())),
    }
    alleys = store.alleys().sort_values("id").groupby("district_code").head(2)
    books["alleys"] = _workbook("背街小巷", ["编号", "名称", "所属区", "改造状态", "几何(WKT)", "巷长", "责任单位"], (
        [a.id, a.name, area_name[a.district_code], label["alley_states"][a.state],
         shapely.to_wkt(a.geometry, rounding_precision=6), a.chief_name, unit_name.get(a.unit_code)]
        for a in alleys.itertuples()))
    inspections = (store.inspections().sort_values(["point_id", "date"]).groupby("point_id").tail(2))
    inspections = inspections[inspections["point_id"].isin(points["id"])]
    books["inspections"] = _workbook("测评结果", ["点位编号", "测评日期", "得分率", "是否达标", "测评人"], (
        [i.point_id, i.date.isoformat() if hasattr(i.date, "isoformat") else str(i.date)[:10],
         _rate_as_written(i.score_rate, n), None if n % 3 == 2 else ("是" if i.up_to_standard else "否"), i.inspector]
        for n, i in enumerate(inspections.itertuples())))
    problems = _sample_problems(store, points, vocab)
    books["problems"] = _workbook("问题台账", ["问题编号", "问题描述", "问题类别", "所属点位", "经度", "纬度", "发现日期",
                                           "整改时限", "状态", "状态日期", "责任单位"], (
        [q.id, q.description, label["problem_categories"][q.category], q.point_id, q.lon, q.lat,
         pd.Timestamp(q.found_on).date().isoformat(),
         None if pd.isna(q.deadline) else pd.Timestamp(q.deadline).date().isoformat(),
         label["statuses"][q.status], pd.Timestamp(q.status_since).date().isoformat(), unit_name.get(q.unit_code)]
        for q in problems.itertuples()))

    paths = []
    target = folder / OFFICE_FILES["boundaries"]
    target.write_bytes(boundaries_geojson(store))
    paths.append(target)
    for kind, book in books.items():
        target = folder / OFFICE_FILES[kind]
        book.save(target)
        paths.append(target)
    return sorted(paths)


def _sample_problems(store: Store, points: pd.DataFrame, vocab: Vocabulary, per_district: int = 3) -> pd.DataFrame:
    """At the sample points, in each district the latest open problems and the latest closed
    ones: a backlog to work on, and closings dated by their 状态日期."""
    problems = store.problems()
    problems = problems[problems["point_id"].isin(points["id"])]
    is_open = problems["status"].isin(vocab.unresolved_statuses)
    picked = [part.sort_values("found_on").groupby("district_code").tail(per_district)
              for part in (problems[is_open], problems[~is_open])]
    return pd.concat(picked).sort_values("id")


def _rate_as_written(rate: float, n: int):
    """Offices write a score rate as 92, 0.92 or 92%: the samples use all three."""
    return (round(rate * 100, 1), round(rate, 3), f"{rate * 100:.1f}%")[n % 3]


if __name__ == "__main__":  # python -m civmap.ledger.office_samples data/samples/office
    from civmap.demo.seed import open_first_run

    for written in write_office_samples(open_first_run(), Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples/office")):
        print(written)
