"""Ledgers as offices write them: total and signature rows are skipped, not rejected; a day
without a year takes the year the user gives or is rejected saying how to give it; and a
rejects file bound for a folder that does not exist stops the import before anything is written."""

import datetime as dt

import pandas as pd
import pytest

from civmap import clock, ledger
from civmap.cli import main
from civmap.storage import make_engine
from civmap.ledger import cells
from civmap.ledger.footers import footer_rows, is_marker
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from test_ledger_import import HEADER, make_city, pair, xlsx

VOCAB = load_vocabulary()


@pytest.fixture(scope="module")
def city(demo_store):
    return make_city(demo_store)


def _row(city, number, key, description, found="2024-03-05"):
    p = city["points"].iloc[10]
    return [number, key, description, "占道经营", "", pair(p.lon, p.lat), found, "", "", ""]


def _footer(*written):
    """A row of the given cells, padded to the header's width."""
    return [*written, *[""] * (len(HEADER) - len(written))]


def footer_ledger(city) -> bytes:
    """Title row 1, header row 2; data from row 3, a 小计 in the middle, 合计 and signatures last."""
    rows = [HEADER,
            _row(city, 1, "F001", "占道经营"),                                 # 3
            _row(city, 2, "F002", "路口合计三处占道经营，已劝离"),             # 4: 合计 mid-text: data
            _footer("小　计", "", "2 处"),                                      # 5
            _row(city, 3, "F003", "乱堆乱放"),                                 # 6
            _row(city, 4, "", "无编号"),                                       # 7: a real bad row
            _row(city, 5, "F005", "日期写错", found="2024年13月5日"),          # 8: a real bad row
            _footer("合计", "", "共 5 处"),                                     # 9
            _footer("填表人：张三", "", "", "", "审核人：李四"),                # 10
            _footer("", "", "制表日期：2024年3月6日", "", "", "负责人签字：")]  # 11
    return xlsx(rows)


def test_total_and_signature_rows_are_skipped_and_counted_not_rejected(demo_store, city):
    checked = ledger.check_file(footer_ledger(city), "问题台账.xlsx", "problems", demo_store, VOCAB)
    assert checked.raw.skipped == (5, 9, 10, 11)
    assert {(i.row, i.header) for i in checked.issues} == {(7, "问题编号"), (8, "发现日期")}
    assert [r.key for r in checked.records] == ["F001", "F002", "F003"]
    assert checked.summary()["rows"] == 5 and checked.summary()["good"] == 3 and checked.summary()["bad"] == 2
    assert ledger.summary_text(checked).endswith("跳过合计、签字等非数据行 4 行（第 5、9、10、11 行）。")
    assert ledger.summary_text(checked, "en").endswith("4 non-data rows (totals, signatures) skipped (rows 5, 9, 10, 11).")
    # the rejects file holds the bad rows only: no total, no signature
    assert list(ledger.rejects_frame(checked)["原行号"]) == [7, 8]


def test_a_ledger_without_such_rows_says_nothing_about_them(demo_store, city):
    checked = ledger.check_file(xlsx([HEADER, _row(city, 1, "F001", "占道经营")]), "问题台账.xlsx", "problems",
                                demo_store, VOCAB)
    assert checked.raw.skipped == () and "跳过" not in ledger.summary_text(checked)
    assert "skipped" not in ledger.summary_text(checked, "en")


@pytest.mark.parametrize("written", ["合计", "合 计", "小　计：", "总计(元)", "填表人：张三", "审核人:李四", "制表日期：2024-03-06",
                                     "填报人", "负责人签字：", "单位（盖章）", "注：1.本表由各区填报"])
def test_markers_as_offices_write_them(written):
    assert is_marker(written)


@pytest.mark.parametrize("written", ["路口合计三处", "占道经营", "注意安全", "T001", 1, None, "", "说明书广告"])
def test_text_that_merely_mentions_a_marker_is_not_one(written):
    assert not is_marker(written)


def test_only_a_row_without_its_own_key_is_a_footer():
    cells_ = pd.DataFrame({"序号": ["合计", "小计", "", 4], "编号": ["", "T002", "合计", "T004"],
                           "描述": ["3 处", "小计：已整改", "", "合计：张三反映"]}, index=[5, 6, 7, 8])
    # row 6 has an id (a data row whose 序号 someone overwrote); row 8 a description starting with 合计
    assert footer_rows(cells_, {"id": "编号", "description": "描述"}, "problems") == [5, 7]
    # a ledger without an id column: the first two filled cells decide
    assert footer_rows(cells_, {"description": "描述"}, "problems") == [5, 6, 7]


def test_a_units_ledger_keys_by_code_or_name(demo_store):
    rows = [["单位名称", "单位类型", "负责人", "联系电话"],
            ["市城管局", "行业主管部门", "王五", "0773-1234567"],
            ["填表人：张三", "", "", "联系电话：0773-7654321"]]
    checked = ledger.check_file(xlsx(rows, title=None), "责任单位.xlsx", "units", demo_store, VOCAB)
    assert checked.raw.skipped == (3,) and not checked.issues and len(checked.records) == 1


# -- dates without a year ---------------------------------------------------------------------
@pytest.mark.parametrize("written", ["3月5日", "3 月 5 号", "3-5", "3/5", "03/05"])
def test_a_day_without_a_year_needs_one(written):
    with pytest.raises(cells.CellError) as error:
        cells.date(written)
    assert error.value.code == "no_year"
    assert cells.date(written, 2026) == dt.date(2026, 3, 5)


def test_a_year_does_not_make_an_impossible_day_or_a_number_a_date():
    with pytest.raises(cells.CellError) as error:
        cells.date("2月30日", 2026)
    assert error.value.code == "bad_date"
    for written in ("12.5", "5/3/23"):
        with pytest.raises(cells.CellError) as error:
            cells.date(written, 2026)
        assert error.value.code == "bad_date"
    assert cells.date("2024年3月5日", 2026) == dt.date(2024, 3, 5)  # a written year wins


def _yearless(city) -> bytes:
    return xlsx([HEADER, _row(city, 1, "Y001", "无年份", found="3月5日"),
                 _row(city, 2, "Y002", "无年份且在未来", found="12月5日")])


def _check(store, data, year=None, kind="problems"):
    raw = ledger.read_ledger(data, "台账.xlsx", kind)
    return ledger.check_ledger(raw, store, VOCAB, today=dt.date(2026, 6, 1), options=ledger.ImportOptions(year=year))


def test_without_a_year_the_rows_are_rejected_with_the_hint(demo_store, city):
    checked = _check(demo_store, _yearless(city))
    assert {(i.row, i.code) for i in checked.issues} == {(3, "no_year"), (4, "no_year")}
    reason = checked.issues[0].reason("zh")
    assert reason == ("日期“3月5日”没有年份：请写完整日期，或导入时指定年份"
                      "（命令行 --year 2026，页面上的“无年份日期的年份”）")
    english = checked.issues[0].reason("en")
    assert "“3月5日” has no year" in english and "--year 2026" in english and "Year for dates without one" in english


def test_with_a_year_they_are_read_and_still_checked_against_today(demo_store, city):
    checked = _check(demo_store, _yearless(city), year=2026)
    assert [r.values["found_on"] for r in checked.records] == [dt.date(2026, 3, 5)]
    assert [(i.row, i.code, i.value) for i in checked.issues] == [(4, "future_date", "2026-12-05")]


def test_an_inspections_ledger_takes_the_year_too(demo_store):
    point = demo_store.points().sort_values("id").iloc[0]
    rows = [["点位编号", "测评日期", "得分率"], [point.id, "3月5日", "92%"]]
    assert [i.code for i in _check(demo_store, xlsx(rows, title=None), kind="inspections").issues] == ["no_year"]
    checked = _check(demo_store, xlsx(rows, title=None), year=2026, kind="inspections")
    assert not checked.issues and checked.records[0].values["ref"].endswith("2026-03-05")


# -- the command line -------------------------------------------------------------------------
def _write(tmp_path, city, found) -> str:
    path = tmp_path / "问题台账.xlsx"
    rows = [HEADER, _row(city, 1, "Y001", "无年份", found=found), _footer("合计", "", "1 处")]
    path.write_bytes(xlsx(rows))
    return str(path)


def test_cli_year_reads_dates_without_one(app_env, city, tmp_path, capsys):
    path = _write(tmp_path, city, "1月1日")  # in any year up to today
    assert main(["import", path, "--kind", "problems", "--dry-run"]) == 1
    printed = capsys.readouterr().out
    assert "没有年份" in printed and "--year" in printed and "跳过合计、签字等非数据行 1 行（第 4 行）" in printed
    year = clock.today().year
    assert main(["import", path, "--kind", "problems", "--dry-run", "--year", str(year)]) == 0
    printed = capsys.readouterr().out
    assert "可导入 1 行" in printed and "有问题 0 行" in printed


@pytest.mark.parametrize("year", ["26", "二〇二六", "1900", "2026.0"])
def test_cli_a_bad_year_is_a_usage_error(app_env, city, tmp_path, capsys, year):
    with pytest.raises(SystemExit) as stop:
        main(["import", _write(tmp_path, city, "1月1日"), "--kind", "problems", "--year", year])
    assert stop.value.code == 2
    assert "--year" in capsys.readouterr().err


def test_cli_rejects_into_a_missing_folder_fails_before_writing(scratch_db_url, monkeypatch, city, tmp_path, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    store = Store(make_engine(scratch_db_url))
    before = store.data_version(), len(store.problems())
    folder = tmp_path / "ledgers"
    folder.mkdir()
    path = _write(folder, city, "2024-02-30")  # a bad row, so a rejects file would be written
    missing = folder / "nonexistent" / "dir" / "x.csv"
    assert main(["import", path, "--kind", "problems", "--rejects", str(missing)]) == 2
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(missing.parent) in lines[0] and "does not exist" in lines[0]
    assert out == "" and "Traceback" not in err
    assert not missing.parent.exists() and [p.name for p in folder.iterdir()] == ["问题台账.xlsx"]
    after = Store(make_engine(scratch_db_url))
    assert (after.data_version(), len(after.problems())) == before


def test_the_preview_shows_a_cell_the_ledger_left_blank_as_blank(demo_store, city):
    """An update shows only what the ledger sets: the rest is blank, not "None"."""
    known = demo_store.problems()["id"].iloc[0]
    checked = ledger.check_file(xlsx([HEADER, _row(city, 1, known, "占道经营")]), "问题台账.xlsx", "problems",
                                demo_store, VOCAB)
    assert checked.actions.get(known) == "update", checked.actions
    preview = ledger.preview_frame(checked, VOCAB, {}, "zh")
    text = preview.select_dtypes(exclude="number")
    assert not text.isna().any().any(), text  # st.dataframe would write them "None"
    assert (text == "").any().any(), text


# -- the page ---------------------------------------------------------------------------------
def test_the_page_takes_the_year_and_says_what_it_skipped(app_env, city, tmp_path):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/ledger.py")
    at.run()
    at.selectbox(key="ledger_kind").set_value("problems").run()
    year = at.number_input(key="ledger_year")
    assert (year.label, year.value) == ("无年份日期的年份", None)  # empty until set, not a year 0
    data = Path(_write(tmp_path, city, "1月1日")).read_bytes()
    at.file_uploader(key="ledger_file").set_value(("问题台账.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["读取行数"], metrics["有问题"]) == ("1", "1")
    assert "没有年份" in at.dataframe[0].value["原因"].iloc[0]
    assert any("跳过合计、签字等非数据行 1 行（第 4 行）" in c.value for c in at.caption)
    at.number_input(key="ledger_year").set_value(clock.today().year).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["可导入"], metrics["有问题"]) == ("1", "0")
    at.selectbox(key="ledger_kind").set_value("points").run()  # no dates in a points ledger
    assert not at.number_input
