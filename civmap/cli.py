"""The operators' command line: ``python -m civmap SUBCOMMAND``.

Each subcommand is a function taking parsed arguments and returning an exit code;
``register`` functions add their parser so later subcommands (circles, progress,
import, export) plug in without touching the others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Callable, Sequence

import pandas as pd

from civmap.config import load_settings

__all__ = ["main", "build_parser", "print_frame"]

Handler = Callable[[argparse.Namespace], int]


def print_frame(frame: pd.DataFrame, fmt: str, out=None) -> None:
    """Print a table as aligned text, CSV or JSON records (UTF-8, Chinese kept as is)."""
    out = out or sys.stdout
    if fmt == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso") + "\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    else:
        out.write(frame.to_string(index=False) + "\n")


def _open(args: argparse.Namespace, seed_if_empty: bool | None = None):
    from civmap.db import open_store

    return open_store(load_settings(), seed_if_empty=seed_if_empty)


def _cmd_seed(args: argparse.Namespace) -> int:
    from civmap.db import create_schema, make_engine, seed_demo

    settings = load_settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    counts = seed_demo(engine, seed=args.seed if args.seed is not None else settings.demo_seed,
                       scale=args.scale, as_of=as_of)
    for name, count in counts.items():
        print(f"{name:16} {count:>9,}")
    print(f"seeded {settings.database_url}")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from civmap.stats import layer_counts

    store = _open(args)
    by_district, totals = layer_counts(store)
    if args.format == "json":
        payload = {"totals": totals, "districts": by_district.to_dict(orient="records")}
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print_frame(by_district, args.format)
        if args.format == "table":
            print()
            for key, value in totals.items():
                print(f"{key:16} {value:>9,}")
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = argparse.ArgumentParser(prog="python -m civmap", description="civmap operators' commands")
    sub = parser.add_subparsers(dest="command", required=True)
    handlers: dict[str, Handler] = {}

    seed = sub.add_parser("seed", help="build the demo city into the configured store (replaces its data)")
    seed.add_argument("--seed", type=int, default=None, help="random seed (default: CIVMAP_DEMO_SEED)")
    seed.add_argument("--scale", type=float, default=1.0, help="multiply point and problem counts")
    seed.add_argument("--as-of", default=None, help="the demo's 'today', YYYY-MM-DD (default: today)")
    handlers["seed"] = _cmd_seed

    stats = sub.add_parser("stats", help="counts per layer and per district")
    stats.add_argument("--format", choices=("table", "json", "csv"), default="table")
    handlers["stats"] = _cmd_stats

    for register in _plugins():
        name, handler = register(sub)
        handlers[name] = handler
    return parser, handlers


#: Modules that define further subcommands next to the code they expose; each has
#: ``REGISTERS``, a list of ``register(subparsers) -> (name, handler)`` functions.
SUBCOMMAND_MODULES: tuple[str, ...] = ("civmap.circles_cli", "civmap.progress_cli", "civmap.ledger_cli",
                                       "civmap.store_cli")


def _plugins() -> list[Callable]:
    import importlib

    return [register for name in SUBCOMMAND_MODULES for register in importlib.import_module(name).REGISTERS]


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except ValueError as error:  # bad input from the operator: say what, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
