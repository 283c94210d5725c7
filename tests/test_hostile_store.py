"""Concurrent writers and store faults.

Imports run as real processes (``python -m civmap import``) on a scratch copy of the demo
store. To make two of them meet at the store for sure, the test holds the write lock
while both check their file, and lets go once both have printed their summary: without
the lock taken at the start of the write transaction, both would then plan from the same
old rows. Store faults: the command line and a page on a missing, empty, cut-short or
garbage store, and a running app whose store file disappears and comes back.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from civmap import ledger
from civmap.storage import schema as s
from civmap.demo.seed import open_first_run
from civmap.storage import make_engine, open_store
from civmap.config import load_settings
from civmap.filters import Filters
from civmap.storage.health import StoreError, StoreLocked
from civmap.ledger.export import export_workbook
from civmap.storage.store import Store
from civmap.testing import free_port
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
VOCAB = load_vocabulary()
#: Problems per ledger: enough for a real batch, few enough to check quickly.
ROWS = 120


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def problem_sheet(demo_store) -> pd.DataFrame:
    """The exported problem ledger of one district, as an office would get it back."""
    data = export_workbook(demo_store, Filters(districts=("D02",)), VOCAB, demo_store.as_of())
    return pd.read_excel(io.BytesIO(data), sheet_name="问题台账", engine="openpyxl")


def _open_ids(sheet: pd.DataFrame) -> list[str]:
    """Problems whose status is neither of the two the ledgers below set."""
    other = {VOCAB.statuses.at[code, "zh"] for code in ("fixing", "reported")}
    return sorted(sheet.loc[~sheet["状态"].isin(other), "问题编号"])[:ROWS]


def _status_ledger(sheet: pd.DataFrame, ids: list[str], status: str, path: Path) -> Path:
    """The rows of ``ids`` with their 状态 set to ``status`` (a vocabulary code)."""
    rows = sheet[sheet["问题编号"].isin(ids)].copy()
    rows["状态"] = VOCAB.statuses.at[status, "zh"]
    rows.to_excel(path, index=False)
    return path


def _env(url: str, **extra) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CIVMAP_DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
            "HOME": os.environ.get("HOME", "/tmp"), **extra}


@contextmanager
def write_lock(url: str):
    """Hold the store's write lock, as another import would, until the block ends."""
    conn = sqlite3.connect(_path(url), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


class Import:
    """``python -m civmap import FILE`` running in its own process; ``checked`` is set once it
    has printed its summary (it has read and checked the file and goes on to commit)."""

    def __init__(self, file: Path, url: str, **env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "civmap", "import", str(file), "--kind", "problems", "--lang", "en"],
            cwd=ROOT, env=_env(url, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.checked = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if " rows: " in line:
                self.checked.set()
        self.checked.set()

    def finish(self) -> tuple[int, str, str]:
        stderr = self.process.stderr.read()
        code = self.process.wait(timeout=600)
        self.reader.join(timeout=60)
        return code, "".join(self.lines), stderr


def _imports_meeting_at_the_lock(url: str, files: list[Path]) -> list[tuple[int, str, str]]:
    with write_lock(url):
        running = [Import(file, url, CIVMAP_LOCK_TIMEOUT_S="600") for file in files]
        for one in running:
            assert one.checked.wait(timeout=600)
    return [one.finish() for one in running]


def _histories(url: str, ids: list[str]) -> tuple[dict[str, list[tuple]], dict[str, str]]:
    """Each problem's events (from, to, actor) oldest first, and its current status."""
    engine = make_engine(url)
    e, q = s.problem_events, s.problems
    with engine.connect() as conn:
        events = conn.execute(select(e.c.problem_id, e.c.from_status, e.c.to_status, e.c.actor)
                              .where(e.c.problem_id.in_(ids)).order_by(e.c.problem_id, e.c.at, e.c.id)).all()
        statuses = dict(conn.execute(select(q.c.id, q.c.status).where(q.c.id.in_(ids))).all())
    engine.dispose()
    out: dict[str, list[tuple]] = {}
    for problem, start, end, actor in events:
        out.setdefault(problem, []).append((start, end, actor))
    return out, statuses


def _assert_unbroken(histories: dict[str, list[tuple]], statuses: dict[str, str]) -> None:
    for problem, chain in histories.items():
        for before, after in zip(chain, chain[1:]):
            assert after[0] == before[1], f"{problem}: an event starts from {after[0]}, the last ended at {before[1]}"
        assert chain[-1][1] == statuses[problem], problem


def _import_serially(demo_db_path: Path, tmp_path: Path, files: list[Path]) -> str:
    url = f"sqlite:///{shutil.copy(demo_db_path, tmp_path / 'serial.sqlite')}"
    store = Store(make_engine(url))
    for file in files:
        checked = ledger.check_file(file.read_bytes(), file.name, "problems", store, VOCAB)
        assert not checked.issues
        ledger.commit_ledger(store, checked, VOCAB)
    store.engine.dispose()
    return url


def test_two_status_ledgers_at_once_give_the_store_one_after_the_other_would(
        problem_sheet, scratch_db_url, demo_db_path, tmp_path):
    ids = _open_ids(problem_sheet)
    assert len(ids) == ROWS
    reported = _status_ledger(problem_sheet, ids, "reported", tmp_path / "reported.xlsx")
    fixing = _status_ledger(problem_sheet, ids, "fixing", tmp_path / "fixing.xlsx")
    results = _imports_meeting_at_the_lock(scratch_db_url, [reported, fixing])
    for code, out, err in results:
        assert code == 0, err
        assert f"{ROWS} changed" in out and "Traceback" not in err
    together, statuses = _histories(scratch_db_url, ids)
    _assert_unbroken(together, statuses)
    # Whichever import got the lock first, the other came second: each problem's last two
    # events are the two ledgers' changes, in one and the same order for every problem.
    last_two = {tuple(event[2] for event in chain[-2:]) for chain in together.values()}
    assert len(last_two) == 1
    order = [reported if name.endswith(reported.name) else fixing for name in next(iter(last_two))]
    serial, serial_statuses = _histories(_import_serially(demo_db_path, tmp_path, order), ids)
    assert together == serial and statuses == serial_statuses
    assert set(statuses.values()) == {"fixing" if order[-1] is fixing else "reported"}


def test_the_same_new_rows_imported_twice_at_once_are_stored_once(problem_sheet, scratch_db_url, tmp_path):
    rows = problem_sheet[problem_sheet["问题编号"].isin(_open_ids(problem_sheet))].copy()
    rows["问题编号"] = "NEW-" + rows["问题编号"]
    file = tmp_path / "new.xlsx"
    rows.to_excel(file, index=False)
    results = _imports_meeting_at_the_lock(scratch_db_url, [file, file])
    outputs = []
    for code, out, err in results:
        assert code == 0, err
        assert "UNIQUE" not in err and "Traceback" not in err
        outputs.append(out)
    # Both planned to add every row; the one that waited found them there and changed nothing.
    assert sorted(f"Imported: {ROWS} new" in out for out in outputs) == [False, True]
    assert any(f"Imported: 0 new, 0 changed, {ROWS} unchanged" in out for out in outputs)
    ids = list(rows["问题编号"])
    histories, statuses = _histories(scratch_db_url, ids)
    assert len(statuses) == ROWS
    _assert_unbroken(histories, statuses)
    assert all(chain[0][0] is None and sum(e[0] is None for e in chain) == 1 for chain in histories.values())


def test_an_import_that_cannot_get_the_lock_says_so_and_changes_nothing(problem_sheet, scratch_db_url, tmp_path):
    ids = _open_ids(problem_sheet)
    file = _status_ledger(problem_sheet, ids, "fixing", tmp_path / "fixing.xlsx")
    store = Store(make_engine(scratch_db_url))
    version, before = store.data_version(), _histories(scratch_db_url, ids)
    with write_lock(scratch_db_url):
        result = subprocess.run([sys.executable, "-m", "civmap", "import", str(file), "--kind", "problems"],
                                cwd=ROOT, env=_env(scratch_db_url, CIVMAP_LOCK_TIMEOUT_S="0.2"),
                                capture_output=True, text=True, timeout=600)
        with pytest.raises(StoreLocked):
            Store(make_engine(scratch_db_url, lock_timeout_s=0.05)).set_status(ids[0], "closed", actor="测试")
    assert result.returncode == 2
    assert "write lock" in result.stderr and "Nothing was changed" in result.stderr
    assert "0.2 s" in result.stderr and "Traceback" not in result.stderr
    assert store.data_version() == version and _histories(scratch_db_url, ids) == before


def test_lock_timeout_setting_is_read_and_checked():
    assert load_settings({}).lock_timeout_s == 30
    assert load_settings({"CIVMAP_LOCK_TIMEOUT_S": "2.5"}).lock_timeout_s == 2.5
    for bad in ("soon", "-1", "nan"):
        with pytest.raises(ValueError, match="CIVMAP_LOCK_TIMEOUT_S"):
            load_settings({"CIVMAP_LOCK_TIMEOUT_S": bad})


# -- store faults -------------------------------------------------------------------------
def _broken_stores(demo_db_path: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """A store file of each broken kind, and the words its message must hold."""
    empty = folder / "empty.sqlite"
    empty.write_bytes(b"")
    garbage = folder / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database\n" * 4000)
    cut = folder / "cut.sqlite"
    cut.write_bytes(demo_db_path.read_bytes()[: demo_db_path.stat().st_size // 2])
    other = folder / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    return {"missing": (folder / "gone" / "civmap.sqlite", "does not exist"),
            "empty": (empty, "empty file"), "garbage": (garbage, "damaged"), "cut": (cut, "damaged"),
            "other": (other, "not a civmap store")}


@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "cut", "other"])
def test_cli_refuses_a_missing_empty_or_broken_store(kind, demo_db_path, tmp_path):
    path, words = _broken_stores(demo_db_path, tmp_path)[kind]
    size = path.stat().st_size if path.exists() else None
    result = subprocess.run([sys.executable, "-m", "civmap", "stats"], cwd=ROOT, capture_output=True, text=True,
                            env=_env(f"sqlite:///{path}"), timeout=600)
    assert result.returncode == 2 and result.stdout == ""
    assert words in result.stderr and str(path) in result.stderr and "Traceback" not in result.stderr
    assert (path.stat().st_size if path.exists() else None) == size, "the store is left as it was"
    if kind == "missing":
        assert not path.parent.exists(), "not even the store's folder is created"


def test_the_embedded_demo_store_alone_is_created_on_first_run(tmp_path):
    settings = load_settings({"CIVMAP_DATA_DIR": str(tmp_path / "var"), "CIVMAP_DEMO_SEED": "3"})
    assert settings.is_default_store
    assert not open_first_run(settings).points().empty
    office = load_settings({"CIVMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'office.sqlite'}"})
    with pytest.raises(StoreError) as refused:
        open_store(office)
    assert refused.value.code == "missing" and "不存在" in refused.value.message("zh")
    assert not (tmp_path / "var" / "office.sqlite").exists()


def test_a_running_store_notices_its_file_gone_replaced_or_cut(scratch_db_url, tmp_path):
    path = _path(scratch_db_url)
    store = open_store(load_settings({"CIVMAP_DATABASE_URL": scratch_db_url}))
    version = store.data_version()
    backup = path.rename(tmp_path / "away.sqlite")
    with pytest.raises(StoreError) as gone:
        store.data_version()
    assert gone.value.code == "missing"
    shutil.copy(backup, path)
    with pytest.raises(StoreError) as replaced:
        store.data_version()
    assert replaced.value.code == "replaced"
    store.engine.dispose()
    store = open_store(load_settings({"CIVMAP_DATABASE_URL": scratch_db_url}))
    assert store.data_version() == version
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    with pytest.raises(StoreError) as cut:
        store.data_version()
    assert cut.value.code == "truncated"
    with pytest.raises(StoreError) as reopened:
        open_store(load_settings({"CIVMAP_DATABASE_URL": scratch_db_url}))
    assert reopened.value.code == "unreadable"


def test_the_overview_shows_a_store_fault_and_recovers_when_the_file_is_back(scratch_db_url, monkeypatch,
                                                                          tmp_path):
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    path = _path(scratch_db_url)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception and not at.error and len(at.metric) > 0
    points = at.metric[0].value
    backup = path.rename(tmp_path / "away.sqlite")
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "数据存储不可用" in at.error[0].value and "不存在" in at.error[0].value
    assert len(at.metric) == 0, "no stale figures beside the error"
    assert not path.exists(), "the app does not create a store where the office's was"
    shutil.copy(backup, path)
    at.run()
    assert not at.exception and not at.error
    assert at.metric[0].value == points
    path.write_bytes(b"garbage" * 10_000)
    at.run()
    assert not at.exception and len(at.error) == 1 and "损坏" in at.error[0].value
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_import_page_says_when_the_store_is_locked_and_writes_nothing(problem_sheet, scratch_db_url,
                                                                         monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    monkeypatch.setenv("CIVMAP_LOCK_TIMEOUT_S", "0.1")
    st.cache_resource.clear()
    st.cache_data.clear()
    file = _status_ledger(problem_sheet, _open_ids(problem_sheet), "fixing", tmp_path / "fixing.xlsx")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/ledger.py")
    at.run()
    at.selectbox(key="ledger_kind").set_value("problems")
    at.file_uploader(key="ledger_file").set_value((file.name, file.read_bytes(), "application/octet-stream"))
    at.run()
    version = Store(make_engine(scratch_db_url)).data_version()
    with write_lock(scratch_db_url):
        at.button(key="ledger_commit").click().run()
    assert not at.exception, at.exception
    assert any("写锁" in e.value and "未做任何更改" in e.value for e in at.error)
    assert not at.success
    assert Store(make_engine(scratch_db_url)).data_version() == version
    st.cache_resource.clear()
    st.cache_data.clear()


def test_a_damaged_embedded_store_is_named_not_a_traceback(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "civmap.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    with pytest.raises(StoreError) as caught:
        open_store(load_settings({"CIVMAP_DATA_DIR": str(data)}))
    assert caught.value.code == "unreadable"


def test_a_database_server_that_cannot_be_reached_is_named_as_a_server_not_a_file(monkeypatch):
    """On PostgreSQL there is no file to restore: the message says to check the server and
    the URL, on the command line's open and on a page, in either language."""
    import streamlit as st

    url = f"postgresql+psycopg://civmap:secret@127.0.0.1:{free_port()}/civmap"  # nothing listens there
    with pytest.raises(StoreError) as caught:
        open_store(load_settings({"CIVMAP_DATABASE_URL": url}))
    assert caught.value.code == "server_unreachable"
    english = caught.value.message("en")
    assert "database server" in english and "CIVMAP_DATABASE_URL" in english
    assert "restore" not in english.lower() and "secret" not in english  # the password is not shown
    monkeypatch.setenv("CIVMAP_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception
    shown = at.error[0].value if len(at.error) == 1 else ""
    assert "无法连接数据库服务器" in shown and "数据库服务是否在运行" in shown and "CIVMAP" in shown
    assert "备份" not in shown and "该文件" not in shown and "secret" not in shown
    st.cache_resource.clear()
    st.cache_data.clear()
