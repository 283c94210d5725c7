"""The problems' status histories as flat numpy arrays: what every progress figure is counted from.

A problem's state on any day is what its status events up to the end of that day left,
so every figure of :mod:`civmap.progress.figures` can be recomputed as it stood on a past day.
``build_timeline`` turns the event log into arrays (one row per event, sorted by problem then
time) once; the counting functions then work on whole arrays, never per problem.

Days are whole calendar days, held as integers (days since 1970-01-01); an event's day
is the calendar date of its ``at`` timestamp (local time, as recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmap.vocab import Vocabulary

__all__ = ["Timeline", "build_timeline", "with_rows", "to_day", "to_date", "NO_DEADLINE", "OPEN", "FIXED", "CLOSED"]

#: Status types as small integers (``NONE``: before a problem's first event).
NONE, OPEN, FIXED, CLOSED = -1, 0, 1, 2
_TYPE_CODES = {"open": OPEN, "fixed": FIXED, "closed": CLOSED}
#: The "deadline" of a problem that has none: later than any day, so never passed.
NO_DEADLINE = np.int64(1 << 40)
#: The end of a state that no later event ends.
FOREVER = np.int64(1 << 41)
#: Problem columns kept for grouping and naming (those present are kept).
GROUP_COLUMNS = ("district_code", "street_code", "unit_code", "category", "source")
_EPOCH = dt.date(1970, 1, 1)


def to_day(value: dt.date) -> int:
    """A date as a day number (days since 1970-01-01)."""
    return (value - _EPOCH).days if isinstance(value, dt.date) else int(value)


def to_date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True, eq=False)
class Timeline:
    """Status histories of a set of problems.

    Event arrays (one row per event, sorted by problem, then time):
    ``pidx`` the problem's row in ``problems``; ``day``; ``kind`` the status type after the
    event and ``prev`` the one before it (``NONE`` for a problem's first event);
    ``deadline`` the deadline day in force after the event (``NO_DEADLINE`` if none);
    ``cycle_start`` the day the current round began (found, or reopened after closing).

    State segments (one row per problem and day with events: the state the day's last
    event left, lasting from ``seg_start`` until the day before ``seg_end``):
    ``seg_pidx``, ``seg_start``, ``seg_end``, ``seg_kind``, ``seg_deadline``.
    """

    problems: pd.DataFrame
    pidx: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    prev: np.ndarray
    deadline: np.ndarray
    cycle_start: np.ndarray
    seg_pidx: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_kind: np.ndarray
    seg_deadline: np.ndarray
    _memo: dict = field(default_factory=dict, repr=False)

    def _remember(self, key: str, make):
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def subset(self, keep: np.ndarray) -> "Timeline":
        """The timeline of the problems ``keep`` marks (a bool per problem row), as
        ``build_timeline`` would build it from those problems alone, without reading or
        sorting anything again: a filter change costs a few array masks."""
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != len(self.problems):
            raise ValueError(f"subset: {len(keep)} marks for {len(self.problems)} problems")
        renumber = np.cumsum(keep) - 1
        ev, seg = keep[self.pidx], keep[self.seg_pidx]
        return Timeline(problems=self.problems[keep].reset_index(drop=True), pidx=renumber[self.pidx[ev]],
                        day=self.day[ev], kind=self.kind[ev], prev=self.prev[ev], deadline=self.deadline[ev],
                        cycle_start=self.cycle_start[ev], seg_pidx=renumber[self.seg_pidx[seg]],
                        seg_start=self.seg_start[seg], seg_end=self.seg_end[seg], seg_kind=self.seg_kind[seg],
                        seg_deadline=self.seg_deadline[seg])

    def replaced(self, rows: np.ndarray, part: "Timeline") -> "Timeline":
        """This timeline with the problems at ``rows`` (positions in ``problems``) rebuilt:
        ``part`` is ``build_timeline`` of exactly those problems, in that order, and their
        events. The same as building the whole again, at a few array copies: after a status
        change only the changed problems' histories are built (``civmap.ui.progress``)."""
        rows = np.asarray(rows, dtype=np.int64)
        keep_ev, keep_seg = ~np.isin(self.pidx, rows), ~np.isin(self.seg_pidx, rows)
        # Both parts are sorted by problem then time, so a stable sort on the problem alone
        # keeps each problem's events in their order.
        ev_pidx = np.concatenate([self.pidx[keep_ev], rows[part.pidx]])
        ev_order = np.argsort(ev_pidx, kind="stable")
        seg_pidx = np.concatenate([self.seg_pidx[keep_seg], rows[part.seg_pidx]])
        seg_order = np.argsort(seg_pidx, kind="stable")

        def events(name):
            return np.concatenate([getattr(self, name)[keep_ev], getattr(part, name)])[ev_order]

        def segments(name):
            return np.concatenate([getattr(self, name)[keep_seg], getattr(part, name)])[seg_order]

        return Timeline(problems=with_rows(self.problems, rows, part.problems), pidx=ev_pidx[ev_order], day=events("day"), kind=events("kind"),
                        prev=events("prev"), deadline=events("deadline"), cycle_start=events("cycle_start"),
                        seg_pidx=seg_pidx[seg_order], seg_start=segments("seg_start"), seg_end=segments("seg_end"),
                        seg_kind=segments("seg_kind"), seg_deadline=segments("seg_deadline"))

    # -- what each event was --------------------------------------------------------
    @property
    def found(self) -> np.ndarray:
        """A problem's first event: the day it was found."""
        return self.prev == NONE

    @property
    def closing(self) -> np.ndarray:
        """An event into a status of type closed from one that was not (销号)."""
        return (self.kind == CLOSED) & (self.prev != CLOSED)

    @property
    def on_time(self) -> np.ndarray:
        """A closing on or before the deadline in force; with no deadline, always on time."""
        return self.closing & (self.day <= self.deadline)

    @property
    def reopening(self) -> np.ndarray:
        """An event out of a closed status (反弹, a rebound)."""
        return (self.prev == CLOSED) & (self.kind != CLOSED)

    @property
    def failed_check(self) -> np.ndarray:
        """A reported fix sent back on checking: from type fixed to type open (复核未通过)."""
        return (self.prev == FIXED) & (self.kind == OPEN)

    # -- when each state held ----------------------------------------------------------
    def backlog_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pidx, first day, day after the last) of every span a problem was not closed."""
        def make():
            keep = self.seg_kind != CLOSED
            return self.seg_pidx[keep], self.seg_start[keep], self.seg_end[keep]
        return self._remember("backlog", make)

    def overdue_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Spans a problem was of type open with its deadline day passed."""
        def make():
            keep = (self.seg_kind == OPEN) & (self.seg_deadline != NO_DEADLINE)
            lo = np.maximum(self.seg_start[keep], self.seg_deadline[keep] + 1)
            hi = self.seg_end[keep]
            live = lo < hi
            return self.seg_pidx[keep][live], lo[live], hi[live]
        return self._remember("overdue", make)

    def group_codes(self, column: str) -> pd.Series:
        """The problems' ``column`` (e.g. ``district_code``), indexed by problem row."""
        if column not in self.problems.columns:
            raise ValueError(f"problems have no column {column!r} to group by")
        return self.problems[column]

    def group_numbers(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """Each problem's group number in ``column`` (-1: none) and the sorted group codes."""
        def make():
            numbers, uniques = pd.factorize(self.group_codes(column), sort=True, use_na_sentinel=True)
            return numbers.astype(np.int64), pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        return self._remember("group:" + column, make)


def with_rows(frame: pd.DataFrame, rows: np.ndarray, fresh: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose rows at positions ``rows`` are ``fresh``'s rows, in order
    (same columns), each column keeping its type."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].to_numpy(dtype=object).copy()
        values[rows] = fresh[column].to_numpy(dtype=object)
        out[column] = pd.Series(values, dtype=frame[column].dtype)
    return out


def _positions(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Row of each value in ``ids`` (-1 if absent); Arrow's hash join when available, as
    hashing half a million Python strings is the slowest step of a build otherwise."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pandas without pyarrow
        return ids.get_indexer(values.astype(str))
    found = pc.index_in(pa.array(values.astype(str)), value_set=pa.array(ids.astype(str)))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _days(values: pd.Series) -> np.ndarray:
    """Dates or timestamps → day numbers (-1 where missing or not a date).

    Non-datetime columns (dates as objects or text) are converted once per distinct value.
    """
    if not pd.api.types.is_datetime64_any_dtype(values):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        stamps = pd.to_datetime(pd.Series(np.asarray(uniques, dtype=object), dtype=object), errors="coerce")
        return np.append(_days(stamps), -1)[codes]
    days = values.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.where(values.isna().to_numpy(), -1, days)


def _kinds(statuses: pd.Series, types: pd.Series, who) -> np.ndarray:
    """Status codes → status types (``OPEN`` ...); ``who(row)`` names the row of an unknown one."""
    codes, uniques = pd.factorize(statuses, use_na_sentinel=True)
    type_of = np.append(pd.Series(np.asarray(uniques, dtype=object)).map(types).to_numpy(dtype=float), np.nan)
    kind = type_of[codes]
    if np.isnan(kind).any():
        row = int(np.flatnonzero(np.isnan(kind))[0])
        raise ValueError(f"{who(row)}: status {statuses.iloc[row]!r} is not in the statuses vocabulary")
    return kind.astype(np.int8)


def build_timeline(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary) -> Timeline:
    """Index the status events of ``problems`` for counting.

    Events of problems not in ``problems`` are ignored, so a caller may narrow the
    problems (by district, unit ...) and pass the whole event log. A problem with no
    event at all is taken to have had its current status (and deadline) since the day
    it was found. Raises ValueError naming the problem on a duplicate id, an event with
    no time or a status code that is not in the vocabulary.
    """
    for column in ("id", "found_on", "status", "deadline"):
        if column not in problems.columns:
            raise ValueError(f"problems: missing column {column!r}")
    for column in ("problem_id", "at", "to_status", "deadline"):
        if column not in events.columns:
            raise ValueError(f"events: missing column {column!r}")
    ids = pd.Index(problems["id"].astype(str))
    if ids.has_duplicates:
        raise ValueError(f"problems: id {ids[ids.duplicated()][0]!r} appears more than once")
    lean = problems[[c for c in ("id", *GROUP_COLUMNS) if c in problems.columns]].reset_index(drop=True)

    pidx = _positions(events["problem_id"], ids)
    mine = np.flatnonzero(pidx >= 0)
    mine_events = events.iloc[mine]
    ev_pidx = pidx[mine]
    at = mine_events["at"]
    at = at if pd.api.types.is_datetime64_any_dtype(at) else pd.to_datetime(at, errors="coerce")
    if at.isna().any():
        row = int(np.flatnonzero(at.isna().to_numpy())[0])
        raise ValueError(f"event time of problem {mine_events['problem_id'].iloc[row]!r} is missing or not a "
                         f"date: {mine_events['at'].iloc[row]!r}")
    order_key = at.to_numpy().astype("datetime64[us]").astype(np.int64)
    ev_day = order_key // 86_400_000_000
    types = vocab.statuses["type"].map(_TYPE_CODES)
    kind = _kinds(mine_events["to_status"], types,
                  lambda row: f"event of problem {mine_events['problem_id'].iloc[row]!r}")
    ev_deadline = _days(mine_events["deadline"])

    # A problem without events: one event on its found day, to its current status.
    silent = np.flatnonzero(np.bincount(ev_pidx, minlength=len(ids)) == 0)
    if len(silent):
        quiet = problems.iloc[silent]
        found_on = _days(quiet["found_on"])
        if (found_on < 0).any():
            row = int(np.flatnonzero(found_on < 0)[0])
            raise ValueError(f"found_on of problem {quiet['id'].iloc[row]!r} is missing or not a date: "
                             f"{quiet['found_on'].iloc[row]!r}")
        ev_pidx = np.concatenate([ev_pidx, silent])
        ev_day = np.concatenate([ev_day, found_on])
        kind = np.concatenate([kind, _kinds(quiet["status"], types, lambda row: f"problem {quiet['id'].iloc[row]!r}")])
        ev_deadline = np.concatenate([ev_deadline, _days(quiet["deadline"])])
        order_key = np.concatenate([order_key, found_on * 86_400_000_000])

    order = np.lexsort((np.arange(len(ev_pidx)), order_key, ev_pidx))
    ev_pidx, ev_day, kind, ev_deadline = ev_pidx[order], ev_day[order], kind[order], ev_deadline[order]
    n = len(ev_pidx)
    rows = np.arange(n)
    first = np.ones(n, dtype=bool)
    first[1:] = ev_pidx[1:] != ev_pidx[:-1]
    prev = np.empty(n, dtype=np.int8)
    prev[0:1] = NONE
    prev[1:] = kind[:-1]
    prev[first] = NONE
    group_start = np.maximum.accumulate(np.where(first, rows, 0))

    # Deadline in force: the last one an event set, within the same problem; a problem
    # whose events never set one falls back to the deadline on its timeline row.
    has = ev_deadline >= 0
    last_set = np.maximum.accumulate(np.where(has, rows, -1))
    in_force = np.where(last_set >= group_start, ev_deadline[np.maximum(last_set, 0)], -1)
    row_deadline = _days(problems["deadline"])
    never_set = np.bincount(ev_pidx[has], minlength=len(ids))[ev_pidx] == 0
    in_force = np.where(never_set, row_deadline[ev_pidx], in_force)
    deadline = np.where(in_force >= 0, in_force, NO_DEADLINE).astype(np.int64)

    # A round starts when the problem is found or reopened; the first row of every
    # problem starts one, so a plain forward fill never crosses problems.
    starts = first | ((prev == CLOSED) & (kind != CLOSED))
    cycle_start = ev_day[np.maximum.accumulate(np.where(starts, rows, 0))]

    # The state at the end of a day is what that day's last event left.
    last_of_day = np.ones(n, dtype=bool)
    last_of_day[:-1] = (ev_pidx[1:] != ev_pidx[:-1]) | (ev_day[1:] != ev_day[:-1])
    seg = np.flatnonzero(last_of_day)
    seg_pidx, seg_start = ev_pidx[seg], ev_day[seg]
    seg_end = np.full(len(seg), FOREVER, dtype=np.int64)
    if len(seg) > 1:
        same = seg_pidx[1:] == seg_pidx[:-1]
        seg_end[:-1] = np.where(same, seg_start[1:], FOREVER)

    return Timeline(problems=lean, pidx=ev_pidx, day=ev_day, kind=kind, prev=prev, deadline=deadline,
                  cycle_start=cycle_start, seg_pidx=seg_pidx, seg_start=seg_start, seg_end=seg_end,
                  seg_kind=kind[seg], seg_deadline=deadline[seg])
