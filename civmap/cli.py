"""The operators' command line: ``python -m civmap SUBCOMMAND``.

Each subcommand is a function taking parsed arguments and returning an exit code;
``register`` functions add their parser so later subcommands (circles, progress,
import, export) plug in without touching the others.

An operator gets one line on stderr for anything that can go wrong with their input,
files or store (``EXPECTED_ERRORS``) and a non-zero exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from typing import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from civmap.accounts import cli as accounts_cli
from civmap.bulletin import cli as bulletin_cli
from civmap.circles import cli as circles_cli
from civmap.config import load_settings
from civmap.console import operator_store, print_frame
from civmap.ledger import cli as ledger_cli
from civmap.maps import cli as maps_cli
from civmap.planning import cli as planning_cli
from civmap.progress import cli as progress_cli
from civmap.setup import cli as setup_cli
from civmap.storage import SchemaMismatch
from civmap.storage import cli as storage_cli

__all__ = ["EXPECTED_ERRORS", "main", "build_parser", "one_line"]

Handler = Callable[[argparse.Namespace], int]

#: What bad input, a bad file or an unusable store raise: reported in one line, exit 2.
#: (``LedgerError`` is a ValueError; ``UnicodeError`` and ``json`` errors are too.)
EXPECTED_ERRORS = (ValueError, OSError, SQLAlchemyError, SchemaMismatch)

#: The largest demo: a hundred times the reported city is already a million problems.
MAX_SCALE = 100.0


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value <= MAX_SCALE):
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most {MAX_SCALE:g}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _cmd_seed(args: argparse.Namespace) -> int:
    from civmap.demo.seed import seed_demo
    from civmap.storage import create_schema, make_engine

    settings = load_settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    counts = seed_demo(engine, seed=args.seed if args.seed is not None else settings.demo_seed,
                       scale=args.scale, as_of=args.as_of, replace_office_data=args.replace_office_data)
    for name, count in counts.items():
        print(f"{name:16} {count:>9,}")
    print(f"seeded {settings.database_url}")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from civmap.storage.stats import layer_counts

    store = operator_store()
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


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake said in one line (the usage is one ``--help`` away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = _Parser(prog="python -m civmap", description="civmap operators' commands")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the Python traceback instead of a one-line message")
    parser.add_argument("--as", dest="acting_as", metavar="LOGIN", default=None,
                        help="act as this account: its role's area only, its name in the audit trail "
                             "(default: the operator, the whole city)")
    sub = parser.add_subparsers(dest="command", required=True)  # subcommands are _Parsers too
    handlers: dict[str, Handler] = {}

    seed = sub.add_parser("seed", help="build the demo city into the configured store (replaces its data)")
    seed.add_argument("--seed", type=int, default=None, help="random seed (default: CIVMAP_DEMO_SEED)")
    seed.add_argument("--scale", type=_scale, default=1.0, help="multiply point and problem counts")
    seed.add_argument("--as-of", type=_date, default=None,
                      help="the demo's 'today', YYYY-MM-DD (default: the city's today)")
    seed.add_argument("--replace-office-data", action="store_true",
                      help="seed even a store holding an office's own imported data (deletes it)")
    handlers["seed"] = _cmd_seed

    stats = sub.add_parser("stats", help="counts per layer and per district")
    stats.add_argument("--format", choices=("table", "json", "csv"), default="table")
    handlers["stats"] = _cmd_stats

    for register in _plugins():
        name, handler = register(sub)
        handlers[name] = handler
    return parser, handlers


#: Further subcommands, defined next to the code they expose: each module has ``REGISTERS``,
#: a list of ``register(subparsers) -> (name, handler)`` functions.
SUBCOMMAND_MODULES = (circles_cli, progress_cli, ledger_cli, setup_cli, storage_cli, bulletin_cli,
                      accounts_cli, planning_cli, maps_cli)


def _plugins() -> list[Callable]:
    return [register for module in SUBCOMMAND_MODULES for register in module.REGISTERS]


def one_line(error: BaseException) -> str:
    """An error as one line: a database error by its driver's message, without the SQL."""
    if isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None)
        text = f"store: {cause}" if cause is not None else f"store: {error}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.acting_as:
            from civmap.console import act_as

            act_as(args.acting_as)
        return handlers[args.command](args)
    except EXPECTED_ERRORS as error:
        if args.debug:
            raise
        print(f"error: {one_line(error)} (--debug shows the traceback)", file=sys.stderr)
        return 2
    finally:
        if args.acting_as:  # ``--as`` names the account of this command only (main may be called again)
            from civmap.console import stop_acting

            stop_acting()
