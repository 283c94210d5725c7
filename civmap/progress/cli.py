"""``python -m civmap progress``: the Progress page's figures on the command line.

The same functions as the page and the overview compute the same figures, so the three
agree; by default the period is the page's (the last ``TREND_DAYS`` days to today).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Callable

import pandas as pd

from civmap.console import print_frame
from civmap.config import load_settings
from civmap.i18n import t
from civmap.progress.figures import TREND_DAYS, timeline_race, timeline_summary, summary_by
from civmap.progress.history import read_history
from civmap.progress.tally import COUNT_COLUMNS, RATE_COLUMNS
from civmap.progress.text import race_message
from civmap.vocab import load_vocabulary

__all__ = ["REGISTERS", "progress_table"]

#: ``--by`` → the problems' column it groups by.
BY = {"district": "district_code", "category": "category", "unit": "unit_code"}
_RATES = ("closing_rate", "on_time_rate", "rework_rate")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _register(sub) -> tuple[str, Callable[[argparse.Namespace], int]]:
    parser = sub.add_parser("progress", help="rectification progress: flows, backlog, rates, race (整改进度)")
    parser.add_argument("--by", choices=tuple(BY), default=None, help="one row per district, category or unit")
    parser.add_argument("--since", type=_date, default=None, help=f"first day, YYYY-MM-DD (default: {TREND_DAYS} "
                                                                   "days before --until)")
    parser.add_argument("--until", type=_date, default=None, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--assessment-date", type=_date, default=None,
                        help="the assessment date for the race (default: CIVMAP_ASSESSMENT_DATE)")
    parser.add_argument("--target", type=int, default=0, help="backlog allowed on the assessment date (default 0)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of names (default: CIVMAP_LANG)")
    return "progress", _run


def progress_table(timeline, by: str | None, start: dt.date, end: dt.date, names: dict[str, str],
                   lang: str = "zh") -> pd.DataFrame:
    """One row per group of ``by`` (if given), then the total row (code ``*``)."""
    total = timeline_summary(timeline, start, end)
    total_row = pd.DataFrame([{"code": "*", "name": t("progress.cli.all", lang),
                               **{k: total[k] for k in (*COUNT_COLUMNS, *RATE_COLUMNS)}}])
    if by is None:
        return total_row
    rows = summary_by(timeline, BY[by], start, end, names)
    return pd.concat([rows, total_row], ignore_index=True)


def _names(store, vocab, by: str | None, lang: str) -> dict[str, str]:
    if by == "district":
        return store.district_names(lang)
    if by == "category":
        return vocab.labels("problem_categories", lang)
    if by == "unit":
        return store.units().set_index("code")["name"].to_dict()
    return {}


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """Rates as percentages and days to one decimal, for reading in a terminal."""
    out = table.copy()
    for column in _RATES:
        out[column] = out[column].map(lambda v: "—" if pd.isna(v) else f"{v * 100:.1f}%")
    for column in ("median_days", "p90_days"):
        out[column] = out[column].map(lambda v: "—" if pd.isna(v) else f"{v:.1f}")
    return out


def _run(args: argparse.Namespace) -> int:
    from civmap.console import operator_store

    settings = load_settings()
    lang = args.lang or settings.lang
    vocab = load_vocabulary(settings.vocab_dir)
    store = operator_store()
    as_of = store.as_of()
    end = args.until or as_of
    start = args.since or end - dt.timedelta(days=TREND_DAYS - 1)
    if end < start:
        raise ValueError(f"--until {end} is before --since {start}")
    if args.target < 0:
        raise ValueError(f"--target must be 0 or more, not {args.target}")
    timeline = read_history(store, vocab).timeline
    table = progress_table(timeline, args.by, start, end, _names(store, vocab, args.by, lang), lang)
    race = timeline_race(timeline, as_of, args.assessment_date or settings.assessment_date, args.target)
    if args.format == "json":
        payload = {"start": start, "end": end, "as_of": as_of, "by": args.by,
                   "rows": json.loads(table.to_json(orient="records", force_ascii=False)), "race": race}
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    elif args.format == "csv":
        print_frame(table, "csv")
    else:
        print(t("progress.cli.period", lang, start=start, end=end, as_of=as_of))
        print_frame(_shown(table), "table")
        print()
        print(race_message(race, lang))
    return 0


REGISTERS = [_register]
