"""The wall page in Streamlit's AppTest: figures from the store, URL options, stale data, no phones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from civmap.figures import headline
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def _wall(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page("pages/wall.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _html(at: AppTest) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


def _figures(at: AppTest) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)" data-value="([^"]*)"', _html(at)))


def test_the_wall_shows_the_city_figures_of_the_store(app_env, demo_store):
    at = _wall()
    vocab = load_vocabulary()
    expected = headline(demo_store.points(), demo_store.circles(), demo_store.alleys(), demo_store.problems(),
                        vocab, demo_store.as_of())
    figures = _figures(at)
    assert int(figures["points"]) == expected.points
    assert int(figures["open"]) == expected.open
    assert int(figures["overdue"]) == expected.overdue
    assert float(figures["closing_rate"]) == pytest.approx(expected.closing_rate, abs=1e-6)
    html = _html(at)
    assert "创城指挥大屏" in html and "全市" in html and "区县红黑榜" in html
    assert not at.sidebar.multiselect, "the wall has no filter widgets"


def test_circles_up_to_standard_follow_the_configured_rule(app_env, demo_store):
    from civmap.circles.state import CircleRule
    from civmap.circles.membership import load_circle_data, summarise
    from civmap.config import load_settings

    cfg = load_settings()
    data = load_circle_data(demo_store, load_vocabulary(), cfg.circle_radius_m, cfg.centre_kinds, cfg.tie_distance_m)
    states = summarise(data, CircleRule.parse(cfg.circle_rule))
    at = _wall()
    html = _html(at)
    assert int(_figures(at)["circles"]) == int((states["state"] == "met").sum())
    assert f"<small>/{len(states)}</small>" in html and "达标点位圈" in html


def test_a_district_in_the_url_shows_that_district(app_env, demo_store):
    at = _wall({"district": "D02"})
    assert int(_figures(at)["points"]) == len(demo_store.scoped(["D02"]).points())
    assert 'data-view="秀山区"' in _html(at)



def test_the_english_wall_calls_districts_by_their_english_names(app_env, demo_store):
    at = _wall({"district": "D02", "lang": "en"})
    page = _html(at)
    assert 'data-view="Xiushan"' in page
    for name in demo_store.district_names("en").values():
        assert name in page  # every district is on the red and black lists
    assert "秀山区" not in page

def test_a_bad_url_parameter_is_named_and_the_city_shown(app_env, demo_store):
    at = _wall({"district": "D99"})
    assert len(at.warning) == 1 and "`district`" in at.warning[0].value and "`D99`" in at.warning[0].value
    assert int(_figures(at)["points"]) == len(demo_store.points())


def test_a_failed_refresh_keeps_the_last_good_figures_marked_stale(app_env, monkeypatch):
    at = _wall()
    before = _figures(at)
    assert 'data-wall-stale="1"' not in _html(at)

    def unreachable(self, *args):
        raise OperationalError("SELECT value FROM meta", {}, Exception("database is locked"))

    # The wall's own reads fail (the sign-in's read of the data version still answers: a
    # store that cannot even say that shows the store-fault page, tested with the store).
    monkeypatch.setattr(Store, "as_of", unreachable)
    monkeypatch.setattr(Store, "district_names", unreachable)
    at.run()
    assert not at.exception, at.exception
    assert 'data-wall-stale="1"' in _html(at)
    assert _figures(at) == before

    monkeypatch.undo()
    at.run()
    assert 'data-wall-stale="1"' not in _html(at)


def test_with_no_good_data_yet_the_wall_says_so(app_env, monkeypatch):
    def unreachable(self, *args):
        raise OperationalError("SELECT 1", {}, Exception("unable to open database file"))

    monkeypatch.setattr(Store, "as_of", unreachable)
    monkeypatch.setattr(Store, "district_names", unreachable)
    at = _wall()
    assert "数据暂时无法读取" in _html(at)


def test_no_phone_number_reaches_the_page(app_env, demo_store):
    at = _wall()
    phones = {str(p) for frame in (demo_store.points(), demo_store.circles(), demo_store.alleys())
              for p in frame["chief_phone"].dropna()}
    shown = _html(at) + "".join(str(e.proto) for e in at.main if type(e).__name__ == "UnknownElement")
    assert "leaflet" in shown, "the map frame was not inspected"
    assert not set(re.findall(r"\d{11}", shown)) & phones


def test_the_clock_ticks_in_the_browser_and_nothing_reruns_every_second(app_env, monkeypatch):
    """An open wall costs the server nothing between data refreshes: no fragment reruns
    more often than the data refresh, and the clock carries its own script in the city's zone."""
    import streamlit as st

    every: list[object] = []
    real = st.fragment

    def recording(func=None, *, run_every=None):
        every.append(run_every)
        return real(func, run_every=run_every) if func is not None else real(run_every=run_every)

    monkeypatch.setattr(st, "fragment", recording)
    at = _wall()
    assert every, "the board is a fragment refreshed on its own"
    assert all(run is not None and float(run) >= 10 for run in every), every
    clocks = [element.proto for element in at.get("html") if "data-clock=" in element.proto.body]
    assert len(clocks) == 1
    assert "<script>" in clocks[0].body and '"Asia/Shanghai"' in clocks[0].body
    assert clocks[0].unsafe_allow_javascript
