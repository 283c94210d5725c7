"""Taking data out: Excel (re-importable, with a printable supervision list), GeoJSON,
Open311; and a round trip export → import that changes nothing."""

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from civmap import ledger
from civmap.cli import main
from civmap.storage import make_engine
from civmap.figures import overdue_mask
from civmap.filters import Filters
from civmap.ledger.export import export_geojson, export_workbook
from civmap.ledger.open311 import export_open311
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()


@pytest.fixture(scope="module")
def workbook(demo_store):
    return export_workbook(demo_store, Filters(), VOCAB, demo_store.as_of())


@pytest.fixture(scope="module")
def book(workbook):
    """The workbook as openpyxl reads it, once: reading the whole city's is slow. Read, never changed."""
    return openpyxl.load_workbook(io.BytesIO(workbook))


def _snapshot(store: Store):
    return (store.data_version(), len(store.events()),
            store.problems().drop(columns="geometry").sort_values("id").reset_index(drop=True))


def test_workbook_has_one_sheet_per_layer_with_chinese_headers(book, demo_store):
    wb = book
    assert wb.sheetnames == ["测评点位", "背街小巷", "问题台账", "责任单位", "重点点位圈", "测评结果",
                             "督办清单", "督办汇总", "说明"]
    points = wb["测评点位"]
    assert [c.value for c in points[1]][:8] == ["编号", "名称", "类别", "所属区", "街道", "社区", "经度", "纬度"]
    assert points.max_row == len(demo_store.points()) + 1
    assert wb["问题台账"].max_row == len(demo_store.problems()) + 1
    labels = {c.value for c in wb["问题台账"]["C"][1:]}
    assert labels <= set(VOCAB.labels("problem_categories", "zh").values())


def test_supervision_list_is_the_overdue_problems_by_unit_ready_to_print(book, demo_store):
    problems = demo_store.problems()
    late = problems[overdue_mask(problems, VOCAB, demo_store.as_of())]
    ws = book["督办清单"]
    assert ws["A1"].value.startswith("督办清单") and "A1:M1" in {str(r) for r in ws.merged_cells.ranges}
    header = [c.value for c in ws[3]]
    assert header[:4] == ["序号", "责任单位", "问题编号", "问题描述"] and "超期天数" in header
    rows = pd.DataFrame([[c.value for c in row] for row in ws.iter_rows(min_row=4)], columns=header)
    assert set(rows["问题编号"]) == set(late["id"]) and len(rows) == len(late)
    units = rows["责任单位"].fillna("")
    assert units.is_monotonic_increasing or list(units) == sorted(units)  # grouped by unit
    starts = [i for i in range(1, len(units)) if units[i] != units[i - 1]]
    assert [b.id for b in ws.row_breaks.brk] == [3 + i for i in starts]  # one unit per printed page
    assert all(rows.groupby(units, sort=False)["序号"].apply(lambda s: list(s) == list(range(1, len(s) + 1))))
    days = rows.groupby(units, sort=False)["超期天数"].apply(lambda s: s.is_monotonic_decreasing)
    assert days.all()
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"
    summary = book["督办汇总"]
    assert sum(row[1].value for row in summary.iter_rows(min_row=2)) == len(late)


def test_round_trip_export_then_import_changes_nothing(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    data = export_workbook(store, Filters(), VOCAB, store.as_of())
    before = _snapshot(store)
    for kind in ("points", "alleys", "problems"):
        checked = ledger.check_file(data, "导出.xlsx", kind, store, VOCAB)
        assert not checked.issues, ledger.issues_frame(checked).head()
        summary = checked.summary()
        assert summary["same"] == summary["rows"] > 0, (kind, summary)
        result = ledger.commit_ledger(store, checked, VOCAB)
        assert (result.inserted, result.updated, result.events) == (0, 0, 0)
    after = _snapshot(store)
    assert after[:2] == before[:2]
    pd.testing.assert_frame_equal(after[2], before[2])


def test_the_supervision_sheet_alone_is_a_valid_ledger(workbook, demo_store):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    for name in wb.sheetnames:
        if name != "督办清单":
            del wb[name]
    buffer = io.BytesIO()
    wb.save(buffer)
    checked = ledger.check_file(buffer.getvalue(), "督办清单.xlsx", "problems", demo_store, VOCAB)
    assert not checked.issues and checked.raw.header_row == 3
    assert checked.summary()["same"] == checked.summary()["rows"] > 0


def test_geojson_export_reimports_unchanged(demo_store):
    data = export_geojson(demo_store, Filters(districts=("D02",)))
    collection = json.loads(data)
    layers = pd.Series([f["properties"]["layer"] for f in collection["features"]]).value_counts()
    d02 = demo_store.scoped(["D02"])
    assert layers.to_dict() == {"problems": len(d02.problems()), "points": len(d02.points()),
                                "alleys": len(d02.alleys()), "circles": len(d02.circles()),
                                "boundaries": len(d02.areas(None))}
    for kind in ("points", "alleys", "problems"):
        checked = ledger.check_file(data, "d02.geojson", kind, demo_store, VOCAB)
        assert not checked.issues and checked.summary()["same"] == checked.summary()["rows"]


def test_open311_requests_follow_georeport_v2(demo_store):
    filters = Filters(districts=("D03",))
    requests = json.loads(export_open311(demo_store, filters, VOCAB, demo_store.as_of()))
    problems = demo_store.problems(filters).set_index("id")
    assert len(requests) == len(problems)
    standard = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
    for request in requests:
        assert standard <= set(request) and request["status"] in ("open", "closed")
        row = problems.loc[request["service_request_id"]]
        assert (request["lat"], request["long"]) == (row.lat, row.lon)
        assert request["service_code"] == row.category
        closed = VOCAB.statuses.at[row.status, "type"] == "closed"
        assert (request["status"] == "closed") == closed
        assert request["extended_attributes"]["civmap_status"] == row.status
        assert request["requested_datetime"].endswith("+08:00")
        dt.datetime.fromisoformat(request["updated_datetime"])


def test_cli_export_every_format_and_import_it_back(scratch_db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    out = tmp_path / "秀山区.xlsx"
    assert main(["export", str(out), "--district", "秀山区"]) == 0
    assert "秀山区" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "a.geojson"), "--district", "D02"]) == 0
    assert main(["export", str(tmp_path / "a.json"), "--format", "open311", "--district", "D02", "D03"]) == 0
    assert {r["extended_attributes"]["district_code"] for r in json.loads((tmp_path / "a.json").read_text())} \
        == {"D02", "D03"}
    assert main(["export", str(tmp_path / "x.xlsx"), "--district", "秀水区"]) == 2
    assert "秀山区" in capsys.readouterr().err  # the closest district is suggested
    version = Store(make_engine(scratch_db_url)).data_version()
    assert main(["import", str(out), "--kind", "problems"]) == 0
    printed = capsys.readouterr().out
    assert "更新 0" in printed and "新增 0" in printed
    assert Store(make_engine(scratch_db_url)).data_version() == version
