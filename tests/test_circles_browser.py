"""End to end in headless Chromium: picking a circle flies the map to its ring, offline."""

from __future__ import annotations

import time

from civmap.circles.membership import load_circle_data
from civmap.testing import DRAWN, SCREENSHOTS, RequestLog, wait_for
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF, BROWSER

pytestmark = BROWSER

ARRIVED = "document.documentElement.getAttribute('data-civmap-arrived')"


def test_a_picked_circle_is_drawn_whole_and_nothing_leaves_the_host(demo_app, page, demo_store):
    data = load_circle_data(demo_store, load_vocabulary(), 300, ("market", "hospital", "transport", "community"),
                            100, AS_OF)
    circle = data.members.loc[data.members["place_type"] == "alley", "circle_id"].iloc[0]
    # its ring and centre, its members and open problems, and every other circle's ring and centre, faint
    expected = (2 + (data.members["circle_id"] == circle).sum()
                + ((data.problems["circle_id"] == circle) & data.problems["open"]).sum()
                + 2 * (len(data.circles) - 1))
    log = RequestLog(demo_app).attach(page)
    page.set_viewport_size({"width": 1600, "height": 1850})
    # A direct link with the circle in its query, as a bookmark or a shared link would be.
    page.goto(f"{demo_app}/circles?circle={circle}")
    frame, _ = wait_for(page, f"{ARRIVED} === '1'")
    assert int(frame.evaluate(DRAWN)) == expected
    # Arrived at the ring: the ring's bounds are inside the view, and the view is not the whole city.
    fits = frame.evaluate("""() => {
        const map = window[Object.keys(window).find(k => k.startsWith('map_') && window[k].getBounds)];
        let ring = null;
        // L.Circle extends L.CircleMarker, not the other way round: this finds the ring only.
        map.eachLayer(l => { if (l instanceof L.Circle) ring = l; });
        const view = map.getBounds();
        return {contains: view.contains(ring.getBounds()), zoom: map.getZoom()};
    }""")
    assert fits["contains"] and fits["zoom"] >= 15
    page.get_by_text("圈内成员").first.wait_for()
    time.sleep(0.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "circles.png"), full_page=True)
    assert log.foreign() == [], f"requests left for other hosts: {log.foreign()[:5]}"
