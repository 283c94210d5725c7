"""The view in AppTest: kept across pages, written to the URL, and every bad URL value named
on every page (a visible warning, no exception); status=all means every status."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from civmap.filters import ALL, Filters
from civmap.vocab import load_vocabulary
from tests.conftest import run_page

TIMEOUT = 120
#: Every page that reads the shared view (the wall reads its own link; the problem and
#: accounts pages ask for a sign-in first).
VIEW_PAGES = ("overview", "circles", "progress", "planning", "bulletin", "ledger", "setup")
BAD = {"district": "NOPE", "status": "foo", "found_from": "notadate", "period_from": "2026-02-30", "lang": "xx"}


@pytest.fixture(scope="module")
def env(demo_app_env):
    """The demo store for the whole module: every test only reads it."""


def _app(params: dict[str, str], page: str = "overview") -> AppTest:
    return run_page(page, params, TIMEOUT)


def _param(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values (AppTest keeps one value as a string, several as a list)."""
    value = at.query_params.get(key)
    return [value] if isinstance(value, str) else list(value or [])


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_every_bad_url_value_is_named_on_every_page(env, page):
    at = _app(BAD, page)
    warned = "\n".join(w.value for w in at.warning)
    for param, value in BAD.items():
        assert f"`{param}`" in warned and f"`{value}`" in warned, (page, param)
    assert _param(at, "status") != [ALL]  # status=foo is not "every status"


def test_the_view_is_kept_across_pages_and_written_to_the_url(env):
    at = _app({"district": "D02", "lang": "en"})
    at.multiselect(key="f_problem_categories").select("street_vending").run()
    for page in ("circles", "progress", "bulletin", "ledger", "pages/overview.py"):
        at.switch_page(page if page.endswith(".py") else f"pages/{page}.py").run()
        assert not at.exception, page
        assert _param(at, "district") == ["D02"] and _param(at, "lang") == ["en"], page
        assert _param(at, "problem_category") == ["street_vending"], page
        if page != "bulletin":
            assert at.multiselect(key="f_districts").value == ["D02"], page
            assert at.multiselect(key="f_problem_categories").value == ["street_vending"], page
    assert at.title[0].value == "Civilized-city GIS dashboard"


def test_a_filter_a_page_does_not_apply_is_greyed_out_with_a_note_beside_it(env):
    at = _app({"point_category": "farmers_market"}, "circles")
    assert at.multiselect(key="f_point_categories").disabled
    assert not at.multiselect(key="f_districts").disabled
    assert any("本页不按此项筛选" in c.value for c in at.sidebar.caption)


def test_status_all_means_every_status_and_survives_the_round_trip(env, demo_store):
    at = _app({"status": ALL})
    assert at.multiselect(key="f_statuses").value == []
    assert _param(at, "status") == [ALL]
    figures = {m.label: m.value for m in at.metric}
    problems = demo_store.problems()
    assert int(figures["未办结问题"].replace(",", "")) == int(problems["status"].isin(
        load_vocabulary().unresolved_statuses).sum())
    back, problems_found = Filters.from_query_params(Filters().to_query_params(explicit_all=("statuses",)))
    assert back == Filters() and problems_found == ()


def test_the_progress_period_is_kept_in_the_link(env):
    at = _app({"period_from": "2026-09-01", "period_until": "2026-10-31"}, "progress")
    assert _param(at, "period_from") == ["2026-09-01"] and _param(at, "period_until") == ["2026-10-31"]
    assert "2026-09-01" in at.caption[0].value
