"""Headline figures for a selection: what the overview shows above its map.

Definitions (also shown as help text on the page):
- up to standard (达标率): share of points whose latest inspection was up to standard;
- open (未办结): problems not yet closed, including those reported fixed and awaiting a check;
- overdue (超期): problems still of status type ``open`` (not yet reported fixed) after
  their deadline day; a problem is on time on its deadline day itself;
- closing rate (结案率): closed ÷ all problems of the selection, whatever the status filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from civmap.vocab import Vocabulary

__all__ = ["Headline", "headline", "overdue_mask", "overdue_days", "overdue_list", "format_rate"]


def format_rate(value: float | None) -> str:
    """A share as a percentage with one decimal; "—" when there is nothing to divide."""
    return "—" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Headline:
    points: int
    up_to_standard: int
    up_to_standard_rate: float | None
    circles: int
    alleys: int
    problems: int
    open: int
    overdue: int
    closed: int
    closing_rate: float | None
    as_of: dt.date

    def as_dict(self) -> dict:
        return asdict(self)


def overdue_mask(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date) -> pd.Series:
    """True where a problem is not yet reported fixed and its deadline day has passed."""
    if problems.empty:
        return pd.Series(False, index=problems.index)
    deadline = pd.to_datetime(problems["deadline"])
    still_open = problems["status"].isin(vocab.statuses_of_type("open"))
    return still_open & deadline.notna() & (deadline < pd.Timestamp(as_of))


def overdue_days(problems: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Whole days past the deadline (0 when not past it); pair with ``overdue_mask``."""
    deadline = pd.to_datetime(problems["deadline"])
    return (pd.Timestamp(as_of) - deadline).dt.days.clip(lower=0).fillna(0).astype(int)


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def headline(points: pd.DataFrame, circles: pd.DataFrame, alleys: pd.DataFrame, problems: pd.DataFrame,
             vocab: Vocabulary, as_of: dt.date, statuses: tuple[str, ...] = ()) -> Headline:
    """Figures for the selection. ``problems`` is the selection before any status filter;
    ``statuses`` then narrows only the open and overdue counts, so that a status filter
    changes what is listed without turning the closing rate into nonsense."""
    inspected = points["up_to_standard"].notna() if "up_to_standard" in points else pd.Series(dtype=bool)
    up = int(points.loc[inspected, "up_to_standard"].astype(bool).sum()) if len(points) else 0
    chosen = problems[problems["status"].isin(statuses)] if statuses else problems
    unresolved = chosen["status"].isin(vocab.unresolved_statuses)
    closed = int(problems["status"].isin(vocab.closed_statuses).sum())
    return Headline(
        points=len(points),
        up_to_standard=up,
        up_to_standard_rate=_rate(up, int(inspected.sum())),
        circles=len(circles),
        alleys=len(alleys),
        problems=len(problems),
        open=int(unresolved.sum()),
        overdue=int(overdue_mask(chosen, vocab, as_of).sum()),
        closed=closed,
        closing_rate=_rate(closed, len(problems)),
        as_of=as_of,
    )


def overdue_list(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date, district_names: dict[str, str],
                 lang: str = "zh") -> pd.DataFrame:
    """The overdue problems of a selection, most overdue first, with whose they are.

    What a district head reads first: which problems are late, by how long, and which
    unit and point chief answer for each. Columns are codes turned into labels.
    """
    late = problems[overdue_mask(problems, vocab, as_of)]
    table = pd.DataFrame({
        "id": late["id"],
        "description": late["description"],
        "category": late["category"].map(vocab.labels("problem_categories", lang)).fillna(late["category"]),
        "district": late["district_code"].map(district_names).fillna(late["district_code"]),
        "unit": late.get("unit_name", late["unit_code"]),
        "chief": late["chief_name"],
        "status": late["status"].map(vocab.labels("statuses", lang)).fillna(late["status"]),
        "deadline": late["deadline"],
        "days_overdue": overdue_days(late, as_of),
    })
    return table.sort_values(["days_overdue", "id"], ascending=[False, True]).reset_index(drop=True)
