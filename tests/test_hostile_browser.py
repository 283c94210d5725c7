"""In Chromium, on a city whose every text field holds a script or Markdown payload: no script
runs in any frame, the maps draw every feature, and tooltips and popups show the payloads as text."""

from __future__ import annotations

import shutil

import pytest

from civmap.circles.membership import load_circle_data
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.testing import DRAWN, RequestLog, running_app, wait_for
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF, BROWSER
from tests.hostile import MARKDOWN_PAYLOADS, SCRIPT_PAYLOADS, poison

pytestmark = BROWSER

ARRIVED = "document.documentElement.getAttribute('data-civmap-arrived')"
ALL_KINDS = ("market", "hospital", "transport", "community")

#: In the map's frame: open the popup of the feature whose popup shows ``id`` and return
#: what the popup shows (its title and whole text) and whether any markup got in.
OPEN_POPUP = """(id) => {
    const map = window.civmapMap;
    let target = null;
    map.eachLayer(l => {
        const popup = l.getPopup && l.getPopup();
        if (target || !popup || typeof popup._content !== 'function') return;
        if (popup._content(l).includes('<td>' + id + '</td>')) target = l;
    });
    if (!target) return null;
    target.openPopup();
    // The popup's own element: a closed one fades out for a moment before it leaves the page.
    const box = target.getPopup().getElement().querySelector('.leaflet-popup-content');
    return {title: box.querySelector('b').textContent, text: box.innerText,
            markup: box.querySelectorAll('svg, img, script, a, iframe').length};
}"""

#: In the map's frame: hover every district (the event a mouse over its shape fires, handed
#: to the GeoJson group that holds the tooltip); what the tooltips show, and any markup in them.
OPEN_TOOLTIPS = """() => {
    const texts = [];
    let markup = 0;
    window.civmapMap.eachLayer(l => {
        if (!l.feature || !l.getBounds) return;
        l.fire('mouseover', {latlng: l.getBounds().getCenter()}, true);
        const group = Object.values(l._eventParents || {}).find(g => g.getTooltip && g.getTooltip());
        const box = group.getTooltip().getElement();
        texts.push(box.textContent.trim());
        markup += box.querySelectorAll('svg, img, script, a, iframe').length;
        l.fire('mouseout', {}, true);
    });
    return {texts, markup};
}"""


@pytest.fixture(scope="module")
def hostile_url(demo_db_path, tmp_path_factory) -> str:
    copy = tmp_path_factory.mktemp("hostile_browser") / "hostile.sqlite"
    shutil.copy(demo_db_path, copy)
    url = f"sqlite:///{copy}"
    poison(url)
    return url


@pytest.fixture(scope="module")
def hostile_store(hostile_url) -> Store:
    return Store(make_engine(hostile_url))


@pytest.fixture(scope="module")
def hostile_app(hostile_url):
    with running_app({"CIVMAP_DATABASE_URL": hostile_url}) as url:
        yield url


def _nothing_ran(page) -> None:
    frames = page.frames
    assert len(frames) >= 2  # the app and at least its map
    for frame in frames:
        assert frame.evaluate("typeof window.__pwned") == "undefined", f"a payload ran in {frame.url}"


def _first(frame, column: str, prefix: str) -> tuple[str, str]:
    """(id, text) of the first row whose ``column`` starts with ``prefix``."""
    match = frame[frame[column].str.startswith(prefix, na=False)].iloc[0]
    return match["id"], match[column]


def _assert_tooltips(frame, districts) -> None:
    tooltips = frame.evaluate(OPEN_TOOLTIPS)
    assert sorted(tooltips["texts"]) == sorted(districts["name"])
    assert tooltips["markup"] == 0


def test_overview_map_draws_everything_and_shows_payloads_as_text(hostile_app, hostile_store, page):
    log = RequestLog(hostile_app).attach(page)
    page.goto(hostile_app)
    frame, _ = wait_for(page, f"{DRAWN} && document.readyState === 'complete'")
    problems = hostile_store.problems()
    unresolved = problems[problems["status"].isin(load_vocabulary().unresolved_statuses)]
    expected = (len(hostile_store.points()) + 2 * len(hostile_store.circles()) + len(hostile_store.alleys())
                + len(unresolved))
    assert int(frame.evaluate(DRAWN)) == expected
    districts = hostile_store.districts()
    assert frame.evaluate("document.querySelectorAll('.civmap-district-label').length") == len(districts)
    labels = frame.evaluate("[...document.querySelectorAll('.civmap-district-label')].map(e => e.textContent)")
    assert sorted(labels) == sorted(districts["name"])
    _assert_tooltips(frame, districts)

    for rows, column, payload in ((hostile_store.points(), "name", SCRIPT_PAYLOADS[0]),
                                  (unresolved, "description", SCRIPT_PAYLOADS[1]),
                                  (hostile_store.alleys(), "name", SCRIPT_PAYLOADS[2])):
        feature_id, text = _first(rows, column, payload)
        shown = frame.evaluate(OPEN_POPUP, feature_id)
        assert shown is not None, f"no popup for {feature_id}"
        assert shown["title"] == text and text in shown["text"]
        assert shown["markup"] == 0
    _nothing_ran(page)
    assert log.foreign() == [], f"requests left for other hosts: {log.foreign()[:5]}"


def test_circles_page_and_map_show_payloads_as_text(hostile_app, hostile_store, page):
    data = load_circle_data(hostile_store, load_vocabulary(), 300, ALL_KINDS, 100, AS_OF)
    circles = hostile_store.circles().set_index("id")
    with_alleys = set(data.members.loc[data.members["place_type"] == "alley", "circle_id"])
    # A circle with alleys whose point chief holds a Markdown link.
    circle = next(c for c in circles.index
                  if c in with_alleys and circles.at[c, "chief_name"].startswith(tuple(MARKDOWN_PAYLOADS)))
    # the circle, its members and open problems, and every other circle drawn faint under it
    expected = (2 + (data.members["circle_id"] == circle).sum()
                + ((data.problems["circle_id"] == circle) & data.problems["open"]).sum()
                + 2 * (len(data.circles) - 1))
    log = RequestLog(hostile_app).attach(page)
    page.set_viewport_size({"width": 1600, "height": 1850})
    page.goto(f"{hostile_app}/circles?circle={circle}")
    frame, _ = wait_for(page, f"{ARRIVED} === '1'")
    assert int(frame.evaluate(DRAWN)) == expected
    _assert_tooltips(frame, hostile_store.districts())
    shown = frame.evaluate(OPEN_POPUP, circle)
    assert shown is not None and shown["title"] == circles.at[circle, "name"] and shown["markup"] == 0

    # The side panel: the chief's Markdown link and the phone's image are text, not a link or an image.
    chief, phone = circles.at[circle, "chief_name"], circles.at[circle, "chief_phone"]
    detail = page.locator("[data-testid=stMarkdownContainer]", has_text="点位长").first
    detail.wait_for()
    text = detail.inner_text().replace("\u2060", "")
    assert chief in text and phone in text
    assert page.locator("[data-testid=stMain] a[href^='javascript'], [data-testid=stMain] img[src*='127.0.0.1:9']") \
        .count() == 0
    heading = page.locator("[data-testid=stMain] h3").first.inner_text().replace("\u2060", "")
    assert heading.startswith(circles.at[circle, "name"].strip()[:12])
    _nothing_ran(page)
    assert log.foreign() == [], f"requests left for other hosts: {log.foreign()[:5]}"
