"""How fast the overview's map draws in a real browser, and how fast it redraws after a filter change.

Starts the app on localhost against the configured store (default: the demo city), opens
the overview in Debian's headless Chromium with no tiles, and prints:
- first map: from navigation start to the moment every layer is drawn on the canvas;
- filter change: from picking a district in the sidebar to the redrawn map.
Each is the median of several runs, every run in a fresh browser profile.

    python bench/bench_map.py [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from civmap.testing import DRAWN, RequestLog, chromium, running_app, wait_for  # noqa: E402


def drawn_frame(page, exclude_stale: bool = False):
    """The map iframe once layers.js has drawn every batch, with the feature count; with
    ``exclude_stale``, not the old map this run marked stale before a filter change."""
    fresh = "!document.documentElement.dataset.stale && " if exclude_stale else ""
    # The count last: a JavaScript && answers with its last operand.
    frame, count = wait_for(page, f"document.readyState === 'complete' && {fresh}{DRAWN}", timeout=60, poll=0.02)
    return frame, int(count)


def one_run(playwright, url: str, query: str, district: int) -> tuple[float, float, int, int, list[str]]:
    with chromium(playwright) as context:
        page = context.new_page()
        log = RequestLog(url).attach(page)
        start = time.monotonic()
        page.goto(f"{url}/{query}")
        frame, count = drawn_frame(page)
        first = time.monotonic() - start
        frame.evaluate("document.documentElement.dataset.stale = '1'")
        page.get_by_role("combobox").nth(1).click()          # the district multiselect
        # Streamlit 1.67 lists its own "Select all" first: pick among the districts only
        option = page.get_by_role("option").filter(has_not_text=re.compile("select all", re.I)).nth(district)
        start = time.monotonic()
        option.click()
        _, count_after = drawn_frame(page, exclude_stale=True)
        change = time.monotonic() - start
        return first, change, count, count_after, log.foreign()


def scenario(playwright, url: str, title: str, query: str, runs: int) -> None:
    """The first run meets a cold cache (in the first scenario, the first visitor after the
    server started, who also pays for Python's imports); each run then picks a district not
    picked before, so every filter change is computed afresh."""
    cold_first, cold_change, count, _, foreign = one_run(playwright, url, query, 0)
    firsts, changes = [], []
    for run in range(runs):
        first, change, count, count_after, more = one_run(playwright, url, query, run + 1)
        firsts.append(first)
        changes.append(change)
        foreign += more
    print(f"== {title}: {count:,} features on the map")
    print(f"first map drawn, first visit of this view (nothing cached): {cold_first:.2f} s; "
          f"filter change: {cold_change:.2f} s")
    print(f"first map drawn after opening the overview: median {statistics.median(firsts):.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in firsts)})")
    print(f"map redrawn after a filter change (a new district each run): median {statistics.median(changes):.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in changes)})")
    print(f"requests to hosts other than the app: {len(foreign)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4, help="runs per scenario (at most 5: one district each)")
    args = parser.parse_args()
    from civmap.vocab import load_vocabulary

    every_status = ",".join(load_vocabulary().codes("statuses"))
    with running_app() as url, sync_playwright() as playwright:
        scenario(playwright, url, "default view (open problems)", "", min(args.runs, 5))
        scenario(playwright, url, "every problem, closed ones too", f"?status={every_status}", min(args.runs, 5))


if __name__ == "__main__":
    main()
