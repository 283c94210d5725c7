"""Benchmark: the Planning page's ranked list and what-if after a change, demo city and ``--scale 10``.

For each store: the time to read it and build the planner's inputs (``load_planning``:
what the app does once per data version), then, median of ``--repeat`` runs, what a
change on the page recomputes from those inputs: the score with an edited category
weight, the ranked list at all four levels, and the what-if of a plan (the five top
circles and ten top points). Beside it, the plain approach: the same after rereading
the whole store each time. Targets on this machine: under 1 s for the demo city, under
2 s at scale 10.

Run from the repository root::

    python bench/bench_planning.py                       # seeds scale 1 and 10 in a temp folder
    python bench/bench_planning.py --db sqlite:///var/demo.sqlite --db sqlite:///var/bench10.sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civmap import clock  # noqa: E402
from civmap.config import load_settings  # noqa: E402
from civmap.demo.seed import seed_demo  # noqa: E402
from civmap.planning.inputs import load_planning  # noqa: E402
from civmap.planning.rank import KINDS, rank_places  # noqa: E402
from civmap.planning.score import score_places  # noqa: E402
from civmap.planning.tables import category_weights, part_coefficients  # noqa: E402
from civmap.planning.whatif import district_figures, what_if  # noqa: E402
from civmap.storage import create_schema, make_engine  # noqa: E402
from civmap.storage.store import Store  # noqa: E402
from civmap.vocab import load_vocabulary  # noqa: E402
from timing import timed  # noqa: E402

SEED = 20240601



def after_a_change(data, vocab, weights, coefficients, before, turn: int) -> dict:
    """What one rerun of the page computes once a weight or the plan changed."""
    edited = {**weights, "farmers_market": weights.get("farmers_market", 1.0) + 0.1 * turn}
    scored = score_places(data.facts, edited, coefficients)
    ranked = {kind: rank_places(scored, kind, data.circles, data.members, top=30) for kind in KINDS}
    plan = [("circle", k) for k in ranked["circle"]["key"].head(5)] + \
        [("point", k) for k in ranked["point"]["key"].head(10)]
    at = dt.datetime.combine(data.as_of, clock.now().time())
    return {"ranked": ranked, "effect": what_if(plan, data, vocab, at, before=before)}


def bench(url: str, repeat: int, vocab, settings) -> None:
    store = Store(make_engine(url))
    counts = store.counts()
    print(f"\n{url}\n  points {counts['points']:>8,}   problems {counts['problems']:>8,}   events {counts['events']:>8,}")
    prepared, data = timed(lambda: load_planning(store, vocab, settings), 1)
    print(f"  read the store and build the inputs (once per data version)   {prepared:7.3f} s")
    weights, coefficients = category_weights(settings.vocab_dir), part_coefficients(settings.vocab_dir)
    before = district_figures(data.points, data.problems, data.timeline, vocab, data.as_of)
    turns = iter(range(10_000))
    change, result = timed(lambda: after_a_change(data, vocab, weights, coefficients, before, next(turns)), repeat)
    target = 1.0 if counts["problems"] < 50_000 else 2.0
    print(f"  after a change: score, 4 ranked lists, what-if (median of {repeat})   {change:7.3f} s   "
          f"{'OK' if change < target else 'OVER'} (target < {target:g} s)")
    plain, _ = timed(lambda: after_a_change(load_planning(store, vocab, settings), vocab, weights, coefficients,
                                             None, 0), 1)
    print(f"  plain approach: reread the store and recompute every time        {plain:7.3f} s")
    effect = result["effect"]
    print(f"  check: plan covers {len(effect.places):,} places, closes {effect.closes_open:,} problems "
          f"({effect.closes_overdue:,} overdue); top circle {result['ranked']['circle']['key'].iloc[0]}")
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=None, help="store URL (repeat; default: seed scale 1 and 10)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    vocab, settings = load_vocabulary(), load_settings()
    with tempfile.TemporaryDirectory(prefix="civmap-bench-planning-") as folder:
        urls = args.db
        if not urls:
            urls = []
            for scale in (1.0, 10.0):
                url = f"sqlite:///{folder}/scale{scale:g}.sqlite"
                engine = make_engine(url)
                create_schema(engine)
                start = time.perf_counter()
                seed_demo(engine, seed=SEED, scale=scale)
                engine.dispose()
                print(f"seeded scale {scale:g} in {time.perf_counter() - start:.1f} s")
                urls.append(url)
        for url in urls:
            bench(url, args.repeat, vocab, settings)


if __name__ == "__main__":
    main()
