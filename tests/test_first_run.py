"""The first start on a fresh machine: the demo city is made with its steps on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civmap.config import load_settings
from civmap.demo.seed import SEED_STEPS, needs_first_run, open_first_run, seed_demo
from civmap.storage import open_store
from civmap.storage.writes import is_empty

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A data folder with no store yet and no database URL: the README's first command."""
    import streamlit as st

    monkeypatch.delenv("CIVMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("CIVMAP_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


def test_seeding_reports_each_step_in_order(fresh):
    settings = load_settings()
    assert settings.is_default_store and needs_first_run(settings)
    heard: list[str] = []
    store = open_store(settings)
    seed_demo(store.engine, 7, scale=0.05, only_if_empty=True, progress=heard.append)
    assert heard == list(SEED_STEPS)
    assert not is_empty(store.engine) and not needs_first_run(settings)
    again: list[str] = []
    open_first_run(settings, progress=again.append)
    assert again == []  # a seeded store is only opened


def test_an_office_store_is_never_a_first_run(fresh, monkeypatch):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", f"sqlite:///{fresh / 'office.sqlite'}")
    assert not needs_first_run(load_settings())


def test_the_first_page_shows_the_steps_then_draws(fresh):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    status = at.main[0]  # first on the page, above everything it waited for
    assert type(status).__name__ == "Status" and status.label == "演示城市已生成，可以使用"
    assert status.proto.state == status.proto.State.COMPLETE and not status.proto.expanded
    bars = [c for c in status.children.values() if type(c).__name__ == "Progress"]
    assert len(bars) == 1 and bars[0].value == 100 and "演示城市已就绪" in bars[0].proto.text
    assert (fresh / "civmap.sqlite").exists() and not needs_first_run(load_settings())
    assert len(at.metric) >= 4, "the overview drew in the same run"
    at.run()  # the next run opens the store at once, with no status box
    assert not at.exception and type(at.main[0]).__name__ != "Status"
