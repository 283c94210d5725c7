"""The priority score (优先级): what the assessment would punish at a place, in points.

Each part is a fact of the place (see :mod:`civmap.planning.facts`) times its coefficient
(``priority_parts.csv``) times the assessment weight ``w`` of the place's category
(``assessment_weights.csv``; 1.0 when not listed)::

    standard = c_standard × w × below × (1 + depth)   failing now, and how far below
    repeat   = c_repeat   × w × repeat_rate           failed often in its last inspections
    open     = c_open     × w × open                  problems not yet closed
    overdue  = c_overdue  × w × overdue               of them, past their deadline
    age      = c_age      × w × age_months            how long they have stayed open
    rebound  = c_rebound  × w × rebound_rate          closed problems that came back

    score = standard + repeat + open + overdue + age + rebound

With the shipped coefficients (10, 10, 1, 2, 1, 5), a point that fails now weighs as
much as ten open problems, and one that failed in all its recent inspections as much
again. A circle, a category of a district, scores the sum of its places' scores, so the
score reads as "what fixing it all would be worth".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmap.planning.tables import PARTS

__all__ = ["PARTS", "PART_FACTS", "part_column", "score_places", "breakdown"]

#: Each part's fact, and what it is counted out of (None: a plain count).
PART_FACTS = {"standard": ("below", "places"), "repeat": ("failed", "recent"), "open": ("open", None),
              "overdue": ("overdue", None), "age": ("age_months", None), "rebound": ("reopenings", "closings")}


def part_column(part: str) -> str:
    return f"part_{part}"


def score_places(facts: pd.DataFrame, weights: dict[str, float], coefficients: dict[str, float]) -> pd.DataFrame:
    """``facts`` with the category ``weight``, one ``part_<part>`` column per part and ``score``.

    ``weights`` maps point categories to their assessment weight (missing: 1.0);
    ``coefficients`` must give every part of :data:`PARTS`.
    """
    missing = [p for p in PARTS if p not in coefficients]
    if missing:
        raise ValueError(f"no coefficient for the part(s) {', '.join(missing)}")
    w = facts["category"].map(weights).fillna(1.0).to_numpy(dtype=float)
    amounts = {
        "standard": facts["below"].to_numpy(dtype=float) * (1.0 + facts["depth"].to_numpy(dtype=float)),
        "repeat": facts["repeat_rate"].to_numpy(dtype=float),
        "open": facts["open"].to_numpy(dtype=float),
        "overdue": facts["overdue"].to_numpy(dtype=float),
        "age": facts["age_months"].to_numpy(dtype=float),
        "rebound": facts["rebound_rate"].to_numpy(dtype=float),
    }
    out = facts.assign(weight=w)
    total = np.zeros(len(facts))
    for part in PARTS:
        points = float(coefficients[part]) * w * amounts[part]
        out[part_column(part)] = points
        total += points
    out["score"] = total
    return out


def breakdown(row: pd.Series) -> pd.DataFrame:
    """How one ranked row's score was made: per part its fact (``value`` out of ``of``,
    NaN when a plain count), its ``points`` and its ``share`` of the score."""
    score = float(row["score"])
    rows = []
    for part in PARTS:
        fact, whole = PART_FACTS[part]
        points = float(row[part_column(part)])
        rows.append({"part": part, "value": float(row[fact]), "of": float(row[whole]) if whole else np.nan,
                     "points": points, "share": points / score if score > 0 else np.nan})
    return pd.DataFrame(rows)
