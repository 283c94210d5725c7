"""The command wall in Debian's headless Chromium at 1920×1080 and 3840×2160.

It must fill the screen with no scrolling and no Streamlit chrome, show the store's
figures, refresh them on its own when the store changes, cycle through the districts,
request nothing from another host and never show a phone number.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from civmap import clock
from civmap.progress import figures as progress
from civmap.storage import make_engine
from civmap.figures import headline
from civmap.storage.store import Store
from civmap.testing import DRAWN, SCREENSHOTS, RequestLog, running_app, wait_for
from civmap.vocab import load_vocabulary
from tests.conftest import BROWSER

pytestmark = BROWSER

FIGURES = "Object.fromEntries([...document.querySelectorAll('[data-figure]').values()]" \
          ".map(e => [e.dataset.figure, e.dataset.value]))"
VIEW = "document.querySelector('[data-view]') && document.querySelector('[data-view]').dataset.view"
# Anything that could scroll, or that sticks out of the screen.
OVERFLOW = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden') continue;
    const scrolls = v => v === 'auto' || v === 'scroll';
    if (scrolls(s.overflowY) && e.scrollHeight > e.clientHeight + 1) out.push('scrolls-y ' + e.className);
    if (scrolls(s.overflowX) && e.scrollWidth > e.clientWidth + 1) out.push('scrolls-x ' + e.className);
  }
  for (const sel of ['.wall-header', '.wall-verdict', '.wall-kpis', 'iframe[title="civmap-wall-map"]', '.wall-lists',
                     '.wall-trend', '.wall-clock']) {
    const e = document.querySelector(sel);
    if (!e) { out.push('missing ' + sel); continue; }
    const r = e.getBoundingClientRect();
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.top < 0 || r.left < 0 || r.height < 10)
      out.push('outside ' + sel + ' ' + JSON.stringify(r));
  }
  for (const v of document.querySelectorAll('.wall-kpi-value, .wall-kpi-label')) {
    if (v.scrollWidth > v.parentElement.clientWidth + 1) out.push('too wide ' + v.textContent);
  }
  // The verdict and the pace line are read whole: neither may be cut off.
  for (const v of document.querySelectorAll('.wall-verdict-main, .wall-pace')) {
    if (v.scrollWidth > v.clientWidth + 1) out.push('cut ' + v.textContent);
  }
  for (const b of document.querySelectorAll('.wall-name .wall-badge')) {
    const r = b.getBoundingClientRect(), cell = b.parentElement.getBoundingClientRect();
    if (r.right > cell.right + 0.5 || b.scrollWidth > b.clientWidth + 1) out.push('badge cut ' + b.textContent);
  }
  return out;
}"""


def _wait(page, script: str, timeout: float = 90.0, frames: bool = False):
    """The wall's figures live in the page itself; only its map is in a frame."""
    return wait_for(page, script, timeout, frames)[1]


def _open(page, url: str, width: int, height: int):
    page.set_viewport_size({"width": width, "height": height})
    # A screen set to another zone still shows the city's time (the clock is the city's).
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
    page.goto(url)
    _wait(page, "document.querySelector('[data-figure=open]')")
    return page


def _figures(page) -> dict[str, str]:
    return page.evaluate(FIGURES)


@pytest.fixture(scope="module")
def expected(demo_store):
    vocab = load_vocabulary()
    as_of = demo_store.as_of()
    figures = headline(demo_store.points(), demo_store.circles(), demo_store.alleys(), demo_store.problems(),
                       vocab, as_of)
    daily = progress.daily_counts(demo_store.problems(), demo_store.events(), vocab,
                                  as_of - dt.timedelta(days=6), as_of)
    return figures, int(daily["closed"].sum())


@pytest.mark.parametrize("width, height, lang, name", [(1920, 1080, "zh", "wall-1080.png"),
                                                      (3840, 2160, "zh", "wall-2160.png"),
                                                      (1920, 1080, "en", "wall-1080-en.png")])
def test_the_wall_fills_the_screen_with_the_store_figures(demo_app, page, demo_store, expected, width, height, lang,
                                                          name):
    log = RequestLog(demo_app).attach(page)
    page = _open(page, f"{demo_app}/wall?lang={lang}", width, height)
    unresolved = int(demo_store.problems()["status"].isin(load_vocabulary().unresolved_statuses).sum())
    assert int(_wait(page, DRAWN, frames=True)) == unresolved
    time.sleep(1.0)  # let the map's labels and the fonts settle before measuring

    metrics = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth,"
                            " innerHeight, innerWidth]")
    assert metrics[2:] == [height, width]
    assert metrics[0] <= metrics[2] and metrics[1] <= metrics[3], f"the page scrolls: {metrics}"
    assert page.evaluate(OVERFLOW) == []
    for chrome in ("stSidebar", "stHeader", "stToolbar", "stSidebarCollapsedControl"):
        assert page.locator(f"[data-testid={chrome}]").count() == 0 or \
            page.locator(f"[data-testid={chrome}]").first.is_hidden(), chrome
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(5, 10, 22)"

    headline_figures, closed_week = expected
    shown = _figures(page)
    assert int(shown["points"]) == headline_figures.points
    assert int(shown["open"]) == headline_figures.open
    assert int(shown["overdue"]) == headline_figures.overdue
    assert int(shown["closed_week"]) == closed_week
    assert float(shown["closing_rate"]) == pytest.approx(headline_figures.closing_rate, abs=1e-6)
    assert int(shown["days_left"]) >= 0
    # Readable from across the room, at either size: the numbers are 6% of the screen tall or more.
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.wall-kpi-value')).fontSize)")
    assert size >= 0.06 * height
    # Chinese renders with a CJK font: its glyphs are a full em wide.
    width_of_four = page.evaluate("(() => { const c = document.createElement('canvas').getContext('2d');"
                                  " c.font = '40px \"Noto Sans CJK SC\"'; return c.measureText('创城指挥').width; })()")
    assert abs(width_of_four - 160) < 2
    assert page.locator(".wall-title").inner_text().startswith("创城指挥大屏" if lang == "zh" else "Command wall")
    # The clock ticks in the browser, on the city's clock although the screen is set to Los Angeles.
    shown_time = page.locator("[data-clock]").inner_text()
    city_now = clock.now()
    seconds = int(shown_time[:2]) * 3600 + int(shown_time[3:5]) * 60 + int(shown_time[6:8])
    gap = abs(seconds - (city_now.hour * 3600 + city_now.minute * 60 + city_now.second))
    assert min(gap, 86400 - gap) <= 5, (shown_time, city_now)
    _wait(page, f"document.querySelector('[data-clock]').textContent !== {shown_time!r}", timeout=5)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
    assert log.foreign() == [], f"requests left for other hosts: {log.foreign()[:5]}"


def test_no_phone_number_is_on_the_wall(demo_app, page, demo_store):
    page = _open(page, f"{demo_app}/wall", 1920, 1080)
    _wait(page, DRAWN, frames=True)
    phones = {str(p) for frame in (demo_store.points(), demo_store.circles(), demo_store.alleys())
              for p in frame["chief_phone"].dropna()}
    text = page.content() + "".join(frame.content() for frame in page.frames)
    assert not set(re.findall(r"\d{11}", text)) & phones


def test_the_carousel_shows_each_district_in_turn(demo_app, page, demo_store):
    names = demo_store.district_names()
    points = {name: len(demo_store.scoped([code]).points()) for code, name in names.items()}
    points["全市"] = len(demo_store.points())
    page = _open(page, f"{demo_app}/wall?carousel=1&every=2&refresh=60", 1920, 1080)
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 90
    while len(seen) < 4 and time.monotonic() < deadline:
        view, figures = page.evaluate(f"[{VIEW}, {FIGURES}]")
        if view and figures.get("points") and (not seen or view != seen[-1][0]):
            seen.append((view, int(figures["points"])))
        time.sleep(0.1)
    assert [view for view, _ in seen] == ["全市", *list(names.values())[:3]]
    # Each screen shows its own figures, not the city's.
    assert all(shown == points[view] for view, shown in seen), seen


def test_the_wall_refreshes_itself_when_the_store_changes(scratch_db_url, page):
    store = Store(make_engine(scratch_db_url))
    vocab = load_vocabulary()
    problems = store.problems()
    target = problems[problems["status"].isin(vocab.statuses_of_type("open"))].iloc[0]
    with running_app({"CIVMAP_DATABASE_URL": scratch_db_url}) as url:
        page = _open(page, f"{url}/wall?refresh=2", 1920, 1080)
        before = _figures(page)
        page.evaluate("window.__civmapSamePage = true")
        store.set_status(target["id"], vocab.closed_statuses[0], actor="大屏测试")
        _wait(page, f"Number(({FIGURES}).open) === {int(before['open']) - 1}", timeout=60)
        after = _figures(page)
        assert int(after["closed_week"]) == int(before["closed_week"]) + 1
        assert page.evaluate("window.__civmapSamePage === true"), "the whole page reloaded"
        assert not page.locator("[data-wall-stale]").count()


def test_the_verdict_answers_at_the_top_as_large_as_the_figures(demo_app, page):
    """One sentence says who is behind; the pace line is no smaller than the figures' labels;
    the map's legend explains the shading; and the verdict's district is the black list's."""
    page = _open(page, f"{demo_app}/wall", 1920, 1080)
    _wait(page, DRAWN, frames=True)
    _wait(page, "document.querySelector('.wall-verdict-main')")
    time.sleep(1.0)
    verdict = page.locator(".wall-verdict-main")
    assert verdict.is_visible() and verdict.inner_text().startswith("落后：")
    box = page.locator(".wall-verdict").bounding_box()
    kpis = page.locator(".wall-kpis").bounding_box()
    assert box["y"] + box["height"] <= kpis["y"] + 0.5, "the verdict sits above the figures"
    size = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", ".wall-verdict-main")
    pace = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", ".wall-pace")
    label = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", ".wall-kpi-label")
    assert pace >= label >= 20 and size > label, (size, pace, label)
    assert page.locator(".wall-pace").is_visible() and page.locator("[data-rule]").inner_text().startswith("排名规则")
    behind = page.evaluate("document.querySelector('[data-verdict]').dataset.verdict").split(",")
    black = page.evaluate("[...document.querySelectorAll('.wall-rank-row[data-mark=black]')].map(e => e.dataset.district)")
    assert set(black) == set(behind)
    assert page.evaluate(OVERFLOW) == []
    frame = next(f for f in page.frames if f.query_selector(".wall-legend"))
    legend = frame.locator(".wall-legend")
    assert legend.is_visible() and "全市" in legend.inner_text()
    assert frame.locator(".wall-legend-bar").bounding_box()["width"] > 100
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "wall-verdict.png"),
                    clip={"x": 0, "y": 0, "width": 1920, "height": kpis["y"] + kpis["height"] + 4})
