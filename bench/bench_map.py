"""How fast the overview's map draws in a real browser, against the plain approach.

Starts the app on localhost against the configured store (``CIVMAP_DATABASE_URL``; default:
the demo city), opens the overview in Debian's headless Chromium with no tiles, and prints,
beside the same figures for the plain approach (one folium marker per feature through
``st_folium``, ``bench/plain_map_app.py``, on the same store) and the ratio:
- first map: from navigation start to the moment every layer is drawn;
- filter change: from picking a district in the sidebar to the redrawn map;
- data sent: what the server sent over the page's websocket until the map was drawn (the
  map and everything else on the page), and for civmap the map page itself;
- for civmap at a size where layers are sent as cells: the time from zooming in to the
  single features of the view.
Each is the median of ``--runs`` runs, each in a fresh browser profile; the very first
visit after the server started is printed on its own (civmap's server is asked its script
health check once as it starts, as a service manager would: that starts its cache warm-up,
and the first visitor comes right after). The plain approach's runs stop at
``--plain-timeout`` seconds and are then printed as "> N s".

    python bench/bench_map.py [--runs 3] [--plain-timeout 60] [--scenarios default,every]
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

from civmap.testing import DRAWN, RequestLog, chromium, running_app, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAIN_APP = ROOT / "bench" / "plain_map_app.py"
#: The map page civmap sends (the component's srcdoc), in bytes.
MAP_BYTES = """() => { for (const f of document.querySelectorAll('iframe')) {
  try { const m = f.contentDocument.getElementById('civmap-map'); if (m) return new Blob([m.srcdoc]).size; }
  catch (e) {} } return 0; }"""


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


def drawn_frame(page, exclude_stale: bool = False, timeout: float = 120):
    """The map's frame once every batch is drawn, with the feature count; with
    ``exclude_stale``, not the old map this run marked stale before a filter change."""
    fresh = "!document.documentElement.dataset.stale && " if exclude_stale else ""
    # The count last: a JavaScript && answers with its last operand.
    frame, count = wait_for(page, f"document.readyState === 'complete' && {fresh}{DRAWN}", timeout=timeout,
                            poll=0.02)
    return frame, int(count)


def one_run(playwright, url: str, query: str, district: int, timeout: float, zoom: bool) -> dict:
    """One visit: first map, a filter change (the ``district``-th district), and for civmap
    with layers sent as cells, zooming in to the detail. Times are None past ``timeout``."""
    out = {"first": None, "change": None, "bytes": None, "map_bytes": None, "detail": None, "count": 0,
           "foreign": []}
    with chromium(playwright) as context:
        page = context.new_page()
        log = RequestLog(url).attach(page)
        socket = Socket(page)
        start = time.monotonic()
        page.goto(f"{url}/{query}")
        try:
            frame, out["count"] = drawn_frame(page, timeout=timeout)
        except TimeoutError:
            return out
        out["first"] = time.monotonic() - start
        out["bytes"], out["map_bytes"] = socket.bytes, page.evaluate(MAP_BYTES)
        if zoom and frame.evaluate("!!(window.civmapMap && window.civmapMap._civmapAggregates)"):
            start = time.monotonic()
            frame.evaluate("""() => { const m = window.civmapMap, a = m._civmapAggregates;
              const z = Math.min(...Object.values(a).map(e => e.batch.detailZoom));
              m.setView(m.getCenter(), z, {animate: false}); }""")
            wait_for(page, "document.documentElement.getAttribute('data-civmap-detail')", timeout=timeout, poll=0.02)
            out["detail"] = time.monotonic() - start
        frame.evaluate("document.documentElement.dataset.stale = '1'")
        page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.get_by_role("combobox").click()  # districts
        # Streamlit 1.67 lists its own "Select all" first: pick among the districts only
        option = page.get_by_role("option").filter(has_not_text=re.compile("select all", re.I)).nth(district)
        start = time.monotonic()
        option.click()
        try:
            drawn_frame(page, exclude_stale=True, timeout=timeout)
        except TimeoutError:
            return out
        out["change"] = time.monotonic() - start
        out["foreign"] = log.foreign()
        return out


def measure(playwright, url: str, query: str, runs: int, timeout: float, zoom: bool = True) -> dict:
    """The first visit (cold caches), then ``runs`` runs each picking a district not picked
    before, so every filter change is computed afresh. A run past the timeout ends the series."""
    cold = one_run(playwright, url, query, 0, timeout, zoom)
    series = []
    for run in range(runs):
        if cold["first"] is None or (series and series[-1]["change"] is None):
            break
        series.append(one_run(playwright, url, query, run + 1, timeout, zoom))
    return {"cold": cold, "runs": series}


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


def report(title: str, ours: dict, plain: dict | None, timeout: float) -> None:
    runs = ours["runs"]
    print(f"== {title}: {ours['cold']['count']:,} features on the map")
    rows = [("first map drawn (median)", median(r["first"] for r in runs), "first", seconds),
            ("map redrawn after a filter change (median)", median(r["change"] for r in runs), "change", seconds),
            ("data sent over the websocket until drawn (median)", median(r["bytes"] for r in runs), "bytes", megabytes)]
    for label, value, key, show in rows:
        theirs = None if plain is None else (median(r[key] for r in plain["runs"]) if plain["runs"] else None)
        line = f"  {label}: civmap {show(value, timeout) if show is seconds else show(value)}"
        if plain is not None:
            shown = show(theirs, timeout) if show is seconds else show(theirs)
            times = show is seconds
            line += f" | plain {shown} | ratio {ratio(theirs, value, timeout) if times or theirs else '—'}"
        print(line)
    print(f"  civmap's map page: {megabytes(median(r['map_bytes'] for r in runs))}")
    details = [r["detail"] for r in runs if r["detail"] is not None]
    if details:
        print(f"  zoomed in to the detail zoom, single features drawn (median): {statistics.median(details):.2f} s")
    pairs = ", ".join(f"{seconds(r['first'], timeout)}/{seconds(r['change'], timeout)}" for r in runs)
    print(f"  runs, civmap first/change: {pairs}")
    cold = ours["cold"]
    print(f"  first visit after the server started: civmap {seconds(cold['first'], timeout)} to the map, "
          f"{seconds(cold['change'], timeout)} for its filter change"
          + ("" if plain is None else f"; plain {seconds(plain['cold']['first'], timeout)}"))
    foreign = [u for r in [cold, *runs] for u in r["foreign"]]
    print(f"  requests to hosts other than the app: {len(foreign)}")


@contextlib.contextmanager
def plain_script():
    """The plain app where Streamlit serves the repository's ``static/`` beside it (it serves
    the folder next to the main script): a folder holding links to both."""
    with tempfile.TemporaryDirectory(prefix="civmap-plain-") as folder:
        script = Path(folder) / PLAIN_APP.name
        script.symlink_to(PLAIN_APP)
        (Path(folder) / "static").symlink_to(ROOT / "static")
        yield script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (at most 6: one district each)")
    parser.add_argument("--plain-timeout", type=float, default=60.0, help="seconds before a plain run is cut short")
    parser.add_argument("--scenarios", default="default,every", help="default (open problems), every (all problems)")
    parser.add_argument("--no-plain", action="store_true", help="measure civmap alone")
    args = parser.parse_args()
    from civmap.vocab import load_vocabulary

    every_status = ",".join(load_vocabulary().codes("statuses"))
    scenarios = {"default": ("default view (open problems)", ""),
                 "every": ("every problem, closed ones too", f"?status={every_status}")}
    chosen = [scenarios[name] for name in args.scenarios.split(",")]
    runs = min(args.runs, 6)
    with sync_playwright() as playwright:
        ours = {}
        with running_app(warm=True) as url:
            for title, query in chosen:
                ours[title] = measure(playwright, url, query, runs, 120.0)
        plain = {}
        if not args.no_plain:
            with plain_script() as script, running_app(script=script) as url:
                for title, query in chosen:
                    plain[title] = measure(playwright, url, query, runs, args.plain_timeout, zoom=False)
        for title, _ in chosen:
            report(title, ours[title], plain.get(title), args.plain_timeout)


if __name__ == "__main__":
    main()
