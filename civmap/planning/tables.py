"""The planner's three tables, kept as data an office can change.

``assessment_weights.csv`` (category, weight)
    how much the assessment weighs a point category, relative to 1.0 (a category not
    listed weighs 1.0);
``priority_parts.csv`` (part, coefficient)
    how many score points one unit of each part of the priority score is worth (see
    :mod:`civmap.planning.score`);
``category_quotas.csv`` (category, min_per_district)
    the office's own quota: the fewest assessment points of a category each district
    should have listed.

They live beside the vocabularies (``CIVMAP_VOCAB_DIR``); an office folder that does not
have them yet falls back to civmap's own, as optional vocabularies do.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

__all__ = ["PARTS", "WEIGHTS_FILE", "PARTS_FILE", "QUOTAS_FILE", "read_table", "category_weights",
           "part_coefficients", "district_quotas", "check_weights"]

#: The parts of the priority score, in the order they are shown.
PARTS = ("standard", "repeat", "open", "overdue", "age", "rebound")
WEIGHTS_FILE = "assessment_weights.csv"
PARTS_FILE = "priority_parts.csv"
QUOTAS_FILE = "category_quotas.csv"
_OWN_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "vocab"


def read_table(vocab_dir: str | Path, name: str) -> pd.DataFrame:
    """The office's ``name`` from ``vocab_dir``, else civmap's own copy (text cells)."""
    path = Path(vocab_dir) / name
    if not path.exists():
        path = _OWN_DIR / name
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _numbers(frame: pd.DataFrame, key: str, value: str, where: str, whole: bool = False,
             start: int = 2) -> dict[str, float]:
    """``key`` → number, checked row by row; a bad row is named in the error."""
    for column in (key, value):
        if column not in frame.columns:
            raise ValueError(f"{where}: missing column {column!r}")
    out: dict[str, float] = {}
    for line, (code, text) in enumerate(zip(frame[key], frame[value]), start=start):
        code = str(code).strip()
        try:
            number = float(str(text).strip())
        except ValueError:
            raise ValueError(f"{where} row {line} ({code}): {value} {text!r} is not a number") from None
        if not math.isfinite(number) or number < 0 or (whole and not number.is_integer()):
            kind = "a whole number of 0 or more" if whole else "a number of 0 or more"
            raise ValueError(f"{where} row {line} ({code}): {value} {text!r} must be {kind}")
        if not code:
            raise ValueError(f"{where} row {line}: no {key}")
        if code in out:
            raise ValueError(f"{where} row {line}: {key} {code!r} is listed twice")
        out[code] = number
    return out


def category_weights(vocab_dir: str | Path) -> dict[str, float]:
    """Point category → assessment weight (a category not listed weighs 1.0)."""
    return _numbers(read_table(vocab_dir, WEIGHTS_FILE), "category", "weight", WEIGHTS_FILE)


def part_coefficients(vocab_dir: str | Path) -> dict[str, float]:
    """Score points per unit of each part; every part of :data:`PARTS` must be given."""
    coefficients = _numbers(read_table(vocab_dir, PARTS_FILE), "part", "coefficient", PARTS_FILE)
    unknown = sorted(set(coefficients) - set(PARTS))
    missing = [p for p in PARTS if p not in coefficients]
    if unknown or missing:
        raise ValueError(f"{PARTS_FILE}: expected the parts {', '.join(PARTS)}"
                         + (f"; unknown {', '.join(unknown)}" if unknown else "")
                         + (f"; missing {', '.join(missing)}" if missing else ""))
    return coefficients


def district_quotas(vocab_dir: str | Path) -> dict[str, int]:
    """Point category → fewest points each district should have listed."""
    quotas = _numbers(read_table(vocab_dir, QUOTAS_FILE), "category", "min_per_district", QUOTAS_FILE, whole=True)
    return {code: int(n) for code, n in quotas.items()}


def check_weights(edited: pd.DataFrame, where: str = "weights") -> tuple[dict[str, float], list[str]]:
    """Weights edited on the page (columns ``category``, ``weight``): the good rows as a dict
    and one message per bad row, so one mistyped cell loses nothing else."""
    good: dict[str, float] = {}
    problems: list[str] = []
    for line, (code, value) in enumerate(zip(edited["category"], edited["weight"]), start=1):
        try:
            good.update(_numbers(pd.DataFrame({"category": [code], "weight": [value]}), "category", "weight",
                                 where, start=line))
        except ValueError as error:
            problems.append(str(error))
    return good, problems
