"""Every page renders with AppTest on the demo city stored in PostgreSQL with PostGIS (seeded
once per session), and the overview shows the same figures as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
TIMEOUT = 180


def _use(monkeypatch_context, url: str) -> None:
    import streamlit as st

    monkeypatch_context.setenv("CIVMAP_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def on_postgresql(pg_demo_url):
    import streamlit as st

    with pytest.MonkeyPatch.context() as patch:
        _use(patch, pg_demo_url)
        yield pg_demo_url
        st.cache_resource.clear()
        st.cache_data.clear()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_postgresql(on_postgresql, page):
    at = run_page(page, {}, TIMEOUT)
    shown = " ".join(str(e.value) for e in at.error)
    assert "Traceback" not in shown and "sqlalchemy" not in shown.lower(), shown
    assert "数据存储" not in shown, shown  # the store was read, not refused


def test_the_overview_shows_the_same_figures_on_both_backends(pg_demo_url, demo_db_url):
    import streamlit as st

    figures = []
    for url in (demo_db_url, pg_demo_url):
        with pytest.MonkeyPatch.context() as patch:
            _use(patch, url)
            at = run_page("overview", {}, TIMEOUT)
            figures.append({m.label: m.value for m in at.metric})
    st.cache_resource.clear()
    st.cache_data.clear()
    assert figures[0] and figures[0] == figures[1]
