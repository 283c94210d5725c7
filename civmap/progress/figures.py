"""Rectification progress (整改进度): flows, backlog, rates and the race to the assessment date.

Every figure is counted from the problems' status events (see
:mod:`civmap.progress.timeline`), so the figure for any past day is what the timeline said at
the end of that day. Definitions (the page shows them in Chinese, ``progress.def.*``):

found (新发现)
    a problem's first event falls on the day.
closed (销号)
    an event into a status of type ``closed`` from one that is not; a problem closed,
    reopened and closed again is closed twice.
reopened (反弹)
    an event out of a closed status: a closed problem has come back.
backlog (积压, 未销号)
    problems found by the end of the day whose status then is not of type ``closed``
    (open, or reported fixed and awaiting the check).
overdue (超期)
    problems whose status at the end of the day is of type ``open`` (not yet reported
    fixed) and whose deadline in force (the last one an event set) is before that day; a
    problem is not overdue on its deadline day itself, nor ever without a deadline.
closed on time (按期销号)
    a closing on or before the deadline in force when it happened; a problem with no
    deadline is on time whenever it is closed.
on-time rate (按期结案率)
    closed on time in the period ÷ (closed in the period + overdue at the period's end),
    so that problems left open past their deadline count against the rate.
closing rate (结案率)
    problems closed at the end of the period ÷ problems found by then (the overview's
    closing rate, as it stood that day).
rework rate (返工率)
    (failed checks + reopenings) ÷ (failed checks + closings), all in the period; a failed
    check is a reported fix sent back (status type ``fixed`` → ``open``).
days to close (销号用时)
    for each closing in the period, calendar days from the start of its round (the day
    found, or the day reopened) to the day closed; same day = 0. Percentiles interpolate
    linearly (numpy's default).
pace (销号速度)
    closings per day over the ``PACE_DAYS`` days ending on ``as_of`` (inclusive); the net
    pace subtracts problems found and reopened per day over the same days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from civmap.progress.timeline import Timeline, build_timeline, to_date, to_day
from civmap.progress.rank import BY_COLUMNS, default_marks, previous_period, rank
from civmap.progress.tally import tally, with_rates
from civmap.vocab import Vocabulary

__all__ = [
    "DAILY_COLUMNS", "PACE_DAYS", "RECENT_DAYS", "LIST_DAYS", "TREND_DAYS", "Timeline", "build_timeline",
    "daily_counts", "daily_figures", "weekly_figures", "summary", "summary_by", "ranking", "race",
    "timeline_daily", "timeline_summary", "timeline_race", "rank", "BY_COLUMNS", "default_marks", "previous_period", "with_rates",
]

#: Columns of :func:`daily_counts`.
DAILY_COLUMNS = ("found", "closed", "reopened", "backlog", "overdue")
#: Days over which the closing pace is measured.
PACE_DAYS = 14
#: "This week" on the overview: the last 7 days, today included.
RECENT_DAYS = 7
#: Default period of the red and black lists (every two weeks, as offices publish them).
LIST_DAYS = 14
#: Default span of the Progress page's charts.
TREND_DAYS = 90


def _levels(lo: np.ndarray, hi: np.ndarray, start: int, end: int) -> np.ndarray:
    """For each day start..end, how many spans [lo, hi) contain it."""
    n = end - start + 1
    lo = np.maximum(lo, start)
    hi = np.minimum(hi, end + 1)
    live = lo < hi
    steps = (np.bincount(lo[live] - start, minlength=n + 1)
             - np.bincount(hi[live] - start, minlength=n + 1))
    return np.cumsum(steps)[:n]


def _per_day(mask: np.ndarray, timeline: Timeline, start: int, end: int) -> np.ndarray:
    days = timeline.day[mask]
    days = days[(days >= start) & (days <= end)]
    return np.bincount(days - start, minlength=end - start + 1)


def _span(start: dt.date, end: dt.date) -> tuple[int, int]:
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    return to_day(start), to_day(end)


def timeline_daily(timeline: Timeline, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Every day start..end: the flows of the day and the levels at its end.

    Columns: ``found``, ``closed``, ``on_time`` (closed on time), ``reopened``,
    ``failed`` (failed checks), ``backlog``, ``overdue``, ``total`` (found by then).
    """
    s, e = _span(start, end)
    found = timeline.found
    flows = {
        "found": _per_day(found, timeline, s, e),
        "closed": _per_day(timeline.closing, timeline, s, e),
        "on_time": _per_day(timeline.on_time, timeline, s, e),
        "reopened": _per_day(timeline.reopening, timeline, s, e),
        "failed": _per_day(timeline.failed_check, timeline, s, e),
    }
    _, lo, hi = timeline.backlog_spans()
    flows["backlog"] = _levels(lo, hi, s, e)
    _, lo, hi = timeline.overdue_spans()
    flows["overdue"] = _levels(lo, hi, s, e)
    first_days = timeline.day[found]
    flows["total"] = _levels(first_days, np.full(len(first_days), e + 1), s, e)
    index = pd.DatetimeIndex(pd.date_range(start, end, freq="D"), name="date")
    return pd.DataFrame({k: np.asarray(v, dtype=np.int64) for k, v in flows.items()}, index=index)


def daily_counts(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary,
                 start: dt.date, end: dt.date) -> pd.DataFrame:
    """Found, closed and reopened on each day start..end (inclusive), and the backlog and
    overdue counts at the end of each day; indexed by date (a ``DatetimeIndex`` named
    ``date``). Definitions: see the module docstring."""
    return timeline_daily(build_timeline(problems, events, vocab), start, end)[list(DAILY_COLUMNS)]


def daily_figures(timeline: Timeline, start: dt.date, end: dt.date) -> pd.DataFrame:
    """:func:`timeline_daily` with each day's rates (each day taken as its own period)."""
    return with_rates(timeline_daily(timeline, start, end))


def weekly_figures(timeline: Timeline, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Weeks (Monday to Sunday, indexed by their Monday) overlapping start..end: flows
    summed over the days of the week inside the period, levels at the week's last day
    inside it, and the week's rates. ``days`` says how many days of the week are counted."""
    daily = timeline_daily(timeline, start, end)
    week = daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")
    groups = daily.groupby(week)
    flows = groups[["found", "closed", "on_time", "reopened", "failed"]].sum()
    levels = groups[["backlog", "overdue", "total"]].last()
    out = pd.concat([flows, levels], axis=1)
    out.insert(0, "days", groups.size())
    out.index.name = "week"
    return with_rates(out)


def timeline_summary(timeline: Timeline, start: dt.date, end: dt.date) -> dict:
    """Every figure of the period start..end for the whole timeline, as one dict."""
    table = tally(timeline, *_span(start, end))
    return {"start": start, "end": end, **{k: _plain(table[k].iloc[0]) for k in table.columns}}


def _plain(value):
    """numpy scalars → int / float, NaN → None: values that print and serialise cleanly."""
    if pd.isna(value):
        return None
    return int(value) if float(value).is_integer() and not isinstance(value, float) else float(value)


def summary(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary,
            start: dt.date, end: dt.date) -> dict:
    """The period's figures: found, closed, on_time, reopened, failed, backlog, overdue,
    total, closing_rate, on_time_rate, rework_rate, median_days, p90_days."""
    return timeline_summary(build_timeline(problems, events, vocab), start, end)


def summary_by(timeline: Timeline, column: str, start: dt.date, end: dt.date,
               names: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`timeline_summary` per value of the problems' ``column`` (``district_code``,
    ``category``, ``unit_code`` ...): one row per code, with its display ``name``.
    Problems with no code in ``column`` are left out."""
    names = names or {}
    table = tally(timeline, *_span(start, end), by=column)
    table.insert(0, "name", [names.get(code, code) for code in table.index])
    return table.rename_axis("code").reset_index()


def ranking(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary, by: str,
            start: dt.date, end: dt.date, names: dict[str, str], marks: int | None = None) -> pd.DataFrame:
    """The red and black list (红黑榜) by on-time rate; see :func:`civmap.progress.rank.rank`."""
    return rank(build_timeline(problems, events, vocab), by, start, end, names, marks)


def timeline_race(timeline: Timeline, as_of: dt.date, assessment_date: dt.date, target: int = 0) -> dict:
    """The race to the assessment date, from the timeline as it stood at the end of ``as_of``.

    Returns a dict: ``backlog`` (not closed at the end of ``as_of``), ``closing_pace``
    (closings per day over the ``PACE_DAYS`` days ending on ``as_of``), ``inflow_pace``
    (found + reopened per day over the same days), ``net_pace`` (the backlog's fall per
    day: closing − inflow), ``zero_date`` and ``target_date`` (the first day the backlog
    reaches 0, or ``target``, if the net pace holds; the day itself when already there;
    None when the net pace is not positive), ``days_left`` (assessment_date − as_of),
    ``needed_pace`` (closings per day needed to bring the backlog to ``target`` by the
    assessment date while problems keep arriving at the inflow pace; None when no day is
    left), ``enough`` (whether the current closing pace reaches the target in time) and
    the inputs ``as_of``, ``assessment_date``, ``target``, ``window_days``.
    """
    if target < 0:
        raise ValueError(f"target must be 0 or more, not {target}")
    today = to_day(as_of)
    window = timeline_daily(timeline, as_of - dt.timedelta(days=PACE_DAYS - 1), as_of)
    backlog = int(window["backlog"].iloc[-1])
    closed = int(window["closed"].sum())
    inflow = int(window["found"].sum() + window["reopened"].sum())
    net = closed - inflow
    days_left = (assessment_date - as_of).days

    def reach(level: int) -> dt.date | None:
        excess = backlog - level
        if excess <= 0:
            return as_of
        if net <= 0:
            return None
        return to_date(today + -(-excess * PACE_DAYS // net))  # ceil, in whole integers

    excess = backlog - target
    if days_left > 0:
        needed = max(0.0, excess / days_left + inflow / PACE_DAYS)
        # closing_pace >= needed_pace, multiplied out so that no rounding decides it
        enough = net * days_left >= excess * PACE_DAYS
    else:
        needed, enough = None, excess <= 0
    return {
        "as_of": as_of, "assessment_date": assessment_date, "target": target, "window_days": PACE_DAYS,
        "backlog": backlog, "closing_pace": closed / PACE_DAYS, "inflow_pace": inflow / PACE_DAYS,
        "net_pace": net / PACE_DAYS, "zero_date": reach(0), "target_date": reach(target),
        "days_left": days_left, "needed_pace": needed, "enough": bool(enough),
    }


def race(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary, as_of: dt.date,
         assessment_date: dt.date, target: int = 0) -> dict:
    """The race to the assessment date (国测); see :func:`timeline_race` for the keys."""
    return timeline_race(build_timeline(problems, events, vocab), as_of, assessment_date, target)
