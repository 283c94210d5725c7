"""In Chromium: the view follows the user across pages and a reload, the map answers clicks,
a list row flies the map to its problem, and a district head's phone shows what matters first."""

from __future__ import annotations

import json
import time

import pytest

from civmap.figures import overdue_mask
from civmap.testing import (CHROMIUM, CHROMIUM_FLAGS, DRAWN, SCREENSHOTS, open_until_shown, wait_for,
                            wait_idle)
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF, BROWSER

pytestmark = BROWSER

def _nav_titles():
    from civmap.i18n import t

    return {path: (t(f"page.{key}", "zh"), t(f"page.{key}", "en")) for key, path in (
        ("circles", "circles"), ("progress", "progress"), ("planning", "planning"), ("bulletin", "bulletin"),
        ("import", "ledger"), ("setup", "setup"), ("overview", ""))}


def _wait_map(page):
    return wait_for(page, f"{DRAWN} && document.readyState === 'complete'")[0]


#: Counts in the top page each time the overdue grid appears, and when (epoch milliseconds).
GRID_WATCH = """if (window.top === window) {
  window.civmapGrids = [];
  let shown = false;
  new MutationObserver(() => {
    const now = !!document.querySelector('.st-key-overview_late [data-testid=stDataFrame]');
    if (now && !shown) window.civmapGrids.push(performance.timeOrigin + performance.now());
    shown = now;
  }).observe(document, {childList: true, subtree: true});
}"""


#: The districts chosen in the sidebar filter, as its tags name them (JavaScript, to wait on).
DISTRICT_CHIPS = "[...document.querySelectorAll('.st-key-f_districts [data-tag]')].map(t => t.getAttribute('aria-label'))"


def _district_chips(page) -> list[str]:
    """The districts chosen in the sidebar filter, as its tags name them."""
    return page.evaluate(DISTRICT_CHIPS)


@pytest.mark.parametrize("lang, district_name", [("zh", "江城区"), ("en", "Jiangcheng")])
def test_the_view_is_kept_on_every_page_and_after_a_reload(demo_app, page, lang, district_name):
    page.goto(f"{demo_app}/?district=D01&status=all&lang={lang}")
    _wait_map(page)
    titles = _nav_titles()
    for path, names in titles.items():
        title = names[0 if lang == "zh" else 1]
        page.locator("[data-testid=stSidebarNav]").get_by_text(title, exact=True).click()
        page.wait_for_url(lambda url: url.rstrip("/").endswith(f"/{path}".rstrip("/")) or f"/{path}?" in url
                          if path else "/?" in url or url.endswith("/"))
        # The URL is written from the view on every page, whatever the navigation dropped.
        wait_for(page, "location.search.includes('district=D01') && location.search.includes('lang=" + lang + "')",
                 timeout=60, frames=False)
        assert "status=all" in page.url
        if path not in ("bulletin", "setup"):  # the pages with the shared filters show them
            page.locator(".st-key-f_districts [data-tag]").first.wait_for()
            assert _district_chips(page) == [district_name], path
        # The page is in the language chosen: its navigation title is.
        assert page.locator("[data-testid=stSidebarNav]").get_by_text(title, exact=True).count() == 1
    page.reload()
    _wait_map(page)
    page.locator(".st-key-f_districts [data-tag]").first.wait_for()
    assert _district_chips(page) == [district_name]
    assert page.locator("h1").first.inner_text() == ("创城GIS指挥图" if lang == "zh" else "Civilized-city GIS dashboard")


def test_switching_the_language_relabels_every_choice_in_the_sidebar(demo_app, page):
    """The chosen demo account and districts read in the new language at once (the account's
    choice kept the old language's label until the next page)."""
    from civmap.accounts import roles_of

    page.goto(f"{demo_app}/?district=D01&lang=zh")
    _wait_map(page)
    page.locator(".st-key-civmap_demo_account").wait_for()  # the sidebar follows the map on a first visit
    staff = roles_of(load_vocabulary())["office"].label("en")  # the demo's default account's role
    chosen = "(() => { const box = document.querySelector('.st-key-civmap_demo_account');" \
             " const input = box.querySelector('input'); return (input ? input.value : '') + box.innerText; })()"
    assert staff not in page.evaluate(chosen)
    english = page.get_by_role("option", name="English")
    open_until_shown(page.locator(".st-key-lang"), english)
    english.click()
    wait_for(page, f"{chosen}.includes({json.dumps(staff)})", timeout=60, frames=False)
    # the same run relabels the district filter too, drawn after the map (a loaded machine shows the gap)
    wait_for(page, f"{DISTRICT_CHIPS}.join('|') === 'Jiangcheng'", timeout=30, frames=False)
    assert _district_chips(page) == ["Jiangcheng"]


def test_the_overdue_list_follows_the_drawn_map_with_no_step_of_the_users(demo_app, page):
    """On a first visit, and again for the account a demo switches to, the overdue grid is
    sent once the browser has drawn the map (its scripts held the map back), unasked."""
    page.add_init_script(GRID_WATCH)
    page.goto(f"{demo_app}/")
    for shown, switch_to in ((1, None), (2, "演示·区负责人")):
        if switch_to:
            page.locator(".st-key-civmap_demo_account").click()
            page.get_by_role("option").filter(has_text=switch_to).click()
        wait_for(page, f"window.civmapGrids.length >= {shown}", timeout=90, frames=False)
        frame = _wait_map(page)
        drawn_at = float(frame.evaluate("document.documentElement.getAttribute('data-civmap-drawn-at')"))
        assert page.evaluate("window.civmapGrids")[-1] >= drawn_at, switch_to
    # the district head's own area, with its list
    assert page.locator("[data-testid=stCaptionContainer]").filter(has_text="范围：").count() == 1
    assert page.locator(".st-key-overview_late [data-testid=stDataFrame]").count() == 1


#: Watches the top page of a first visit, from the map's frame on: when the navigation and the
#: first tile appear (epoch milliseconds), the frame element, and where it stood until they came.
FIRST_PAINT_WATCH = """if (window.top === window) {
  window.civmapSeen = {};
  new MutationObserver(() => {
    const seen = window.civmapSeen, now = performance.timeOrigin + performance.now();
    const frame = document.querySelector('.st-key-overview_mapbox iframe');
    if (!frame) return;  // (a server's very first run shows Streamlit's own page list: not ours)
    if (!seen.frame) seen.frame = frame;
    if (!seen.nav) seen.box = [frame.getBoundingClientRect().top, frame.getBoundingClientRect().width];
    if (!seen.nav && document.querySelector('[data-testid=stSidebarNav]')) seen.nav = now;
    if (!seen.tiles && document.querySelector('[data-testid=stMetric]')) seen.tiles = now;
  }).observe(document, {childList: true, subtree: true});
}"""

SEEN = """(() => { const seen = window.civmapSeen, frame = document.querySelector('.st-key-overview_mapbox iframe');
  return {nav: seen.nav, tiles: seen.tiles, box: seen.box, same: frame === seen.frame,
          now: [frame.getBoundingClientRect().top, frame.getBoundingClientRect().width]}; })()"""


def test_a_first_visit_draws_the_map_first_and_the_rest_around_it(demo_app, page):
    """The navigation, the sidebar and the tiles come once the map is drawn, unasked; the map
    is not drawn again for them, and it neither moves nor changes width when they come."""
    page.add_init_script(FIRST_PAINT_WATCH)
    page.goto(f"{demo_app}/")
    frame = _wait_map(page)
    drawn_at = float(frame.evaluate("document.documentElement.getAttribute('data-civmap-drawn-at')"))
    wait_for(page, "window.civmapSeen.nav && window.civmapSeen.tiles", timeout=60, frames=False)
    page.locator(".st-key-f_districts").wait_for(timeout=30_000)
    seen = page.evaluate(SEEN)
    assert seen["nav"] > drawn_at and seen["tiles"] > drawn_at
    assert seen["same"]  # the same frame element, and the map in it not drawn again:
    assert float(frame.evaluate("document.documentElement.getAttribute('data-civmap-drawn-at')")) == drawn_at
    assert abs(seen["box"][0] - seen["now"][0]) <= 1 and abs(seen["box"][1] - seen["now"][1]) <= 1, seen
    assert page.locator("[data-testid=stMetric]").count() == 12
    assert page.get_by_text("导航、筛选和各项数字在地图画好后显示……").count() == 0


def test_a_first_visit_whose_map_never_reports_gets_the_rest_all_the_same(demo_app, page):
    """The map's frame could not load its script, so it never says it is drawn: the page
    is sent whole a few seconds later (``civmap.ui.overview.REST_WITHIN``)."""
    page.route("**/mapframe.js", lambda route: route.abort())
    page.goto(f"{demo_app}/")
    page.locator("[data-testid=stSidebarNav]").wait_for(timeout=60_000)
    page.locator(".st-key-f_districts").wait_for(timeout=30_000)
    page.locator("[data-testid=stMetric]").nth(11).wait_for(timeout=30_000)
    assert page.locator("[data-testid=stMetric]").count() == 12


def _pick_option(page, key: str, name: str) -> None:
    """Pick ``name`` in the sidebar's multiselect ``key``, on a settled page (a first visit's
    sidebar comes in a run of its own once the map is drawn, and a run redraws an open list)."""
    page.locator(f".st-key-{key}").wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    option = page.get_by_role("option", name=name, exact=True)
    open_until_shown(page.locator(f".st-key-{key}").get_by_role("combobox"), option)
    option.click()


DRAWN_AT = "Number(document.documentElement.getAttribute('data-civmap-drawn-at'))"


def test_a_filter_change_draws_the_new_layers_in_the_open_map(demo_app, page, demo_store):
    """A district picked in the sidebar: the open map draws that district's layers in place
    (its page is not loaded again), keeps a layer the user switched off switched off, opens
    on the district, and shows what a fresh page of that view shows. Layers it cannot fetch
    make it load its whole page instead."""
    page.goto(f"{demo_app}/")
    frame = _wait_map(page)
    frame.evaluate("document.documentElement.dataset.kept = '1'")
    zoom = frame.evaluate("window.civmapMap.getZoom()")
    points_box = frame.locator(".leaflet-control-layers-overlays label").filter(has_text="测评点位").locator("input")
    points_box.uncheck()
    frame.evaluate("document.querySelector('details.civmap-legend').open = false")  # folded, as on a phone
    before = float(frame.evaluate(DRAWN_AT))
    # counts the layers handed over by a call (a message would wait behind the rest of the run)
    frame.evaluate("""() => { const take = window.civmapTakeLayers; window.civmapTaken = 0;
      window.civmapTakeLayers = text => { window.civmapTaken += 1; return take(text); }; }""")
    districts = demo_store.districts().sort_values("code")
    code, name = districts["code"].iloc[1], districts["name"].iloc[1]
    _pick_option(page, "f_districts", name)
    frame, drawn = wait_for(page, f"{DRAWN_AT} > {before} && {DRAWN}", timeout=60)
    assert frame.evaluate("document.documentElement.dataset.kept") == "1", "the page was loaded again"
    assert frame.evaluate("window.civmapTaken") == 1
    # the layers came with the run that made them, not fetched from a server still running it
    assert not frame.evaluate("performance.getEntriesByType('resource').some(e => e.name.endsWith('.json'))")
    assert not points_box.is_checked() and not frame.evaluate(
        "Object.values(window.civmapMap._civmapIndex.points || {}).some(l => window.civmapMap.hasLayer(l))")
    assert frame.evaluate("window.civmapMap.getZoom()") > zoom
    # the new legend, still folded as the user left it
    assert frame.evaluate("document.querySelectorAll('details.civmap-legend').length") == 1
    assert frame.evaluate("document.querySelector('details.civmap-legend').open") is False
    # Another status: the same districts, so the view the user moved to stays.
    view = frame.evaluate("""() => { const m = window.civmapMap; m.setView(m.getCenter(), m.getZoom() + 1, {animate: false});
      return [m.getCenter().lat, m.getCenter().lng, m.getZoom()]; }""")
    before = float(frame.evaluate(DRAWN_AT))
    page.keyboard.press("Escape")  # the district list, still open, hides the rest from roles
    _pick_option(page, "f_statuses", "已销号")
    frame, drawn = wait_for(page, f"{DRAWN_AT} > {before} && {DRAWN}", timeout=60)
    assert frame.evaluate("document.documentElement.dataset.kept") == "1"
    assert frame.evaluate("(() => { const m = window.civmapMap; return [m.getCenter().lat, m.getCenter().lng, m.getZoom()]; })()") \
        == pytest.approx(view)
    # The layers cannot be had (gone from the server): the map loads its whole page.
    frame.parent_frame.evaluate("""document.getElementById('civmap-map').contentWindow.postMessage(
        {civmapLayers: '/media/0000000000000000000000000000000000000000.json'}, '*')""")
    reloaded, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete' && "
                                     "!document.documentElement.dataset.kept && !!window.civmapMap", timeout=60)
    assert int(reloaded.evaluate(DRAWN)) == int(drawn)
    # Layers sent that cannot be read: the same.
    reloaded.evaluate("document.documentElement.dataset.kept = '1'")
    reloaded.parent_frame.evaluate("""document.getElementById('civmap-map').contentWindow.civmapTakeLayers(
        '{"slots": ')""")
    reloaded, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete' && "
                                 "!document.documentElement.dataset.kept && !!window.civmapMap", timeout=60)
    assert int(reloaded.evaluate(DRAWN)) == int(drawn)
    fresh = page.context.new_page()
    assert f"district={code}" in page.url
    fresh.goto(f"{demo_app}/?{page.url.split('?', 1)[1]}")  # the same view, opened afresh
    assert int(_wait_map(fresh).evaluate(DRAWN)) == int(drawn)
    fresh.close()


def test_a_foreign_site_framing_the_map_cannot_send_it_layers(demo_app, page, browser):
    """The map page draws layers and puts their legend in as HTML: a page of another site
    that frames it and posts it layers (a legend with a script) is not listened to."""
    page.goto(f"{demo_app}/")
    map_url = _wait_map(page).url
    foreign = browser.new_page()
    try:
        foreign.set_content(f'<iframe id="m" src="{map_url}" style="width:800px;height:600px"></iframe>')
        framed, count = wait_for(foreign, f"{DRAWN} && !!window.civmapMap && {DRAWN}", timeout=60)
        evil = {"slots": {}, "fit": None,
                "legend": '<details class="civmap-legend"><img src=x onerror="document.documentElement.dataset.hacked=1">'
                          "</details>"}
        foreign.evaluate("""(text) => document.getElementById('m').contentWindow.postMessage(
            {civmapLayersText: text}, '*')""", json.dumps(evil))
        foreign.evaluate("""() => document.getElementById('m').contentWindow.postMessage(
            {civmapLayers: '/media/0000000000000000000000000000000000000000.json'}, '*')""")
        foreign.wait_for_timeout(1500)
        assert framed.evaluate("document.documentElement.dataset.hacked") is None
        assert framed.evaluate("document.querySelectorAll('.civmap-legend img').length") == 0
        assert framed.evaluate(DRAWN) == count  # the layers it had, still drawn
    finally:
        foreign.close()


ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/130.0.0.0 Mobile Safari/537.36")


def test_on_a_phone_the_overdue_list_is_not_held_back_for_the_map(demo_app, playwright_driver):
    """A phone shows the list above the map: its first run sends the grid at once."""
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                user_agent=ANDROID, locale="zh-CN")
        page.add_init_script("""if (window.top === window) { window.civmapHeld = false;
          new MutationObserver(() => { if (document.body && document.body.innerText.includes('清单在地图画好后显示'))
            window.civmapHeld = true; }).observe(document, {childList: true, subtree: true, characterData: true}); }""")
        page.goto(f"{demo_app}/?district=D01")
        page.locator(".st-key-overview_late [data-testid=stDataFrame]").wait_for(timeout=90_000)
        _wait_map(page)
        assert page.evaluate("window.civmapHeld") is False
    finally:
        browser.close()


def test_a_click_on_a_problem_reaches_python_and_shows_it_beside_the_map(demo_app, page):
    page.goto(f"{demo_app}/?district=D02")
    frame = _wait_map(page)
    target = frame.evaluate("""() => {
        const map = window.civmapMap;
        const [id, layer] = Object.entries(map._civmapIndex.problems)[0];
        map.setView(layer.getLatLng(), 19, {animate: false});
        const p = map.latLngToContainerPoint(layer.getLatLng());
        return {id: id, x: p.x, y: p.y};
    }""")
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    frame.locator("div.folium-map").click(position={"x": target["x"], "y": target["y"]})
    details = page.locator(".st-key-overview_details")
    details.get_by_text(target["id"]).first.wait_for(timeout=60_000)
    text = details.inner_text()
    for label in ("类别", "整改时限", "状态", "责任单位"):
        assert label in text


def test_a_click_on_a_district_offers_it_as_the_filter(demo_app, page, demo_store):
    page.goto(demo_app)
    frame = _wait_map(page)
    # Only the district base left on: switch the four feature layers off, as a user would.
    boxes = frame.locator(".leaflet-control-layers-overlays input[type=checkbox]")
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()
    name = demo_store.districts().sort_values("code")["name"].iloc[1]
    box = frame.evaluate("""(name) => {
        const label = [...document.querySelectorAll('.civmap-district-label')].find(e => e.textContent === name);
        const map = document.querySelector('div.folium-map').getBoundingClientRect();
        const r = label.getBoundingClientRect();
        return {x: r.left + r.width / 2 - map.left, y: r.bottom + 6 - map.top};
    }""", name)
    frame.locator("div.folium-map").click(position=box)
    button = page.locator(".st-key-overview_details").get_by_role("button")
    button.wait_for(timeout=60_000)
    assert name in button.inner_text()
    button.click()
    wait_for(page, "location.search.includes('district=')", timeout=60, frames=False)
    page.locator(".st-key-f_districts [data-tag]").first.wait_for()
    assert _district_chips(page) == [name]


@pytest.mark.parametrize("query", ["", "?status=all"], ids=["features", "cells"])
def test_a_row_of_the_overdue_list_flies_the_map_to_its_problem(demo_app, page, demo_store, query):
    """With every problem the layer is sent as cells: the map goes to the problem, loads the
    view's problems and opens it."""
    page.goto(f"{demo_app}/{query}")
    _wait_map(page)
    grid = page.locator(".st-key-overview_late")
    grid.scroll_into_view_if_needed()
    grid.wait_for()
    wait_idle(page)  # a user's click on a settled page: the grid comes in a run after the map's
    vocab = load_vocabulary()
    problems = demo_store.problems()
    late = problems[overdue_mask(problems, vocab, AS_OF) & problems["status"].isin(vocab.unresolved_statuses)]
    assert len(late)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box
    frame, focused = wait_for(page, "document.documentElement.getAttribute('data-civmap-focused')", timeout=60)
    layer, ident = focused.split(":", 1)
    assert layer == "problems" and ident in set(late["id"])
    page.locator(".st-key-overview_details").get_by_text(ident).first.wait_for(timeout=60_000)
    frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert ident in frame.locator(".leaflet-popup-content").inner_text()


def test_a_district_heads_phone_shows_the_counts_and_the_overdue_list_first(demo_app, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_app}/?district=D01")
    frame = _wait_map(page)
    time.sleep(0.5)
    for label in ("未办结问题", "超期问题", "即将超期"):
        tile = page.locator("[data-testid=stMetricLabel]", has_text=label).first
        box = tile.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, (label, box)
    grid = page.locator(".st-key-overview_late [data-testid=stDataFrame]")
    box = grid.bounding_box()
    assert box["y"] + 35 + 35 <= 844, box  # the header and the first row above the fold
    assert page.evaluate("window.scrollY") == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview-phone.png"))

    # A popup opened on the map is above every map control, not under them.
    frame.locator("div.folium-map").scroll_into_view_if_needed()
    target = frame.evaluate("""() => {
        const map = window.civmapMap;
        const [id, layer] = Object.entries(map._civmapIndex.problems)[0];
        map.setView(layer.getLatLng(), 19, {animate: false});
        layer.openPopup();
        return id;
    }""")
    frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    time.sleep(0.8)  # the popup pans the map into view
    uncovered = frame.evaluate("""() => {
        const r = document.querySelector('.leaflet-popup-content').getBoundingClientRect();
        const points = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [r.left + r.width / 2, r.top + r.height / 2],
                        [r.left + 4, r.bottom - 4], [r.right - 4, r.bottom - 4]];
        return points.map(([x, y]) => { const e = document.elementFromPoint(x, y);
                                        return e ? (e.closest('.leaflet-popup') ? 'popup' : e.className) : 'outside'; });
    }""")
    assert target and set(uncovered) == {"popup"}, uncovered
