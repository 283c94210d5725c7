"""In Chromium: a click inside a key point-circle picks the feature under the pointer, not the ring."""

from __future__ import annotations

from civmap.testing import DRAWN, wait_for
from tests.conftest import BROWSER

pytestmark = BROWSER

# A point inside some circle's ring but away from its centre, zoomed so it is drawn alone.
_FIND = """() => {
  const map = window.civmapMap;
  const points = map._civmapIndex.points, centres = map._civmapIndex.circles;
  for (const ring of map._civmapRings) {
    const c = ring.getLatLng();
    for (const [id, marker] of Object.entries(points)) {
      const d = map.distance(c, marker.getLatLng());
      if (d > 80 && d < ring.getRadius() - 40) {
        map.setView(marker.getLatLng(), 18, {animate: false});
        const p = map.latLngToContainerPoint(marker.getLatLng());
        return {id, x: p.x, y: p.y};
      }
    }
  }
  return null;
}"""

# Everything the map posts to its parent, kept for the test to read.
_LISTEN = """() => { window.__picks = [];
  window.parent.addEventListener('message', e => { if (e.data && e.data.civmapPick) window.__picks.push(e.data.civmapPick); });
}"""


def test_a_click_on_a_point_inside_a_circle_picks_the_point(demo_app, page):
    page.goto(demo_app)
    frame, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete' && !!window.civmapMap")
    frame.evaluate(_LISTEN)
    target = frame.evaluate(_FIND)
    assert target is not None, "the demo city has points inside circles"
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    # Some open problem may sit exactly on the point: hide problems, so the point is on top.
    frame.evaluate("""() => { const map = window.civmapMap;
      Object.values(map._civmapIndex.problems || {}).forEach(l => l.remove()); }""")
    frame.locator("div.folium-map").click(position={"x": target["x"], "y": target["y"]})
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert target["id"] in popup.inner_text()
    picks = frame.evaluate("window.__picks")
    assert picks and picks[-1] == {"layer": "points", "id": target["id"]}


def test_a_click_inside_a_circle_on_no_feature_picks_the_circle(demo_app, page):
    page.goto(demo_app)
    frame, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete' && !!window.civmapMap")
    frame.evaluate(_LISTEN)
    spot = frame.evaluate("""() => {
      const map = window.civmapMap;
      ['points', 'problems', 'alleys'].forEach(k => Object.values(map._civmapIndex[k] || {}).forEach(l => l.remove()));
      const ring = map._civmapRings[0];
      const centre = ring.getLatLng();
      map.setView(centre, 16, {animate: false});
      const c = map.latLngToContainerPoint(centre);
      const edge = map.latLngToContainerPoint([centre.lat + ring.getRadius() / 111320 * 0.6, centre.lng]);
      const id = Object.entries(map._civmapIndex.circles).find(([k, l]) => l.getLatLng().equals(centre))[0];
      return {id, x: c.x, y: edge.y};
    }""")
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    frame.locator("div.folium-map").click(position={"x": spot["x"], "y": spot["y"]})
    frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert frame.evaluate("window.__picks")[-1] == {"layer": "circles", "id": spot["id"]}


def test_a_click_on_another_circle_on_the_circles_map_picks_it(demo_app, page):
    page.goto(f"{demo_app}/circles")
    # The map flies to the picked circle first; the page sets data-civmap-arrived when it is there.
    frame, _ = wait_for(page, f"{DRAWN} && document.documentElement.getAttribute('data-civmap-arrived')"
                              " && window.civmapMap._civmapRings.length > 1")
    frame.evaluate(_LISTEN)
    spot = frame.evaluate("""() => {
      const map = window.civmapMap;
      const picked = new URL(window.top.location.href).searchParams.get('circle');
      ['points', 'problems', 'alleys'].forEach(k => Object.values(map._civmapIndex[k] || {}).forEach(l => l.remove()));
      const entry = Object.entries(map._civmapIndex.circles).find(([id]) => id !== picked);
      const centre = entry[1].getLatLng();
      map.setView(centre, 16, {animate: false});
      const c = map.latLngToContainerPoint(centre);
      const edge = map.latLngToContainerPoint([centre.lat + 300 / 111320 * 0.6, centre.lng]);
      return {id: entry[0], picked, x: c.x, y: edge.y};
    }""")
    assert spot["id"] != spot["picked"]
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    frame.locator("div.folium-map").click(position={"x": spot["x"], "y": spot["y"]})
    frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert frame.evaluate("window.__picks")[-1] == {"layer": "circles", "id": spot["id"]}
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('circle') === {spot['id']!r}",
                           timeout=30_000)


def test_zooming_in_on_a_layer_of_cells_loads_its_features_and_a_click_picks_one(demo_app, page):
    """Every problem of the demo city is too many to read at city scale: the map shows counted
    cells, asks for the single problems of the view when zoomed in, and a click picks one."""
    page.goto(f"{demo_app}/?status=all")
    frame, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete' && !!window.civmapMap"
                              " && !!window.civmapMap._civmapAggregates")
    assert frame.evaluate("document.querySelectorAll('.leaflet-marker-pane .civmap-cell').length") > 0
    assert frame.evaluate("Object.keys(window.civmapMap._civmapIndex.problems || {}).length") == 0
    frame.evaluate(_LISTEN)
    frame.evaluate("""() => { const map = window.civmapMap, entry = map._civmapAggregates.problems;
      const cells = entry.batch.cells[String(entry.batch.detailZoom - 1)];
      const dense = cells.reduce((a, b) => (b[2] > a[2] ? b : a));
      map.setView([dense[0], dense[1]], entry.batch.detailZoom, {animate: false}); }""")
    _, detail = wait_for(page, "(document.documentElement.getAttribute('data-civmap-detail') || '').startsWith('problems:')"
                               " && document.documentElement.getAttribute('data-civmap-detail')", timeout=60)
    assert int(detail.split(":")[1]) > 0
    assert frame.evaluate("document.querySelectorAll('.leaflet-marker-pane .civmap-cell').length") == 0
    target = frame.evaluate("""() => { const map = window.civmapMap, inner = map.getBounds().pad(-0.25);
      Object.values(map._civmapIndex.points || {}).forEach(l => l.remove());
      const [id, layer] = Object.entries(map._civmapIndex.problems).find(([, l]) => inner.contains(l.getLatLng()));
      const p = map.latLngToContainerPoint(layer.getLatLng());
      return {id, x: p.x, y: p.y}; }""")
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    frame.locator("div.folium-map").click(position={"x": target["x"], "y": target["y"]})
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    pick = frame.evaluate("window.__picks")[-1]
    assert pick["layer"] == "problems" and pick["id"] in popup.inner_text()
