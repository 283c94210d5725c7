"""The Import page (AppTest): upload, see the checks, commit; export buttons; and the same
result as the command line on the same file."""

import csv
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civmap.cli import main
from civmap.storage import make_engine
from civmap.storage.store import Store
from test_ledger_import import make_city, problem_ledger

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


@pytest.fixture(scope="module")
def city(demo_store):
    return make_city(demo_store)


@pytest.fixture
def scratch_app(app_env, scratch_db_url, monkeypatch):
    """The app on a private copy of the demo city, so the page may write."""
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    return scratch_db_url


def _open() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/ledger.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_upload_check_and_commit(scratch_app, city, tmp_path, capsys):
    data, expected = problem_ledger(city)
    at = _open()
    assert at.title[0].value == "台账导入导出"
    at.selectbox(key="ledger_kind").set_value("problems")
    at.file_uploader(key="ledger_file").set_value(("问题台账.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    metrics = _metrics(at)
    assert (metrics["读取行数"], metrics["可导入"], metrics["有问题"], metrics["新增"]) == ("19", "5", "14", "5")
    issues = at.dataframe[0].value
    assert list(issues.columns) == ["行号", "字段", "填写内容", "原因"]
    assert {(int(r), f) for r, f in zip(issues["行号"], issues["字段"])} == {(r, f) for r, f, _ in expected}
    preview = at.dataframe[1].value
    assert list(preview["问题编号"]) == ["T001", "T002", "T003", "T004", "T005"]

    # the command line says the same about the same file
    path = tmp_path / "问题台账.xlsx"
    path.write_bytes(data)
    rejects = tmp_path / "rejects.csv"
    assert main(["import", str(path), "--kind", "problems", "--dry-run", "--rejects", str(rejects)]) == 1
    printed = capsys.readouterr().out
    assert "可导入 5 行" in printed and "有问题 14 行" in printed
    with rejects.open(encoding="utf-8-sig") as handle:
        cli_rows = {int(row["原行号"]) for row in csv.DictReader(handle)}
    assert cli_rows == {int(r) for r in issues["行号"]}

    at.button(key="ledger_commit").click().run()
    assert not at.exception, at.exception
    assert any("新增 5 行" in s.value for s in at.success)
    assert _metrics(at)["无变化"] == "5"  # checked again against the store: now all there
    store = Store(make_engine(scratch_app))
    assert {"T001", "T005"} <= set(store.problems()["id"])
    # audited as the command line's imports are: who (the demo's signed-in office account), file, counts
    from civmap.audit import trail

    imports = trail(store.engine, actions=("import",))
    assert imports["actor"].tolist() == ["demo-office"] and imports["subject"].tolist() == ["问题台账.xlsx"]
    assert '"inserted": 5' in imports["detail"].iloc[0] and '"kind": "problems"' in imports["detail"].iloc[0]


def test_a_file_that_cannot_be_read_shows_one_error(scratch_app):
    at = _open()
    at.selectbox(key="ledger_kind").set_value("problems")  # the first kind, boundaries, takes no .csv
    at.file_uploader(key="ledger_file").set_value(("空.csv", "甲,乙\n1,2\n".encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert "找不到表头行" in at.error[0].value


def test_export_tab_offers_every_download_in_english(app_env):
    at = _open()
    at.selectbox(key="lang").select("en").run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the Excel ledger (with supervision list)", "Download GeoJSON",
                      "Download problems as Open311 (JSON)", "Download problems as Open311 (XML)",
                      "Download the Open311 service list (JSON)", "Download the Open311 service list (XML)"]
