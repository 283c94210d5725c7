"""Benchmark: every figure of the Progress page for the demo city seeded at ``--scale 10``.

About 100,000 problems and 550,000 status events. Prints the time to read them from the
store (once per data version in the app, so not part of a filter change), then the time
to compute all figures of the page from them: the timeline, the daily and weekly series
of the default 90-day period, the period's summary, the red and black lists by district,
street and unit, the race, and the per-category table of the CLI. Median of ``--repeat``
runs. The target on this machine: all figures under two seconds. Then what the page does
on a filter change (a new district each time): every figure from the status history read
once (``civmap.progress.history``), against rereading problems and events; and the whole
``progress`` command.

Run from the repository root::

    python bench/bench_progress.py                 # seeds a scale-10 city in a temp folder
    python bench/bench_progress.py --db sqlite:///var/bench10.sqlite   # reuse (seeded if empty)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Allow running as a script from anywhere without installing the project.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civmap.demo.seed import seed_demo  # noqa: E402
from civmap.filters import Filters  # noqa: E402
from civmap.progress.history import read_history  # noqa: E402
from civmap.progress import figures as progress  # noqa: E402
from civmap.storage import create_schema, make_engine  # noqa: E402
from civmap.storage.store import Store  # noqa: E402
from civmap.vocab import load_vocabulary  # noqa: E402
from timing import timed  # noqa: E402

SEED = 20240601



def all_figures(problems, events, vocab, as_of: dt.date, names: dict[str, dict[str, str]]) -> dict:
    """What one run of the Progress page computes after a filter change (and a bit more)."""
    return figures_of(progress.build_timeline(problems, events, vocab), as_of, names)


def figures_of(timeline, as_of: dt.date, names: dict[str, dict[str, str]]) -> dict:
    """Every figure of the page from a built timeline."""
    start = as_of - dt.timedelta(days=progress.TREND_DAYS - 1)
    list_start = as_of - dt.timedelta(days=progress.LIST_DAYS - 1)
    return {
        "daily": progress.daily_figures(timeline, start, as_of),
        "weekly": progress.weekly_figures(timeline, start, as_of),
        "summary": progress.timeline_summary(timeline, start, as_of),
        "lists": {by: progress.rank(timeline, by, list_start, as_of, names[by]) for by in ("district", "street", "unit")},
        "race": progress.timeline_race(timeline, as_of, dt.date(as_of.year + 1, 6, 1)),
        "by_category": progress.summary_by(timeline, "category", start, as_of),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="store URL (seeded at --scale if it has no problems)")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="civmap-bench-progress-") as folder:
        url = args.db or f"sqlite:///{folder}/bench.sqlite"
        engine = make_engine(url)
        create_schema(engine)
        store = Store(engine)
        if store.counts()["problems"] == 0:
            start = time.perf_counter()
            seed_demo(engine, seed=SEED, scale=args.scale)
            print(f"seeded scale {args.scale:g} in {time.perf_counter() - start:.1f} s")
        vocab = load_vocabulary()
        read, (problems, events) = timed(lambda: (store.problems(), store.events()), 1)
        as_of = store.as_of()
        names = {"district": store.district_names(),
                 "street": store.areas("street").set_index("code")["name"].to_dict(),
                 "unit": store.units().set_index("code")["name"].to_dict()}
        print(f"problems {len(problems):>9,}   events {len(events):>9,}")
        print(f"read from the store (once per data version)   {read:7.3f} s")
        timeline_time, _ = timed(lambda: progress.build_timeline(problems, events, vocab), args.repeat)
        print(f"build the timeline                              {timeline_time:7.3f} s")
        total, figures = timed(lambda: all_figures(problems, events, vocab, as_of, names), args.repeat)
        print(f"all figures (timeline included), median of {args.repeat}    {total:7.3f} s   "
              f"{'OK' if total < 2.0 else 'OVER'} (target < 2 s)")
        history_time, history = timed(lambda: read_history(store, vocab), 1)
        print(f"lean read of the status history and its timeline (once per data version)  {history_time:7.3f} s")
        districts = list(names["district"])

        def change(i=[0]):  # noqa: B006 - a new district each call, as a user's filter changes
            chosen = Filters(districts=(districts[i[0] % len(districts)],))
            i[0] += 1
            return figures_of(history.timeline_for(chosen), as_of, names)

        narrow, _ = timed(change, args.repeat)
        print(f"a filter change, from the cached history: every figure, median of {args.repeat}   {narrow:7.3f} s   "
              f"{'OK' if narrow < 1.0 else 'OVER'} (target < 1 s, reads included: none)")

        def reread(i=[0]):  # noqa: B006
            chosen = Filters(districts=(districts[i[0] % len(districts)],))
            i[0] += 1
            return all_figures(store.problems(chosen), store.events(), vocab, as_of, names)

        plain, _ = timed(reread, min(args.repeat, 3))
        print(f"the same change rereading problems and events from the store             {plain:7.3f} s")
        cli, _ = timed(lambda: subprocess.run([sys.executable, "-m", "civmap", "progress", "--by", "district"],
                                              env={**os.environ, "CIVMAP_DATABASE_URL": url}, check=True,
                                              capture_output=True, cwd=ROOT), 3)
        print(f"python -m civmap progress --by district, whole command (imports included), median of 3  {cli:7.3f} s")
        summary = figures["summary"]
        print(f"check: backlog {summary['backlog']:,}, overdue {summary['overdue']:,}, "
              f"on-time rate {summary['on_time_rate']:.3f}, race enough={figures['race']['enough']}")
        engine.dispose()


if __name__ == "__main__":
    main()
