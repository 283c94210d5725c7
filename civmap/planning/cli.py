"""``python -m civmap priorities``: the Planning page's ranked list on the command line.

Each row has its score and the parts that made it (``part_*``, in score points) beside
the facts they come from, computed by the same functions as the page.
"""

from __future__ import annotations

import argparse
from typing import Callable

import pandas as pd

from civmap.console import operator_store, print_frame
from civmap.config import load_settings
from civmap.planning.inputs import load_planning
from civmap.planning.rank import KINDS, rank_places
from civmap.planning.score import score_places
from civmap.planning.tables import category_weights, part_coefficients
from civmap.vocab import load_vocabulary

__all__ = ["REGISTERS", "priorities_table"]


def _top(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _register(sub) -> tuple[str, Callable[[argparse.Namespace], int]]:
    parser = sub.add_parser("priorities", help="where effort buys the most points: the planner's ranked list (短板分析)")
    parser.add_argument("--district", action="append", default=None, metavar="D",
                        help="district code (repeat for several; default: all)")
    parser.add_argument("--kind", choices=KINDS, default="circle", help="what to rank (default: circle)")
    parser.add_argument("--top", type=_top, default=20, help="rows to print (default 20)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of names (default: CIVMAP_LANG)")
    return "priorities", _run


def priorities_table(store, settings, vocab, kind: str, districts=(), top: int | None = None,
                     lang: str = "zh") -> pd.DataFrame:
    """The ranked list with district and category names in ``lang`` and rounded figures."""
    known = set(store.districts()["code"])
    unknown = sorted(set(districts) - known)
    if unknown:
        raise ValueError(f"--district: unknown district code(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(known)) or 'none'}")
    data = load_planning(store, vocab, settings)
    scored = score_places(data.facts, category_weights(settings.vocab_dir), part_coefficients(settings.vocab_dir))
    table = rank_places(scored, kind, data.circles, data.members, districts=tuple(districts), top=top)
    names = store.district_names(lang)
    table.insert(table.columns.get_loc("district_code") + 1, "district",
                 table["district_code"].map(names).fillna(table["district_code"]))
    kind_of = "centre_kinds" if kind == "circle" else "point_categories"
    table["category"] = table["category"].map(vocab.labels(kind_of, lang)).fillna(table["category"])
    if kind == "category":
        table["name"] = table["category"]
    numbers = table.select_dtypes("float").columns
    table[numbers] = table[numbers].round(3)
    return table


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = operator_store()
    table = priorities_table(store, settings, load_vocabulary(settings.vocab_dir), args.kind, args.district or (),
                             args.top, args.lang or settings.lang)
    print_frame(table, args.format)
    return 0


REGISTERS = [_register]
