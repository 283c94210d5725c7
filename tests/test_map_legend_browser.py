"""The city map's legend and popups in Chromium: folded on a phone, compact on a desk,
and a popup never under a control."""

from __future__ import annotations

import pytest

from civmap.testing import DRAWN, SCREENSHOTS, wait_for
from tests.conftest import BROWSER

pytestmark = BROWSER

# Opens one open problem's popup near the top-right corner (under the layer box), and
# returns which sampled pixels of the popup something else covers.
COVERED = """() => new Promise(resolve => {
    const map = window.civmapMap;
    let target = null;
    map.eachLayer(l => { if (!target && l._civmapBaseRadius === 4.5) target = l; });
    map.setView(target.getLatLng(), 17, {animate: false});
    const size = map.getSize();
    map.panBy([-(size.x / 2 - 40), size.y / 2 - 60], {animate: false});  // marker to the top right
    map.once('popupopen', () => setTimeout(() => {
      const r = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
      const out = [];
      for (const [fx, fy] of [[0.1, 0.1], [0.5, 0.1], [0.9, 0.1], [0.1, 0.5], [0.5, 0.5], [0.9, 0.5],
                              [0.1, 0.9], [0.5, 0.9], [0.9, 0.9]]) {
        const x = r.left + fx * r.width, y = r.top + fy * r.height;
        const e = document.elementFromPoint(x, y);
        if (!e || !e.closest('.leaflet-popup')) out.push([fx, fy, e ? e.className : null]);
      }
      resolve({covered: out, inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight});
    }, 600));
    target.openPopup();
})"""


def _map(page, url: str, width: int, height: int):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    frame, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete'")
    return frame


@pytest.mark.parametrize("width, height, folded", [(390, 844, True), (1400, 900, False)])
def test_the_legend_folds_on_a_phone_and_popups_lie_above_every_control(demo_app, page, width, height, folded):
    frame = _map(page, demo_app, width, height)
    legend = frame.locator("details.civmap-legend")
    assert legend.count() == 1
    assert frame.evaluate("document.querySelector('details.civmap-legend').open") is (not folded)
    box, frame_box = legend.bounding_box(), frame.evaluate("[innerWidth, innerHeight]")
    if folded:
        assert box["height"] < 40 and box["width"] < 0.5 * frame_box[0], box  # a tap target, not a cover
        legend.locator("summary.civmap-legend-title").click()
        assert frame.evaluate("document.querySelector('details.civmap-legend').open")
        legend.locator("summary.civmap-legend-title").click()
    else:
        assert box["height"] <= 0.5 * frame_box[1] and box["width"] <= 230, box
    result = frame.evaluate(COVERED)
    assert result["covered"] == [], result
    assert result["inside"], "the popup was panned into view"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"map-popup-{width}.png"))


# Opens a problem's popup in the middle of the map, then asks what lies under the middle of
# the zoom-in button and of the first layer switch.
UNDER_CONTROLS = """() => new Promise(resolve => {
    const map = window.civmapMap;
    let target = null;
    map.eachLayer(l => { if (!target && l._civmapBaseRadius === 4.5) target = l; });
    map.setView(target.getLatLng(), 15, {animate: false});
    map.once('popupopen', () => setTimeout(() => {
      const on = (selector, within) => {
        const r = document.querySelector(selector).getBoundingClientRect();
        const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !!(e && e.closest(within));
      };
      resolve({zoom: on('.leaflet-control-zoom-in', '.leaflet-control-zoom'),
               layers: on('.leaflet-control-layers-overlays label', '.leaflet-control-layers'),
               open: !!document.querySelector('.leaflet-popup')});
    }, 600));
    target.openPopup();
})"""


def test_the_maps_controls_work_while_a_popup_is_open(demo_app, page):
    """A popup open in the middle of the map leaves the zoom buttons and the layer switches
    it does not cover where the user can press them (under the map's canvas, the press
    picked the district beneath the button)."""
    frame = _map(page, demo_app, 1400, 900)
    under = frame.evaluate(UNDER_CONTROLS)
    assert under == {"zoom": True, "layers": True, "open": True}, under
    zoom = frame.evaluate("window.civmapMap.getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function(f"window.civmapMap.getZoom() > {zoom}", timeout=5000)
