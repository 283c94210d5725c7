"""Every page renders on the demo city with Streamlit's AppTest, and the filters drive the figures."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import map_drawn

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _as_int(value: str) -> int:
    return int(value.replace(",", ""))


@pytest.fixture
def overview(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return map_drawn(at)


def test_overview_shows_the_city_in_chinese(overview, demo_store):
    metrics = _metrics(overview)
    assert _as_int(metrics["测评点位"]) == len(demo_store.points())
    assert _as_int(metrics["重点点位圈"]) == 60
    assert metrics["结案率"].endswith("%")
    assert overview.title[0].value == "创城GIS指挥图"
    assert [m.label for m in overview.sidebar.multiselect] == ["区县", "点位类别", "问题类别", "问题状态"]


def test_district_filter_changes_every_figure(overview, demo_store):
    before = _metrics(overview)
    overview.multiselect(key="f_districts").select("D02").run()
    assert not overview.exception
    after = _metrics(overview)
    d02 = demo_store.scoped(["D02"])
    assert _as_int(after["测评点位"]) == len(d02.points())
    assert _as_int(after["重点点位圈"]) == len(d02.circles())
    for label in ("测评点位", "重点点位圈", "未办结问题", "已销号问题"):
        assert _as_int(after[label]) < _as_int(before[label]), label
    assert "秀山区" in overview.caption[0].value


def test_a_filter_change_sends_the_map_before_the_sidebars_filters(overview, monkeypatch):
    """The browser redraws every widget a run sends, in the order they come; the four list
    filters took it a few tenths of a second, which the open map's new layers waited behind.
    So the overview sends its map first and its sidebar filters after, with the filters the
    map was drawn for."""
    import streamlit as st

    from civmap.ui import mapchannel

    sent = []
    component, multiselect = mapchannel._map_component, st.multiselect
    monkeypatch.setattr(mapchannel, "_map_component", lambda **kw: sent.append(("map", kw)) or component(**kw))
    monkeypatch.setattr(st, "multiselect", lambda label, *a, **kw: sent.append((label, kw)) or multiselect(label, *a, **kw))
    overview.multiselect(key="f_districts").select("D02").run()
    assert not overview.exception
    order = [name for name, _ in sent]
    assert order[0] == "map" and order[1:] == ["区县", "点位类别", "问题类别", "问题状态"], order
    assert json.loads(sent[0][1]["layers_text"])["slots"]["layer.problems"]  # the new layers, for D02
    assert "秀山区" in overview.caption[0].value
    assert overview.multiselect(key="f_districts").value == ["D02"]


def test_category_and_status_filters(overview, demo_store):
    overview.multiselect(key="f_point_categories").select("farmers_market").run()
    markets = sum(demo_store.points()["category"] == "farmers_market")
    assert _as_int(_metrics(overview)["测评点位"]) == markets
    open_before = _as_int(_metrics(overview)["未办结问题"])
    overview.multiselect(key="f_problem_categories").select("street_vending").run()
    assert _as_int(_metrics(overview)["未办结问题"]) < open_before
    status = overview.multiselect(key="f_statuses")
    for code in list(status.value):
        if code != "fixing":
            status.unselect(code)
    overview.run()
    assert not overview.exception
    problems = demo_store.problems()
    fixing = problems[(problems["status"] == "fixing") & (problems["category"] == "street_vending")]
    assert _as_int(_metrics(overview)["未办结问题"]) == len(fixing)


def test_english_ui(overview):
    overview.selectbox(key="lang").select("en").run()
    assert not overview.exception
    assert "Assessment points" in _metrics(overview)
    assert overview.title[0].value == "Civilized-city GIS dashboard"
    # Districts go by the English names their boundaries give (pinyin), in the filter and the caption.
    districts = overview.multiselect(key="f_districts")
    assert districts.format_func("D01") == "Jiangcheng"
    districts.select("D01").run()
    assert "Jiangcheng" in overview.caption[0].value


def test_url_parameters_preselect_filters(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.query_params["district"] = "D03"
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_districts").value == ["D03"]


def test_overdue_list_matches_the_overdue_figure(overview):
    table = overview.dataframe[0].value
    assert len(table) == _as_int(_metrics(overview)["超期问题"])
    assert {"责任单位", "点位长", "超期天数"} <= set(table.columns)
    assert table["超期天数"].is_monotonic_decreasing
    assert (table["超期天数"] > 0).all()


def test_direct_links_lean_on_a_streamlit_flag_that_still_works_as_assumed():
    """``civmap.ui.core.ensure_frame`` clears Streamlit's private
    ``PagesManager.uses_pages_directory``, as ``st.navigation`` itself does; a Streamlit
    upgrade that renames the flag or stops using it fails here, not on a user's link
    (the browser test ``test_a_direct_link_on_a_fresh_server_runs_through_the_frame``
    checks the effect)."""
    import inspect

    from streamlit.commands import navigation
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in PagesManager.__annotations__
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation)


def test_only_the_open_list_is_sent(overview):
    """The overdue list opens first; the due-soon list is sent when its tab is opened (a
    grid the browser draws before the map's frame is time the first map waits)."""
    keys = {frame.key for frame in overview.dataframe}
    assert "overview_late" in keys and "overview_soon" not in keys
    labels = [tab.label for tab in overview.tabs]
    overview.session_state["overview_tab"] = next(label for label in labels if label.startswith("即将超期"))
    overview.run()
    assert not overview.exception
    keys = {frame.key for frame in overview.dataframe}
    assert "overview_soon" in keys and "overview_late" not in keys


def _map_args(at) -> dict:
    """The map component's arguments; bytes (the layers that ride along) come apart from the JSON."""
    (component,) = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    special = {arg.key: arg.bytes for arg in component.proto.special_args if arg.WhichOneof("value") == "bytes"}
    return {**json.loads(component.proto.json_args), **special}


def test_the_lists_follow_the_map_on_the_sessions_first_run(app_env):
    """The grid's scripts held the first map back in the browser: on the session's first run
    the list's place says it follows and the map is asked to report once drawn; the rerun
    that report causes sends the grid, and later runs ask nothing more of the map."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception and not at.dataframe
    assert _map_args(at)["report_shown"]
    assert "清单在地图画好后显示……" in [c.value for c in at.caption]
    map_drawn(at)
    assert [frame.key for frame in at.dataframe] == ["overview_late"] and not _map_args(at)["report_shown"]
    at.multiselect(key="f_districts").select("D02").run()
    assert at.dataframe and not _map_args(at)["report_shown"]


def test_a_filter_change_sends_the_open_map_its_layers_on_the_same_base(overview):
    """The browser keeps its map page and draws the new layers in place when the base is the
    same (``shell``); another language is another base, loaded as a new page."""
    at = overview
    first = _map_args(at)
    assert first["layers"].endswith(".json") and first["shell"]
    at.multiselect(key="f_districts").select("D02").run()
    changed = _map_args(at)
    assert changed["src"] != first["src"] and changed["layers"] != first["layers"]
    assert changed["shell"] == first["shell"]
    # the new layers ride along with the run that made them (the open map need not fetch them)
    assert first["layers_text"] is None and json.loads(changed["layers_text"])["slots"]["layer.problems"]
    at.run()
    assert _map_args(at)["layers_text"] is None  # the same map again: nothing to draw anew
    # filters changed on another page: the overview comes back with a new map component,
    # which loads the whole page; nothing rides along for it
    at.switch_page("pages/progress.py").run()
    at.multiselect(key="f_districts").select("D03").run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception and _map_args(at)["layers_text"] is None
    at.multiselect(key="f_districts").select("D04").run()
    assert _map_args(at)["layers_text"]  # and the next change on the overview is in place again
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and _map_args(at)["shell"] != first["shell"]


def test_a_phone_is_told_by_its_client_hint_or_its_user_agent():
    from civmap.ui.overview import on_a_phone

    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
    ipad = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"
    desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
    assert on_a_phone({"User-Agent": android}) and on_a_phone({"User-Agent": iphone})
    assert on_a_phone({"User-Agent": desktop, "Sec-CH-UA-Mobile": "?1"})
    assert not on_a_phone({"User-Agent": ipad}) and not on_a_phone({"User-Agent": desktop, "Sec-CH-UA-Mobile": "?0"})
    assert not on_a_phone({})


def test_only_a_desktop_browser_that_names_itself_gets_the_map_first():
    """The health check that warms the caches sends no user agent: it computes the whole page."""
    from civmap.ui.overview import desktop_browser

    desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
    assert desktop_browser({"User-Agent": desktop})
    assert not desktop_browser({}) and not desktop_browser({"User-Agent": android})


@pytest.fixture
def desktop(app_env, monkeypatch):
    """AppTest sends no headers: here the app takes it for a desktop browser."""
    import civmap.ui.overview

    monkeypatch.setattr(civmap.ui.overview, "desktop_browser", lambda headers: True)


def _sidebar_keys(at) -> set[str]:
    return {getattr(e, "key", None) for e in at.sidebar} - {None}


def test_a_browsers_first_page_draws_the_overviews_map_before_the_rest(desktop):
    """The first paint: the map in its place, asked to report once drawn, a word in the sidebar
    and nothing else; its report's rerun draws the navigation, the sidebar, tiles and lists."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert _map_args(at)["report_shown"] and not at.metric and not at.dataframe
    assert not _sidebar_keys(at)
    assert [c.value for c in at.sidebar.caption] == ["导航、筛选和各项数字在地图画好后显示……"]
    assert at.title[0].value == "创城GIS指挥图"
    map_drawn(at)
    assert len(at.metric) == 12 and [frame.key for frame in at.dataframe] == ["overview_late"]
    assert {"f_districts", "civmap_demo_account", "lang"} <= _sidebar_keys(at)
    assert not _map_args(at)["report_shown"] and "导航、筛选和各项数字在地图画好后显示……" not in [
        c.value for c in at.sidebar.caption]


def test_a_browsers_first_page_other_than_the_overview_is_drawn_whole(desktop):
    """Only the overview has a map to wait for: another first page gets its navigation and
    sidebar at once, and the overview opened after it is drawn whole too (its lists wait)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/progress.py").run()
    assert not at.exception, at.exception
    assert {"f_districts", "civmap_demo_account"} <= _sidebar_keys(at) and at.metric
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    assert len(at.metric) == 12 and "f_districts" in _sidebar_keys(at)


def test_a_run_checks_the_store_once_not_at_every_read(overview, monkeypatch):
    """The overview asks for the store about twenty times a run; it is checked (a query of
    its data version, which the run's caches are then keyed by) once a run, and each run
    checks again."""
    from civmap.storage.store import Store

    asked = []
    real = Store.data_version
    monkeypatch.setattr(Store, "data_version", lambda self: asked.append(self.scope) or real(self))
    overview.run()
    assert not overview.exception
    assert len(asked) == 1, asked  # the check of the whole-city store, whose version the run keeps
    asked.clear()
    overview.multiselect(key="f_districts").select("D02").run()
    assert len(asked) == 1 and _metrics(overview)  # the next run checks again
    overview.sidebar.selectbox(key="civmap_demo_account").set_value("demo-street").run()
    asked.clear()
    overview.run()  # a street's account: its area is looked up under the same version
    assert not overview.exception and len(asked) == 1 and _metrics(overview)


def test_the_overdue_list_names_each_problems_street(overview, demo_store):
    streets = demo_store.areas("street")
    late = overview.dataframe[0].value
    assert "街道" in late.columns and late["街道"].notna().any()
    assert set(late["街道"].dropna()) <= set(streets["name"])  # names, never codes
    overview.multiselect(key="f_districts").select("D02").run()
    late = overview.dataframe[0].value
    assert set(late["街道"].dropna()) <= set(streets.loc[streets["parent_code"] == "D02", "name"])
