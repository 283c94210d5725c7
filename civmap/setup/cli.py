"""``python -m civmap status``: the office's set-up, stage by stage, and the next step.

It prints what the setup page shows: each stage in loading order with its count, the
counts per district, and how to load the first stage still missing.
"""

from __future__ import annotations

import argparse
import json
import unicodedata

import pandas as pd

from civmap.i18n import t
from civmap.setup.stages import CITY_LEVEL, SetupStatus, setup_status

__all__ = ["REGISTERS", "district_table", "import_command", "stage_lines", "stage_rows"]


def import_command(kind: str) -> str:
    """The command that loads ``kind`` (FILE stands for the office's own file)."""
    return f"python -m civmap import FILE --kind {kind}"


def stage_rows(status: SetupStatus, lang: str) -> list[dict]:
    """One row per stage, in loading order, labelled in ``lang``."""
    return [{"step": number, "stage": t(f"setup.stage.{stage.code}", lang), "kind": stage.kind,
             "count": stage.count,
             "state": t("setup.state.loaded" if stage.loaded else "setup.state.missing", lang)}
            for number, stage in enumerate(status.stages, start=1)]


def district_table(status: SetupStatus, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Counts per district (named by ``names``, the city-level row by its label) × stage."""
    table = status.by_district()
    table.index = [t("setup.city_level", lang) if c == CITY_LEVEL else names.get(c, c) for c in table.index]
    return table.rename(columns=lambda c: t(f"setup.stage.{c}", lang))


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def stage_lines(status: SetupStatus, lang: str) -> list[str]:
    """The stages as aligned lines: the counts line up in either language."""
    rows = stage_rows(status, lang)
    wide = max((_width(row["stage"]) for row in rows), default=0)
    return [f"{row['step']}. {row['stage']}{' ' * (wide - _width(row['stage']))}  {row['count']:>9,}  {row['state']}"
            for row in rows]


def _cmd_status(args: argparse.Namespace) -> int:
    from civmap.console import operator_store

    store = operator_store(seed_if_empty=False)
    status = setup_status(store)
    lang = args.lang
    table = district_table(status, store.district_names(lang), lang)
    following = status.next_stage
    if args.format == "json":
        print(json.dumps({"stages": [{"code": s.code, "kind": s.kind, "count": s.count, "loaded": s.loaded,
                                      "by_district": s.by_district} for s in status.stages],
                          "next": None if following is None else {"stage": following.code,
                                                                  "command": import_command(following.kind)},
                          "demo": status.is_demo}, ensure_ascii=False, indent=2))
        return 0
    if status.is_demo:
        print(t("setup.demo", lang))
    print("\n".join(stage_lines(status, lang)))
    print()
    print(t("setup.by_district", lang))
    if table.empty:
        print(t("setup.by_district.none", lang))
    else:
        with pd.option_context("display.unicode.east_asian_width", True):
            print(table.to_string())
    print()
    if following is None:
        print(t("setup.all_loaded", lang))
    else:
        print(f"{t('setup.next', lang)}: {t('setup.how.' + following.code, lang)}")
        print(f"  {import_command(following.kind)}")
    return 0


def register(sub) -> tuple[str, callable]:
    parser = sub.add_parser("status", help="what the office has loaded, stage by stage, and the next step")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    return "status", _cmd_status


REGISTERS = [register]
