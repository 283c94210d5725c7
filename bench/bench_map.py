"""How fast the overview's map draws in a real browser, against the plain approach.

Starts the app on localhost against the configured store (``CIVMAP_DATABASE_URL``; default:
the demo city), opens the overview in Debian's headless Chromium with no tiles, and prints,
beside the same figures for the plain approach (one folium marker per feature through
``st_folium``, ``bench/plain_map_app.py``, on the same store) and the ratio:
- first map: from the page's navigation start to the moment the last layer is drawn, both
  read in the browser (``performance.timeOrigin`` and the mark layers.js sets once every
  batch is drawn), so a poller's lag is not counted; for a browser opening the dashboard for
  the first time (a fresh profile: every script of Streamlit's fetched and compiled) and
  for a returning one (the same profile, a second visit: Streamlit's scripts come from the
  browser's cache, as on an office machine that opened the dashboard yesterday);
- filter change: from pressing a district in the sidebar to the redrawn map;
- data sent: what the server sent until the map was drawn: over the page's websocket (the
  map for the plain approach, and everything else on the page) and, for civmap, the map
  page its frame fetches; and civmap's map page alone;
- for civmap at a size where layers are sent as cells: the time from zooming in to the
  single features of the view.
Beside them, the floor: the same two visits to a page holding nothing but the map
component with an empty map (``bench/floor_app.py``): Streamlit's own start, which no
overview can beat. Each figure is the median of ``--runs`` runs, each in a new profile; the
very first visit after the server started is printed on its own (civmap's server is asked
its script health check once as it starts, as a service manager would: that starts its
cache warm-up, and the first visitor comes right after). The plain approach's runs stop at
``--plain-timeout`` seconds and are then printed as "> N s".

With ``--nginx``, civmap is measured again behind the README's reverse proxy
(``deploy/nginx/civmap.conf``, nginx serving Streamlit's own scripts) in front of the same process.

    python bench/bench_map.py [--runs 3] [--plain-timeout 60] [--scenarios default,every] [--nginx]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from civmap.testing import (DRAWN, RequestLog, chromium, nginx_front, open_until_shown, running_app,  # noqa: E402
                            wait_for, wait_idle)

ROOT = Path(__file__).resolve().parent.parent
PLAIN_APP = ROOT / "bench" / "plain_map_app.py"
FLOOR_APP = ROOT / "bench" / "floor_app.py"
#: When the map's frame drew its last batch (epoch milliseconds, set by layers.js).
DRAWN_AT = "document.documentElement.getAttribute('data-civmap-drawn-at')"
#: The map page civmap serves (the map frame's document), in bytes.
MAP_BYTES = """() => { for (const f of document.querySelectorAll('iframe')) {
  try { const m = f.contentDocument.getElementById('civmap-map');
        if (m) return m.contentWindow.performance.getEntriesByType('navigation')[0].decodedBodySize; }
  catch (e) {} } return 0; }"""
#: Marks when the user pressed (epoch milliseconds), before the press reaches the page.
PRESS_MARK = """() => document.addEventListener('pointerdown', () => {
  window.civmapPressedAt = performance.timeOrigin + performance.now(); }, {capture: true, once: true})"""


class Socket:
    """Bytes the server sends over the page's websocket (Streamlit's protobuf frames)."""

    def __init__(self, page):
        self.bytes = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._frame)

    def _frame(self, event) -> None:
        response = event["response"]
        data = response["payloadData"]
        self.bytes += len(base64.b64decode(data)) if response.get("opcode") == 2 else len(data.encode())


def drawn_frame(page, after: float | None = None, timeout: float = 120):
    """The map's frame once every batch is drawn, with when (epoch ms) and the feature count;
    with ``after`` (epoch ms), only a drawing since then: a new map page, or the open one
    drawing new layers in place."""
    fresh = f"Number({DRAWN_AT}) > {after!r} && " if after is not None else ""
    frame, at = wait_for(page, f"document.readyState === 'complete' && {fresh}{DRAWN} && {DRAWN_AT}",
                         timeout=timeout, poll=0.05)
    return frame, float(at), int(frame.evaluate(DRAWN))


def visit(context, url: str, query: str, district: int | None, timeout: float, zoom: bool,
          socket: bool = False, filters: bool = True) -> dict:
    """One visit in ``context``: the first map and, for a ``district`` (its index in the
    sidebar's list) on a page with ``filters``, a filter change; for civmap with layers sent
    as cells, zooming in to the detail. Times are None past ``timeout``. With ``socket``, the
    bytes the websocket carried until the map was drawn (a second devtools session that slows the browser: the
    timed visits go without it)."""
    out = {"first": None, "change": None, "bytes": None, "map_bytes": None, "detail": None, "count": 0,
           "foreign": [], "timed_out": True}
    page = context.new_page()
    log = RequestLog(url).attach(page)
    frames = Socket(page) if socket else None
    page.goto(f"{url}/{query}")
    try:
        frame, at, out["count"] = drawn_frame(page, timeout=timeout)
    except TimeoutError:
        return out
    out["first"] = (at - page.evaluate("performance.timeOrigin")) / 1000
    # civmap's map page comes over HTTP, not the websocket: counted in what was sent
    out["map_bytes"] = page.evaluate(MAP_BYTES)
    out["bytes"] = frames and frames.bytes + out["map_bytes"]
    if zoom and frame.evaluate("!!(window.civmapMap && window.civmapMap._civmapAggregates)"):
        start = time.monotonic()
        frame.evaluate("""() => { const m = window.civmapMap, a = m._civmapAggregates;
          const z = Math.min(...Object.values(a).map(e => e.batch.detailZoom));
          m.setView(m.getCenter(), z, {animate: false}); }""")
        wait_for(page, "document.documentElement.getAttribute('data-civmap-detail')", timeout=timeout, poll=0.02)
        out["detail"] = time.monotonic() - start
    if district is not None and filters:
        # A user's press on a settled page (``wait_idle``): civmap's first paint on a first visit is the map
        # alone, and the sidebar, the figures and the lists follow it in a run of their own.
        page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.wait_for(timeout=timeout * 1000)
        wait_idle(page, timeout * 1000)
        # Streamlit 1.67 lists its own "Select all" first: pick among the districts only
        option = page.get_by_role("option").filter(has_not_text=re.compile("select all", re.I)).nth(district)
        open_until_shown(page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.get_by_role("combobox"),
                         option)
        page.evaluate(PRESS_MARK)
        option.click()
        pressed = page.evaluate("window.civmapPressedAt")
        try:
            _, at, _ = drawn_frame(page, after=pressed, timeout=timeout)
        except TimeoutError:
            return out
        out["change"] = (at - pressed) / 1000
    out["foreign"], out["timed_out"] = log.foreign(), False
    page.close()
    return out


def measure(playwright, url: str, query: str, runs: int, timeout: float, zoom: bool = True,
            filters: bool = True) -> dict:
    """The first visit (cold caches), then ``runs`` runs in a new profile each: a first visit
    that changes a district not picked before (so every filter change is computed afresh),
    and a returning visit in the same profile. A run past the timeout ends the series."""
    with chromium(playwright) as context:
        cold = visit(context, url, query, 0, timeout, zoom, socket=True, filters=filters)
    series, back = [], []
    for run in range(runs):
        if cold["timed_out"] or (series and series[-1]["timed_out"]):
            break
        with chromium(playwright) as context:
            series.append(visit(context, url, query, run + 1, timeout, zoom, filters=filters))
            if series[-1]["first"] is not None:
                back.append(visit(context, url, query, None, timeout, zoom, filters=filters))
    return {"cold": cold, "runs": series, "back": back}


def median(values) -> float | None:
    values = [v for v in values]
    return None if not values or any(v is None for v in values) else statistics.median(values)


def seconds(value: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if value is None else f"{value:.2f} s"


def megabytes(value) -> str:
    return "—" if value is None else f"{value / 1e6:.2f} MB"


def ratio(plain: float | None, ours: float | None, timeout: float) -> str:
    if ours in (None, 0):
        return "—"
    return f"> {timeout / ours:.0f}×" if plain is None else f"{plain / ours:.1f}×"


def report(title: str, ours: dict, plain: dict | None, floor: dict, timeout: float, front: dict | None = None) -> None:
    runs, back = ours["runs"], ours["back"]
    print(f"== {title}: {ours['cold']['count']:,} features on the map")
    rows = [("first map drawn, a browser's first visit (median)", "runs", "first", seconds),
            ("first map drawn, a returning browser (median)", "back", "first", seconds),
            ("map redrawn after a filter change (median)", "runs", "change", seconds),
            ("data sent until drawn (the websocket and the map page)", "cold", "bytes", megabytes)]
    for label, series, key, show in rows:
        value = median(r[key] for r in ours[series]) if series != "cold" else ours["cold"][key]
        line = f"  {label}: civmap {show(value, timeout) if show is seconds else show(value)}"
        if plain is not None:
            theirs = (plain["cold"][key] if series == "cold" else
                      median(r[key] for r in plain[series]) if plain[series] else None)
            shown = show(theirs, timeout) if show is seconds else show(theirs)
            times = show is seconds
            line += f" | plain {shown} | ratio {ratio(theirs, value, timeout) if times or theirs else '—'}"
        print(line)
    print(f"  floor, Streamlit with the map component alone: {seconds(median(r['first'] for r in floor['runs']), timeout)}"
          f" on a first visit, {seconds(median(r['first'] for r in floor['back']), timeout)} returning")
    if front is not None:
        print(f"  behind deploy/nginx/civmap.conf (Streamlit's scripts from nginx): civmap "
              f"{seconds(median(r['first'] for r in front['runs']), timeout)} on a first visit, "
              f"{seconds(median(r['first'] for r in front['back']), timeout)} returning, "
              f"{seconds(median(r['change'] for r in front['runs']), timeout)} for a filter change")
    print(f"  civmap's map page: {megabytes(median(r['map_bytes'] for r in runs))}")
    details = [r["detail"] for r in runs + back if r["detail"] is not None]
    if details:
        print(f"  zoomed in to the detail zoom, single features drawn (median): {statistics.median(details):.2f} s")
    pairs = ", ".join(f"{seconds(r['first'], timeout)}/{seconds(r['change'], timeout)}" for r in runs)
    print(f"  runs, civmap first/change (first visits): {pairs}; "
          f"returning: {', '.join(seconds(r['first'], timeout) for r in back)}")
    cold = ours["cold"]
    print(f"  first visit after the server started: civmap {seconds(cold['first'], timeout)} to the map, "
          f"{seconds(cold['change'], timeout)} for its filter change"
          + ("" if plain is None else f"; plain {seconds(plain['cold']['first'], timeout)}"))
    foreign = [u for r in [cold, *runs, *back] for u in r["foreign"]]
    print(f"  requests to hosts other than the app: {len(foreign)}")


@contextlib.contextmanager
def beside_static(app: Path):
    """``app`` where Streamlit serves the repository's ``static/`` beside it (it serves the
    folder next to the main script): a folder holding links to both."""
    with tempfile.TemporaryDirectory(prefix="civmap-bench-") as folder:
        script = Path(folder) / app.name
        script.symlink_to(app)
        (Path(folder) / "static").symlink_to(ROOT / "static")
        yield script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (at most 5: a district each)")
    parser.add_argument("--plain-timeout", type=float, default=60.0, help="seconds before a plain run is cut short")
    parser.add_argument("--scenarios", default="default,every", help="default (open problems), every (all problems)")
    parser.add_argument("--no-plain", action="store_true", help="measure civmap alone")
    parser.add_argument("--nginx", action="store_true",
                        help="also measure civmap behind the README's nginx configuration (deploy/nginx/civmap.conf)")
    args = parser.parse_args()
    from civmap.vocab import load_vocabulary

    every_status = ",".join(load_vocabulary().codes("statuses"))
    scenarios = {"default": ("default view (open problems)", ""),
                 "every": ("every problem, closed ones too", f"?status={every_status}")}
    chosen = [scenarios[name] for name in args.scenarios.split(",")]
    runs = min(args.runs, 5)
    with sync_playwright() as playwright:
        ours = {}
        fronted = {}
        with running_app(warm=True) as url:
            for title, query in chosen:
                ours[title] = measure(playwright, url, query, runs, 120.0)
            if args.nginx:
                port = int(url.rsplit(":", 1)[1])
                with tempfile.TemporaryDirectory(prefix="civmap-nginx-") as folder, \
                        nginx_front(Path(folder), [port, port]) as front:
                    for title, query in chosen:
                        fronted[title] = measure(playwright, front, query, runs, 120.0)
        with beside_static(FLOOR_APP) as script, running_app(script=script, warm=True) as url:
            floor = measure(playwright, url, "", runs, 120.0, zoom=False, filters=False)
        plain = {}
        if not args.no_plain:
            with beside_static(PLAIN_APP) as script, running_app(script=script) as url:
                for title, query in chosen:
                    plain[title] = measure(playwright, url, query, runs, args.plain_timeout, zoom=False)
        for title, _ in chosen:
            report(title, ours[title], plain.get(title), floor, args.plain_timeout, fronted.get(title))


if __name__ == "__main__":
    main()
