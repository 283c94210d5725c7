"""Reading ledgers as real offices write them: cells, headers, files (pure functions)."""

import datetime as dt
import io
import json

import openpyxl
import pytest

from civmap.ledger import LedgerError, read_ledger
from civmap.ledger import cells
from civmap.ledger.columns import match_headers, normalise_header


@pytest.mark.parametrize("written", [
    "2023/3/5", "2023-03-05", "2023年3月5日", "2023.3.5", "20230305", "２０２３／３／５", "2023-03-05 14:30",
    "2023年03月05号", dt.date(2023, 3, 5), dt.datetime(2023, 3, 5, 9, 0), 44990, 44990.0, "44990",
])
def test_dates_in_every_common_form(written):
    assert cells.date(written) == dt.date(2023, 3, 5)


@pytest.mark.parametrize("written", ["2023-02-30", "2023年13月5日", "下周一", "5/3/23", 123, "12.5"])
def test_unreadable_dates_say_so(written):
    with pytest.raises(cells.CellError) as error:
        cells.date(written)
    assert error.value.code == "bad_date"


def test_blank_cells_are_none():
    for blank in (None, float("nan"), "", "  ", "\u200b"):
        assert cells.date(blank) is None
        assert cells.text(blank) is None
        assert cells.coordinate_pair(blank) is None


@pytest.mark.parametrize("written, expected", [
    ("110.29,25.27", (110.29, 25.27)),
    ("110.29，25.27", (110.29, 25.27)),
    ("１１０．２９，２５．２７", (110.29, 25.27)),
    ("(110.29, 25.27)", (110.29, 25.27)),
    ("110.29 25.27", (110.29, 25.27)),
    ("110.29;25.27", (110.29, 25.27)),
    ("110°17′24″E, 25°16′12″N", (110.29, 25.27)),
])
def test_coordinates_in_one_cell(written, expected):
    lon, lat = cells.coordinate_pair(written)
    assert lon == pytest.approx(expected[0], abs=1e-9) and lat == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("written", ["110.29", "110.29,25.27,3", "abc,def", "110.29,北"])
def test_bad_coordinate_cells(written):
    with pytest.raises(cells.CellError):
        cells.coordinate_pair(written)


def test_single_coordinates_numbers_and_text():
    assert cells.coordinate("东经110度17分24秒") == pytest.approx(110.29)
    assert cells.coordinate("１１０．２９") == pytest.approx(110.29)
    assert cells.number("350米") == 350.0 and cells.number("1,250.5 m") == 1250.5
    assert cells.text(13042025659.0) == "13042025659"  # Excel keeps phone numbers as floats
    assert cells.text("中山街（御景段）") == "中山街（御景段）"  # prose keeps full-width brackets
    assert cells.text("ＣＰ００１", fold=True) == "CP001"


def test_header_variants_mean_the_same_field():
    for header in ("经度", "lng", "Longitude", "经 度（WGS84）", "*经度", "东经"):
        assert normalise_header(header) in {normalise_header(h) for h in ("经度", "lng", "longitude", "东经")}
    found, unknown = match_headers("points", ["序号", "点位编号", "所属区", "区县", "经度", "纬度", "备注"])
    assert found == {"id": 1, "district_code": 2, "lon": 4, "lat": 5}
    assert unknown == [0, 3, 6]  # the second district column is reported, not read twice
    found, _ = match_headers("problems", ["问题编号", "辖区", "整改时限", "坐标（高德）"])
    assert found == {"id": 0, "district_code": 1, "deadline": 2, "coords": 3}


def _xlsx(rows, merge_title: bool = False, sheets: dict | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if merge_title:
        ws.merge_cells("A1:E1")
    for name, extra in (sheets or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_title_rows_blank_rows_and_row_numbers():
    data = _xlsx([["XX区创城点位台账（2024年）"], [], ["编号", "名称", "类别", "坐标"],
                  ["P1", "甲", "医院", "110.3,25.27"], [None, None, None, None], ["P2", "乙", "医院", "110.3,25.27"],
                  [], [None, None], []], merge_title=True)
    raw = read_ledger(data, "a.xlsx", "points")
    assert raw.header_row == 3
    assert list(raw.cells.index) == [4, 6]  # spreadsheet rows; blank rows dropped wherever they are
    assert raw.columns == {"id": "编号", "name": "名称", "category": "类别", "coords": "坐标"}


def test_two_row_header_under_a_merged_heading():
    data = _xlsx([["问题编号", "问题描述", "问题类别", "坐标（高德）", None, "发现日期"],
                  [None, None, None, "经度", "纬度", None],
                  ["W1", "x", "牛皮癣", 110.3, 25.27, "2024-01-02"]])
    raw = read_ledger(data, "p.xlsx", "problems")
    assert set(raw.columns) >= {"lon", "lat", "id", "found_on"}
    assert list(raw.cells.index) == [3]


def test_the_sheet_with_the_best_header_is_read():
    data = _xlsx([["说明"], ["本表为样例"]], sheets={"点位": [["编号", "名称", "类别", "经度", "纬度"],
                                                          ["P1", "甲", "医院", 110.3, 25.27]]})
    raw = read_ledger(data, "a.xlsx", "points")
    assert raw.sheet == "点位" and len(raw.cells) == 1


def test_csv_in_gbk_with_a_title_line():
    text = "点位台账\n编号,名称,类别,经度,纬度\nP1,甲,医院,110.3,25.27\n\n"
    raw = read_ledger(text.encode("gbk"), "a.csv", "points")
    assert raw.cells.loc[3, "名称"] == "甲" and raw.header_row == 2


def test_geojson_rows_are_features_in_order():
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"编号": f"P{i}", "名称": "甲", "类别": "医院"},
         "geometry": {"type": "Point", "coordinates": [110.3, 25.27 + i / 1000]}} for i in range(3)]}
    raw = read_ledger(json.dumps(collection).encode(), "a.geojson", "points")
    assert list(raw.cells.index) == [1, 2, 3]
    assert raw.geometry.loc[3].y == pytest.approx(25.272)


@pytest.mark.parametrize("name, data, code", [
    ("a.docx", b"x", "bad_suffix"),
    ("a.xlsx", b"not a workbook", "unreadable"),
    ("a.csv", "甲,乙,丙\n1,2,3\n".encode(), "no_header"),
    ("a.csv", "编号,名称,类别\nP1,甲,医院\n".encode(), "missing_column"),
    ("a.csv", "编号,名称,类别,经度,纬度\n".encode(), "no_rows"),
    ("b.csv", "代码,名称\n1,甲\n".encode(), "boundaries_need_vector"),
])
def test_a_file_that_cannot_be_read_is_one_clear_error(name, data, code):
    kind = "boundaries" if name == "b.csv" else "points"
    with pytest.raises(LedgerError) as error:
        read_ledger(data, name, kind)
    assert error.value.code == code
    assert error.value.message("zh") != f"ledger.error.{code}"  # a real message in both languages
    assert error.value.message("en") != f"ledger.error.{code}"
