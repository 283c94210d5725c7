"""End to end in Debian's headless Chromium: the overview's map draws, offline, and answers clicks."""

from __future__ import annotations

import time

from civmap.testing import DRAWN, SCREENSHOTS, RequestLog, running_app, wait_for
from civmap.vocab import load_vocabulary
from tests.conftest import BROWSER

pytestmark = BROWSER



def wait_for_map(page):
    return wait_for(page, f"{DRAWN} && document.readyState === 'complete'")[0]


def test_overview_map_draws_every_layer_with_no_external_request(demo_app, page, demo_store):
    log = RequestLog(demo_app).attach(page)
    page.set_viewport_size({"width": 1600, "height": 1500})  # tall enough for the README's screenshot
    page.goto(demo_app)
    frame = wait_for_map(page)
    vocab = load_vocabulary()
    problems = demo_store.problems()
    expected = (len(demo_store.points()) + 2 * len(demo_store.circles()) + len(demo_store.alleys())
                + int(problems["status"].isin(vocab.unresolved_statuses).sum()))
    assert int(frame.evaluate(DRAWN)) == expected
    assert frame.evaluate("document.querySelectorAll('.leaflet-control-layers-overlays label').length") == 5
    assert frame.evaluate("document.querySelectorAll('.civmap-district-label').length") == len(demo_store.districts())
    assert frame.evaluate("document.querySelectorAll('canvas').length") >= 1
    page.get_by_text("测评点位").first.wait_for()
    time.sleep(0.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    assert log.foreign() == [], f"requests left for other hosts: {log.foreign()[:5]}"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in log.urls)


def test_a_click_on_a_problem_shows_its_details(demo_app, page):
    page.goto(demo_app)
    frame = wait_for_map(page)
    # Zoom onto one open problem so it is not hidden under others, then click its pixel.
    point = frame.evaluate("""() => {
        const map = window.civmapMap;
        let target = null;
        map.eachLayer(l => { if (!target && l._civmapBaseRadius === 4.5) target = l; });
        map.setView(target.getLatLng(), 18, {animate: false});
        const p = map.latLngToContainerPoint(target.getLatLng());
        return {x: p.x, y: p.y};
    }""")
    # A real mouse click, placed by the browser on the map container at the marker's pixel,
    # once the canvas has redrawn at the new zoom (it redraws on the next animation frame).
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    frame.locator("div.folium-map").click(position={"x": point["x"], "y": point["y"]})
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    for label in ("类别", "位置", "发现日期", "整改时限", "状态", "责任单位"):
        assert label in text


def test_a_direct_link_on_a_fresh_server_runs_through_the_frame(demo_db_url, page):
    """A bookmark to a page (``/circles``) is the first request after start-up: it must
    still get the app's navigation and layout, not Streamlit's old pages-folder mode."""
    with running_app({"CIVMAP_DATABASE_URL": demo_db_url}) as url:
        page.goto(f"{url}/circles")
        nav = page.locator("[data-testid=stSidebarNav]")
        nav.get_by_text("全市概览").wait_for(timeout=60_000)
        assert nav.get_by_text("指挥大屏").count() == 1
        assert page.locator("h1").first.inner_text() == "重点点位圈"
