"""The red and black lists (红黑榜): who closes on time, who falls behind.

Districts, streets or responsible units are ranked by their on-time rate (按期结案率,
see :mod:`civmap.progress.figures`) over a period, compared with the same-length period just
before it. The best are marked red (红榜) and the worst black (黑榜), as offices publish
them every two weeks.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from civmap.progress.timeline import Timeline, to_day
from civmap.progress.tally import tally

__all__ = ["BY_COLUMNS", "rank", "default_marks", "previous_period"]

#: ``by`` → the problems' column that names the responsible area or unit.
BY_COLUMNS = {"district": "district_code", "street": "street_code", "unit": "unit_code"}
RANK_COLUMNS = ["code", "name", "on_time_rate", "previous_rate", "change", "closed", "on_time", "overdue",
                "rank", "mark"]


def default_marks(ranked: int) -> int:
    """How many to mark red and black: a tenth of those ranked, at least 1, at most 10
    (offices reward a top ten and name the last), never so many that the lists meet, and
    none when fewer than two are ranked (one alone is no ranking)."""
    return int(min(10, max(1, round(ranked / 10)), ranked // 2))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before start..end (both inclusive)."""
    length = end - start + dt.timedelta(days=1)
    return start - length, start - dt.timedelta(days=1)


def rank(timeline: Timeline, by: str, start: dt.date, end: dt.date, names: dict[str, str],
         marks: int | None = None) -> pd.DataFrame:
    """Rank the areas or units of ``by`` (``district``, ``street`` or ``unit``) for start..end.

    Every code in ``names`` gets a row, and so does any other code the problems carry
    (named by itself). Columns: ``code``, ``name``, ``on_time_rate`` (None when the code
    closed nothing and has nothing overdue), ``previous_rate`` (the same number of days
    just before ``start``), ``change`` (rate − previous rate), ``closed`` and ``on_time``
    (closings in the period), ``overdue`` (open past the deadline at the end of ``end``),
    ``rank`` (1 = best; ties share the better rank; None without a rate) and ``mark``:
    ``"red"`` for the ``marks`` best ranks, ``"black"`` for the ``marks`` worst, else None
    (``marks`` defaults to :func:`default_marks`). Sorted by rank, unranked last.
    """
    if by not in BY_COLUMNS:
        raise ValueError(f"cannot rank by {by!r}; expected one of {', '.join(BY_COLUMNS)}")
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    codes = BY_COLUMNS[by]
    before_start, before_end = previous_period(start, end)
    now = tally(timeline, to_day(start), to_day(end), by=codes)
    before = tally(timeline, to_day(before_start), to_day(before_end), by=codes)

    index = pd.Index(list(dict.fromkeys([*names, *now.index])), name="code")
    now = now.reindex(index)
    table = pd.DataFrame({
        "code": index,
        "name": [names.get(code, code) for code in index],
        "on_time_rate": now["on_time_rate"].to_numpy(),
        "previous_rate": before["on_time_rate"].reindex(index).to_numpy(),
        "closed": now["closed"].fillna(0).astype(np.int64).to_numpy(),
        "on_time": now["on_time"].fillna(0).astype(np.int64).to_numpy(),
        "overdue": now["overdue"].fillna(0).astype(np.int64).to_numpy(),
    })
    table["change"] = table["on_time_rate"] - table["previous_rate"]
    best_first = table["on_time_rate"].rank(method="min", ascending=False)
    worst_first = table["on_time_rate"].rank(method="min", ascending=True)
    ranked = int(best_first.notna().sum())
    k = default_marks(ranked) if marks is None else int(marks)
    red = best_first <= k
    black = (worst_first <= k) & ~red
    table["rank"] = best_first.astype("Int64")
    table["mark"] = np.where(red, "red", np.where(black, "black", None))
    table["mark"] = table["mark"].astype(object).where(red | black, None)
    table = table.sort_values(["rank", "overdue", "code"], ascending=[True, False, True], na_position="last")
    return table[RANK_COLUMNS].reset_index(drop=True).astype({"on_time_rate": float, "previous_rate": float,
                                                               "change": float})
