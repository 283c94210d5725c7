"""The Planning page, the CLI and the task list on an office's store loaded from its files,
stage by stage (``data/samples/office``), not only on the demo city."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from conftest import office_account, signed_in

from civmap.config import load_settings
from civmap.storage import init_store, make_engine
from civmap.ledger.office_samples import OFFICE_FILES
from civmap.planning.inputs import load_planning
from civmap.planning.tasks import task_rows, task_workbook
from civmap.planning.whatif import what_if
from civmap.setup.stages import STAGES
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "office"


def _civmap(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CIVMAP_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "civmap", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def _page(url: str, monkeypatch, tmp_path, lang: str) -> AppTest:
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", url)
    monkeypatch.setenv("CIVMAP_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)  # the setup link needs the frame
    at.query_params["lang"] = lang
    at.switch_page("pages/planning.py")
    signed_in(at, office_account(url)).run()
    assert not at.exception, at.exception
    return at


def test_the_planner_on_an_office_store_stage_by_stage(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    assert init_store(load_settings({"CIVMAP_DATABASE_URL": url}))
    for number, (_, kind) in enumerate(STAGES, start=1):
        done = _civmap(url, "import", str(SAMPLES / OFFICE_FILES[kind]), "--kind", kind)
        assert done.returncode == 0, (kind, done.stderr)
        at = _page(url, monkeypatch, tmp_path, "zh" if number % 2 else "en")
        ranked = [d for d in at.dataframe if d.key == "planning_table"]
        if kind in ("boundaries", "units", "points", "circles", "alleys"):
            assert not ranked and at.info  # nothing to rank before inspections: it says what is missing
        else:
            assert ranked and len(ranked[0].value) > 0

    listed = _civmap(url, "priorities", "--kind", "point", "--format", "json", "--top", "5")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 5 and rows[0]["score"] >= rows[-1]["score"]

    store = Store(make_engine(url))
    vocab = load_vocabulary()
    data = load_planning(store, vocab, load_settings({"CIVMAP_DATABASE_URL": url}))
    items = [("circle", key) for key in data.circles["id"]]
    effect = what_if(items, data, vocab, dt.datetime.combine(data.as_of, dt.time(10)))
    assert effect.closes_open == len(effect.problems)
    rows = task_rows(effect.places, effect.problems, data, vocab, data.as_of + dt.timedelta(days=60))
    book = load_workbook(io.BytesIO(task_workbook(rows, vocab, store.district_names(), "zh", "办公室计划",
                                                  data.as_of))).active
    assert book.max_row == 2 + len(rows) and len(rows) > 0
