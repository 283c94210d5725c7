"""Hostile URL parameters: every page names each value it cannot use, ignores it, and keeps the rest.

Pages run in Streamlit's AppTest with the bad value next to a good one; each test checks
that no exception reached the page, that one warning quotes the parameter and the value,
and that the good parameter still shapes the view.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from civmap.filters import Filters, ParamProblem
from civmap.vocab import load_vocabulary
from tests.conftest import run_page

TIMEOUT = 120
FILTER_PAGES = ("overview", "circles", "progress", "ledger")
UNRESOLVED = load_vocabulary().unresolved_statuses


@pytest.fixture(scope="module")
def env(demo_app_env):
    """The demo store for the whole module: every test only reads it."""


def _run(page: str, params: dict[str, str]) -> AppTest:
    return run_page(page, params, TIMEOUT)


def _url_warning(at: AppTest) -> str:
    """The one warning about URL parameters (pages may warn about other things too)."""
    found = [w.value for w in at.warning if "网址参数" in w.value or "URL parameter" in w.value]
    assert len(found) == 1, [w.value for w in at.warning]
    return found[0]


def _names(text: str, param: str, value: str) -> bool:
    return f"`{param}`" in text and f"`{value}`" in text


# -- the filter pages ----------------------------------------------------------------------
BAD_FILTER_PARAMS = [
    # (bad parameters, the parameter and value the warning must quote)
    ({"found_from": "junk"}, "found_from", "junk"),
    ({"found_from": "2026-13-01"}, "found_from", "2026-13-01"),
    ({"found_until": "2026-02-30"}, "found_until", "2026-02-30"),
    ({"found_from": "2026-11-01", "found_until": "2026-10-01"}, "found_until", "2026-10-01"),
    ({"status": "foo"}, "status", "foo"),
    ({"point_category": "xx"}, "point_category", "xx"),
    ({"problem_category": "nope"}, "problem_category", "nope"),
    ({"lang": "xx"}, "lang", "xx"),
]


@pytest.mark.parametrize("page", FILTER_PAGES)
@pytest.mark.parametrize("bad, param, value", BAD_FILTER_PARAMS, ids=lambda v: v if isinstance(v, str) else None)
def test_a_bad_filter_parameter_is_named_and_the_district_still_applies(env, page, bad, param, value):
    at = _run(page, {"district": "D02", **bad})
    assert _names(_url_warning(at), param, value)
    districts, statuses = at.multiselect(key="f_districts"), at.multiselect(key="f_statuses")
    assert districts.value == ["D02"]
    assert statuses.value == UNRESOLVED  # the default, whatever the URL got wrong
    assert at.title[0].value in ("创城GIS指挥图", "重点点位圈", "整改进度", "台账导入导出")  # Chinese: the default


@pytest.mark.parametrize("page", FILTER_PAGES)
def test_an_unknown_district_is_named_and_the_known_one_and_the_status_still_apply(env, page):
    at = _run(page, {"district": "NOPE,D03", "status": "fixing"})
    assert _names(_url_warning(at), "district", "NOPE")
    assert at.multiselect(key="f_districts").value == ["D03"]
    assert at.multiselect(key="f_statuses").value == ["fixing"]


def test_an_unknown_code_among_good_ones_leaves_the_good_ones(env):
    at = _run("overview", {"status": "fixing,foo,found"})
    assert _names(_url_warning(at), "status", "foo")
    assert at.multiselect(key="f_statuses").value == ["fixing", "found"]
    assert "整改中" in at.caption[0].value


def test_every_bad_value_is_named_in_one_warning_in_english(env):
    at = _run("overview", {"lang": "en", "district": "D02,NOPE", "status": "foo", "found_from": "junk"})
    text = _url_warning(at)
    assert text.count("URL parameter") == 3 and "网址参数" not in text
    assert _names(text, "district", "NOPE") and _names(text, "status", "foo") and _names(text, "found_from", "junk")
    assert at.title[0].value == "Civilized-city GIS dashboard"
    assert "Xiushan" in at.caption[0].value  # the good district is applied (and named in English)


def test_a_value_is_shown_as_text_not_read_as_markdown(env):
    payload = "[x](javascript:alert(1))`![i](http://example.invalid/p.png)"
    at = _run("overview", {"status": payload})
    text = _url_warning(at)
    # Inside a code span longer than any backtick run in it, Markdown shows the value as typed.
    assert f"``{payload}``" in text


def test_a_huge_value_is_cut_short_in_the_message(env):
    at = _run("overview", {"district": "X" * 100_000})
    text = _url_warning(at)
    assert "`district`" in text and len(text) < 300 and "X" * 60 + "…" in text


def test_good_parameters_give_no_warning(env):
    at = _run("overview", {"district": "D02", "status": "fixing", "found_from": "2026-01-01",
                           "found_until": "2026-12-31", "lang": "zh"})
    assert not [w for w in at.warning if "网址参数" in w.value]
    assert at.multiselect(key="f_districts").value == ["D02"] and at.multiselect(key="f_statuses").value == ["fixing"]


# -- page-specific parameters --------------------------------------------------------------
@pytest.mark.parametrize("bad, param, value", [({"unit": "NOPE"}, "unit", "NOPE"),
                                               ({"source": "pigeon"}, "source", "pigeon")])
def test_the_progress_page_names_a_bad_unit_or_source(env, bad, param, value):
    at = _run("progress", {"district": "D02", "source": "street_patrol", **bad} if param == "unit"
              else {"district": "D02", **bad})
    assert _names(_url_warning(at), param, value)
    assert at.multiselect(key="f_districts").value == ["D02"]
    sources = at.sidebar.multiselect(key="p_sources").value
    assert sources == (["street_patrol"] if param == "unit" else [])


def test_the_circles_page_names_a_circle_that_does_not_exist(env):
    at = _run("circles", {"district": "D02", "circle": "NOPE"})
    assert _names(_url_warning(at), "circle", "NOPE")
    assert at.selectbox(key="circles_pick").value is not None


# -- the wall ------------------------------------------------------------------------------
def _wall_html(at: AppTest) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


@pytest.mark.parametrize("param, value", [
    ("refresh", "inf"), ("refresh", "-inf"), ("refresh", "nan"), ("refresh", "0"), ("refresh", "abc"),
    ("refresh", "1e999"), ("refresh", "-30"), ("refresh", "99999999"), ("every", "-inf"), ("every", "nan"),
    ("carousel", "maybe"), ("lang", "xx"),
])
def test_the_wall_names_a_bad_option_and_shows_the_district_asked_for(env, param, value):
    at = _run("wall", {"district": "D02", param: value})
    assert _names(_url_warning(at), param, value)
    html = _wall_html(at)
    assert 'data-view="秀山区"' in html and "data-figure" in html


def test_the_wall_names_an_unknown_district_and_shows_the_city_in_the_language_asked_for(env):
    at = _run("wall", {"district": "NOPE", "lang": "en"})
    assert _names(_url_warning(at), "district", "NOPE") and "URL parameter" in _url_warning(at)
    html = _wall_html(at)
    assert 'data-view="Whole city"' in html


# -- the parser itself ---------------------------------------------------------------------
KNOWN = {"districts": ["D01", "D02"], "statuses": ["found", "fixing"]}


def test_parsing_keeps_good_values_and_names_each_bad_one():
    params = {"district": ["D02", "NOPE"], "status": "fixing,foo,foo", "found_from": "2026-13-01",
              "found_until": "2026-03-01", "point_category": "anything"}
    filters, problems = Filters.from_query_params(params, KNOWN)
    assert filters == Filters(districts=("D02",), statuses=("fixing",), point_categories=("anything",),
                              found_until=dt.date(2026, 3, 1))
    assert problems == (ParamProblem("district", "NOPE", "unknown_code"), ParamProblem("status", "foo", "unknown_code"),
                        ParamProblem("found_from", "2026-13-01", "not_a_date"))


def test_an_end_before_the_start_drops_the_end():
    filters, problems = Filters.from_query_params({"found_from": "2026-11-01", "found_until": "2026-10-01"})
    assert filters == Filters(found_from=dt.date(2026, 11, 1))
    assert problems == (ParamProblem("found_until", "2026-10-01", "end_before_start", "2026-11-01"),)
    assert "2026-11-01" in problems[0].message("en") and "2026-10-01" in problems[0].message("zh")


@pytest.mark.parametrize("value", ["junk", "", "2026-1-1x", "9999-99-99", "\x00", "2026-02-29"])
def test_a_bad_date_never_raises(value):
    filters, problems = Filters.from_query_params({"found_from": value})
    assert filters.found_from is None
    assert [p.param for p in problems] == (["found_from"] if value else [])


def test_messages_quote_what_they_are_given_and_cut_long_values():
    problem = ParamProblem("status", "a\nb" + "y" * 200, "unknown_code")
    assert problem.shown_value == "a b" + "y" * 57 + "…"
    quoted = problem.message("en", quote=lambda s: f"<{s}>")
    assert quoted.startswith("URL parameter <status>: <a b") and "\n" not in quoted
    assert "status" in problem.message("zh") and "无法识别" in problem.message("zh")
