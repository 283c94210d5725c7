"""What was imported goes out again: units, circles and inspection results as workbook
sheets, boundaries and circles as GeoJSON layers; each imports back changing nothing, and
the sidebar's filters restrict them as they restrict the layers."""

import io
import json

import openpyxl
import pandas as pd
import pytest
import shapely

from civmap import ledger
from civmap.storage import make_engine
from civmap.filters import Filters
from civmap.ledger.columns import fields_of
from civmap.ledger.export import export_geojson, export_workbook
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
SHEETS = {"units": "责任单位", "circles": "重点点位圈", "inspections": "测评结果"}
D02 = Filters(districts=("D02",))


def _rows(data: bytes, sheet: str) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(data), sheet_name=sheet, engine="calamine", dtype=object)


def _alone(data: bytes, sheet: str) -> bytes:
    """The one sheet as a workbook of its own, as an office would pass it on."""
    buffer = io.BytesIO()
    _rows(data, sheet).to_excel(buffer, sheet_name=sheet, index=False, engine="openpyxl")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def d02_workbook(demo_store) -> bytes:
    return export_workbook(demo_store, D02, VOCAB, demo_store.as_of())


def test_new_sheets_sit_after_the_layers_with_the_ledger_headers_and_labels(d02_workbook, demo_store):
    wb = openpyxl.load_workbook(io.BytesIO(d02_workbook))
    assert wb.sheetnames == ["测评点位", "背街小巷", "问题台账", "责任单位", "重点点位圈", "测评结果",
                             "督办清单", "督办汇总", "说明"]
    for kind, sheet in SHEETS.items():
        header = [c.value for c in wb[sheet][1]]
        wanted = [f.header for f in fields_of(kind) if f.name != "remove"]  # 删除 is for the office to add
        assert header == wanted, kind
    units = _rows(d02_workbook, "责任单位")
    assert set(units["单位类型"]) <= set(VOCAB.labels("unit_kinds", "zh").values())
    assert set(units["所属区"].dropna()) == {demo_store.district_names()["D02"]}
    assert not units["街道"].dropna().str.match(r"D\d").any()  # names, not codes
    circles = _rows(d02_workbook, "重点点位圈")
    assert set(circles["中心类型"]) <= set(VOCAB.labels("centre_kinds", "zh").values())
    results = _rows(d02_workbook, "测评结果")
    assert set(results["是否达标"]) == {"是", "否"}
    rates = results["得分率"].astype(float)
    assert rates.between(0, 1).all()  # shares, as stored, not percentages
    about = [row[1].value for row in wb["说明"].iter_rows()]
    assert any(str(line).startswith("测评结果：") for line in about)


def test_filters_restrict_the_new_sheets_and_boundaries(d02_workbook, demo_store):
    units = demo_store.units()
    mine = units[units["district_code"].isna() | (units["district_code"] == "D02")]
    assert set(_rows(d02_workbook, "责任单位")["单位编码"]) == set(mine["code"]) and len(mine) < len(units)
    circles = demo_store.circles()
    d02_circles = _rows(d02_workbook, "重点点位圈")
    assert set(d02_circles["点位圈编号"]) == set(circles.loc[circles["district_code"] == "D02", "id"])
    assert 0 < len(d02_circles) < len(circles)
    points = demo_store.points()
    d02_points = set(points.loc[points["district_code"] == "D02", "id"])
    results = _rows(d02_workbook, "测评结果")
    assert set(results["点位编号"]) <= d02_points and len(results) == len(demo_store.inspections(D02)) > 0
    assert len(results) < len(demo_store.inspections())
    collection = json.loads(export_geojson(demo_store, D02))
    areas = {f["properties"]["code"] for f in collection["features"] if f["properties"]["layer"] == "boundaries"}
    streets = demo_store.areas("street")
    assert areas == {"D02", *streets.loc[streets["parent_code"] == "D02", "code"]}
    centres = [f for f in collection["features"] if f["properties"]["layer"] == "circles"]
    assert {f["properties"]["id"] for f in centres} == set(d02_circles["点位圈编号"])


def test_every_new_sheet_imports_back_unchanged(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    data = export_workbook(store, Filters(), VOCAB, store.as_of())
    version = store.data_version()
    for kind, sheet in SHEETS.items():
        whole = ledger.check_file(data, "导出.xlsx", kind, store, VOCAB)
        assert whole.raw.sheet == sheet, kind  # the importer picks the sheet whose header fits the kind
        alone = ledger.check_file(_alone(data, sheet), f"{sheet}.xlsx", kind, store, VOCAB)
        for checked in (whole, alone):
            assert not checked.issues, ledger.issues_frame(checked).head()
            summary = checked.summary()
            assert summary["same"] == summary["rows"] > 0, (kind, summary)
        result = ledger.commit_ledger(store, whole, VOCAB)
        assert (result.inserted, result.updated, result.removed) == (0, 0, 0), kind
    assert store.data_version() == version


def test_geojson_boundaries_and_circles_import_back_unchanged(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    data = export_geojson(store, Filters())
    features = json.loads(data)["features"]
    boundaries = [f for f in features if f["properties"]["layer"] == "boundaries"]
    assert len(boundaries) == len(store.areas(None)) > 0
    assert {f["geometry"]["type"] for f in boundaries} <= {"Polygon", "MultiPolygon"}
    assert not {"units", "inspections"} & {f["properties"]["layer"] for f in features}  # no geometry
    centres = store.points().set_index("id")
    for feature in (f for f in features if f["properties"]["layer"] == "circles"):
        centre = centres.loc[feature["properties"]["centre_point_id"]]
        assert shapely.geometry.shape(feature["geometry"]).equals(shapely.Point(centre.lon, centre.lat))
    version = store.data_version()
    for kind, count in (("boundaries", len(boundaries)), ("circles", len(store.circles()))):
        checked = ledger.check_file(data, "导出.geojson", kind, store, VOCAB)
        assert not checked.issues, ledger.issues_frame(checked).head()
        assert checked.summary()["same"] == checked.summary()["rows"] == count, kind
        result = ledger.commit_ledger(store, checked, VOCAB)
        assert (result.inserted, result.updated) == (0, 0), kind
    assert store.data_version() == version
