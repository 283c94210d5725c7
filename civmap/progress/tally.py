"""A period's progress figures per group (district, street, unit, category ...), by array counting.

Definitions are those of :mod:`civmap.progress.figures`; this module only counts them, one
``np.bincount`` per figure over the events of the period, so a hundred thousand problems
cost no more than a few passes over their event arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmap.progress.timeline import Timeline

__all__ = ["COUNT_COLUMNS", "RATE_COLUMNS", "tally", "rate"]

COUNT_COLUMNS = ("found", "closed", "on_time", "reopened", "failed", "backlog", "overdue", "total")
RATE_COLUMNS = ("closing_rate", "on_time_rate", "rework_rate", "median_days", "p90_days")
#: The one group of an ungrouped tally.
ALL = "*"


def rate(part, whole):
    """part ÷ whole, NaN where whole is 0 (a rate of nothing is unknown, not 0 %)."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.nan)


def _groups(timeline: Timeline, by: str | None) -> tuple[np.ndarray, pd.Index]:
    """Group number of each problem row (-1: no group) and the group codes."""
    if by is None:
        return np.zeros(len(timeline.problems), dtype=np.int64), pd.Index([ALL])
    return timeline.group_numbers(by)


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (flows and end levels: a period per row) with its closing, on-time and
    rework rates added; the definitions are in ``civmap.progress.figures``."""
    return frame.assign(
        closing_rate=rate(frame["total"] - frame["backlog"], frame["total"]),
        on_time_rate=rate(frame["on_time"], frame["closed"] + frame["overdue"]),
        rework_rate=rate(frame["failed"] + frame["reopened"], frame["failed"] + frame["closed"]))


def _count(group_of_problem: np.ndarray, pidx: np.ndarray, n: int) -> np.ndarray:
    groups = group_of_problem[pidx]
    return np.bincount(groups[groups >= 0], minlength=n)[:n]


def tally(timeline: Timeline, start: int, end: int, by: str | None = None) -> pd.DataFrame:
    """The figures of the period (day numbers ``start``..``end`` inclusive) per group.

    ``by`` names a column of ``timeline.problems`` (e.g. ``district_code``); problems with
    a missing code are left out. Returns one row per group code (one row, ``"*"``, when
    ``by`` is None) with ``COUNT_COLUMNS`` and ``RATE_COLUMNS``.
    """
    group, index = _groups(timeline, by)
    n = len(index)
    window = (timeline.day >= start) & (timeline.day <= end)
    counts: dict[str, np.ndarray] = {}
    for name, mask in (("found", timeline.found), ("closed", timeline.closing), ("on_time", timeline.on_time),
                       ("reopened", timeline.reopening), ("failed", timeline.failed_check)):
        counts[name] = _count(group, timeline.pidx[mask & window], n)
    for name, (pidx, lo, hi) in (("backlog", timeline.backlog_spans()), ("overdue", timeline.overdue_spans())):
        counts[name] = _count(group, pidx[(lo <= end) & (end < hi)], n)
    counts["total"] = _count(group, timeline.pidx[timeline.found & (timeline.day <= end)], n)
    table = with_rates(pd.DataFrame(counts, index=index).astype(np.int64))

    closings = timeline.closing & window
    spent = pd.DataFrame({"group": group[timeline.pidx[closings]],
                          "days": (timeline.day[closings] - timeline.cycle_start[closings]).astype(float)})
    spent = spent[spent["group"] >= 0].groupby("group")["days"]
    for name, q in (("median_days", 0.5), ("p90_days", 0.9)):
        values = spent.quantile(q) if len(index) else pd.Series(dtype=float)
        table[name] = values.reindex(range(n)).to_numpy()
    table.index.name = "code"
    return table
