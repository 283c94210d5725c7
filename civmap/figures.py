"""Headline figures for a selection: what the overview shows above its map.

Definitions (also shown as help text on the page):
- up to standard (达标率): share of points whose latest inspection was up to standard;
- open (未办结): problems not yet closed, including those reported fixed and awaiting a check;
- overdue (超期): problems still of status type ``open`` (not yet reported fixed) after
  their deadline day; a problem is on time on its deadline day itself;
- due soon (即将超期): problems of status type ``open`` whose deadline is today or within
  the next N days (``CIVMAP_DUE_SOON_DAYS``), so not yet overdue;
- closing rate (结案率): closed ÷ all problems of the selection, whatever the status filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from civmap.vocab import Vocabulary

__all__ = ["Headline", "headline", "overdue_mask", "overdue_days", "overdue_list", "due_soon_mask", "due_soon_list",
           "format_rate"]


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


def due_soon_mask(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date, days: int) -> pd.Series:
    """True where a problem not yet reported fixed is due today or within the next ``days`` days."""
    if problems.empty:
        return pd.Series(False, index=problems.index)
    deadline = pd.to_datetime(problems["deadline"])
    still_open = problems["status"].isin(vocab.statuses_of_type("open"))
    today = pd.Timestamp(as_of)
    return still_open & deadline.notna() & (deadline >= today) & (deadline <= today + pd.Timedelta(days=days))


def _deadline_table(chosen: pd.DataFrame, street_names: dict[str, str]) -> pd.DataFrame:
    """What a district head reads first (the problem, where, whose), then the rest."""
    return pd.DataFrame({
        "description": chosen["description"],
        "street": chosen["street_code"].map(lambda code: street_names.get(code, code))
        if "street_code" in chosen else pd.Series(None, index=chosen.index, dtype=object),
        "address": chosen["address"] if "address" in chosen else pd.Series(None, index=chosen.index, dtype=object),
        "unit": chosen.get("unit_name", chosen["unit_code"]),
    })


def overdue_list(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date, district_names: dict[str, str],
                 lang: str = "zh", street_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The overdue problems of a selection, most overdue first, with whose they are.

    What a district head reads first: which problem is late, on which street and at which
    address, which unit answers for it and by how long; then its id, category, district,
    point chief, status and deadline. Columns are codes turned into labels.
    """
    late = problems[overdue_mask(problems, vocab, as_of)]
    table = _deadline_table(late, street_names or {}).assign(
        days_overdue=overdue_days(late, as_of), **_rest(late, vocab, district_names, lang))
    return table.sort_values(["days_overdue", "id"], ascending=[False, True]).reset_index(drop=True)


def due_soon_list(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date, days: int,
                  district_names: dict[str, str], lang: str = "zh",
                  street_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The problems due soon (``due_soon_mask``), the nearest deadline first, with the
    days left (0: due today) where the overdue list has the days overdue."""
    soon = problems[due_soon_mask(problems, vocab, as_of, days)]
    left = (pd.to_datetime(soon["deadline"]) - pd.Timestamp(as_of)).dt.days.astype(int)
    table = _deadline_table(soon, street_names or {}).assign(
        days_left=left, **_rest(soon, vocab, district_names, lang))
    return table.sort_values(["days_left", "id"]).reset_index(drop=True)


def _rest(chosen: pd.DataFrame, vocab: Vocabulary, district_names: dict[str, str], lang: str) -> dict:
    return {
        "id": chosen["id"],
        "category": chosen["category"].map(vocab.labels("problem_categories", lang)).fillna(chosen["category"]),
        "district": chosen["district_code"].map(district_names).fillna(chosen["district_code"]),
        "chief": chosen["chief_name"],
        "status": chosen["status"].map(vocab.labels("statuses", lang)).fillna(chosen["status"]),
        "deadline": chosen["deadline"],
    }
