"""Known answers: a hand-made timeline of seven problems, every progress figure checked exactly.

The timeline (2026; 1 November is a Sunday), with the deadline each event sets:

- A  found 1 Nov, assigned (deadline 3 Nov), fixing, reported 3 Nov, closed 3 Nov 15:00:
     closed on its deadline day, so on time; 2 days to close.
- B  found 1 Nov, assigned (deadline 2 Nov), fixing; overdue from 3 Nov; reported 6 Nov,
     check failed 7 Nov (overdue again), reported 8 Nov, closed 9 Nov: late; 8 days.
- C  found and closed on 4 Nov, never assigned, no deadline: on time; 0 days.
- D  found 2 Nov, assigned with no deadline, fixing; never closed, never overdue.
- E  found 20 Oct (deadline 25 Oct), closed 26 Oct (late, before the period), reopened
     5 Nov with deadline 7 Nov, fixing: a rebound, overdue from 8 Nov.
- F  found 6 Nov (deadline 20 Nov), closed 8 Nov (on time; 2 days), reopened 10 Nov
     (deadline 15 Nov).
- G  imported with no events: found 5 Nov, status assigned, deadline 6 Nov: overdue from 7 Nov.
- an event of a problem that is not in the timeline (X) is ignored.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from civmap.progress import figures as progress
from civmap.progress.figures import (build_timeline, daily_counts, timeline_daily, timeline_race, race, ranking, summary,
                             weekly_figures)
from civmap.vocab import load_vocabulary

D = dt.date
START, END = D(2026, 11, 1), D(2026, 11, 10)


def _at(day: int, hour: int = 9, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour)


EVENTS = [
    # problem, at, to_status, deadline set by the event
    ("A", _at(1, 9), "found", None), ("A", _at(1, 10), "assigned", D(2026, 11, 3)),
    ("A", _at(2), "fixing", None), ("A", _at(3, 10), "reported", None), ("A", _at(3, 15), "closed", None),
    ("B", _at(1, 11), "found", None), ("B", _at(1, 12), "assigned", D(2026, 11, 2)), ("B", _at(1, 14), "fixing", None),
    ("B", _at(6), "reported", None), ("B", _at(7), "fixing", None), ("B", _at(8), "reported", None),
    ("B", _at(9), "closed", None),
    ("C", _at(4, 9), "found", None), ("C", _at(4, 17), "closed", None),
    ("D", _at(2, 9), "found", None), ("D", _at(2, 10), "assigned", None), ("D", _at(2, 11), "fixing", None),
    ("E", _at(20, 9, 10), "found", None), ("E", _at(20, 10, 10), "assigned", D(2026, 10, 25)),
    ("E", _at(24, 9, 10), "reported", None), ("E", _at(26, 9, 10), "closed", None),
    ("E", _at(5, 9), "reopened", D(2026, 11, 7)), ("E", _at(5, 10), "fixing", None),
    ("F", _at(6, 9), "found", None), ("F", _at(6, 10), "assigned", D(2026, 11, 20)),
    ("F", _at(8, 9), "reported", None), ("F", _at(8, 16), "closed", None),
    ("F", _at(10, 9), "reopened", D(2026, 11, 15)),
    ("X", _at(3), "found", None),
]
#: id, district, street, unit, found_on, status (now), deadline (now)
PROBLEMS = [
    ("A", "D1", "S1", "U1", D(2026, 11, 1), "closed", D(2026, 11, 3)),
    ("B", "D1", "S1", "U1", D(2026, 11, 1), "closed", D(2026, 11, 2)),
    ("C", "D1", "S2", None, D(2026, 11, 4), "closed", None),
    ("D", "D2", "S3", "U2", D(2026, 11, 2), "fixing", None),
    ("E", "D2", "S3", "U2", D(2026, 10, 20), "fixing", D(2026, 11, 7)),
    ("F", "D2", "S4", "U2", D(2026, 11, 6), "reopened", D(2026, 11, 15)),
    ("G", "D2", None, "U2", D(2026, 11, 5), "assigned", D(2026, 11, 6)),
]
NAMES = {"D1": "甲区", "D2": "乙区", "D3": "丙区"}


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture
def problems() -> pd.DataFrame:
    return pd.DataFrame(PROBLEMS, columns=["id", "district_code", "street_code", "unit_code", "found_on", "status",
                                           "deadline"]).assign(category="street_vending", source="city_inspection")


@pytest.fixture
def events() -> pd.DataFrame:
    frame = pd.DataFrame(EVENTS, columns=["problem_id", "at", "to_status", "deadline"])
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # order must not matter


def _series(frame: pd.DataFrame, column: str) -> list[int]:
    return frame[column].tolist()


def test_daily_counts_day_by_day(problems, events, vocab):
    daily = daily_counts(problems, events, vocab, START, END)
    assert list(daily.columns) == ["found", "closed", "reopened", "backlog", "overdue"]
    assert list(daily.index.date) == [START + dt.timedelta(days=i) for i in range(10)]
    #                               1  2  3  4  5  6  7  8  9  10 November
    assert _series(daily, "found") == [2, 1, 0, 1, 1, 1, 0, 0, 0, 0]
    assert _series(daily, "closed") == [0, 0, 1, 1, 0, 0, 0, 1, 1, 0]
    assert _series(daily, "reopened") == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert _series(daily, "backlog") == [2, 3, 2, 2, 4, 5, 5, 4, 3, 4]
    assert _series(daily, "overdue") == [0, 0, 1, 1, 1, 0, 2, 2, 2, 2]


def test_the_period_figures(problems, events, vocab):
    fig = summary(problems, events, vocab, START, END)
    assert {k: fig[k] for k in ("found", "closed", "on_time", "reopened", "failed", "backlog", "overdue", "total")} \
        == {"found": 6, "closed": 4, "on_time": 3, "reopened": 2, "failed": 1, "backlog": 4, "overdue": 2, "total": 7}
    assert fig["closing_rate"] == pytest.approx(3 / 7)       # A, B, C closed of the 7 found by 10 Nov
    assert fig["on_time_rate"] == pytest.approx(3 / (4 + 2))  # A, C, F on time; E and G still overdue
    assert fig["rework_rate"] == pytest.approx((1 + 2) / (1 + 4))
    assert fig["median_days"] == 2.0                         # days 0 (C), 2 (A), 2 (F), 8 (B)
    assert fig["p90_days"] == pytest.approx(2 + 0.7 * (8 - 2))


def test_edges_one_by_one(problems, events, vocab):
    def only(pid):
        return daily_counts(problems[problems["id"] == pid], events, vocab, START, END)

    # closed on its deadline day: on time, never overdue
    assert summary(problems[problems["id"] == "A"], events, vocab, START, END)["on_time"] == 1
    assert only("A")["overdue"].sum() == 0
    # found and closed the same day: found and closed that day, not in the backlog at its end
    c = only("C").loc["2026-11-04"]
    assert (c["found"], c["closed"], c["backlog"]) == (1, 1, 0)
    # no deadline: never overdue; on time when closed
    assert only("D")["overdue"].sum() == 0 and only("D")["backlog"].tolist() == [0] + [1] * 9
    # reopened after closing: a rebound, back in the backlog, judged against the new deadline
    e = only("E")
    assert e["reopened"].sum() == 1 and e["backlog"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert e["overdue"].tolist() == [0] * 7 + [1, 1, 1]
    # reported fixed is not overdue; sent back, it is overdue again against the same deadline
    assert only("B")["overdue"].tolist() == [0, 0, 1, 1, 1, 0, 1, 0, 0, 0]
    # a problem without events counts from its timeline row
    assert only("G")["found"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert only("G")["overdue"].tolist() == [0] * 6 + [1] * 4


def test_a_past_day_is_what_the_ledger_said_that_day(problems, events, vocab):
    full = daily_counts(problems, events, vocab, START, END)
    for day in (D(2026, 11, 4), D(2026, 11, 7), D(2026, 11, 9)):
        known_then = events[events["at"] < pd.Timestamp(day + dt.timedelta(days=1))]
        then = daily_counts(problems, known_then, vocab, START, day)
        pd.testing.assert_frame_equal(then, full.loc[:str(day)], check_freq=False)


def test_weeks_sum_the_days(problems, events, vocab):
    weeks = weekly_figures(build_timeline(problems, events, vocab), START, END)
    assert [d.date() for d in weeks.index] == [D(2026, 10, 26), D(2026, 11, 2), D(2026, 11, 9)]
    assert weeks["days"].tolist() == [1, 7, 2]
    assert weeks["found"].tolist() == [2, 4, 0]
    assert weeks["closed"].tolist() == [0, 3, 1]
    assert weeks["backlog"].tolist() == [2, 4, 4]        # at 1, 8 and 10 November
    assert weeks["overdue"].tolist() == [0, 2, 2]
    assert weeks["on_time_rate"].tolist()[1:] == pytest.approx([3 / (3 + 2), 0 / (1 + 2)])
    assert np.isnan(weeks["on_time_rate"].iloc[0])       # nothing closed, nothing overdue: no rate


def test_daily_totals_agree_with_the_period(problems, events, vocab):
    timeline = build_timeline(problems, events, vocab)
    days = timeline_daily(timeline, START, END)
    fig = progress.timeline_summary(timeline, START, END)
    for column in ("found", "closed", "on_time", "reopened", "failed"):
        assert days[column].sum() == fig[column], column
    # the backlog moves by exactly what was found, closed and reopened
    before = timeline_daily(timeline, START - dt.timedelta(days=1), START - dt.timedelta(days=1))["backlog"].iloc[0]
    assert (before + (days["found"] - days["closed"] + days["reopened"]).cumsum()).tolist() == days["backlog"].tolist()


def test_ranking_red_and_black(problems, events, vocab):
    table = ranking(problems, events, vocab, "district", START, END, NAMES)
    assert list(table.columns[:10]) == ["code", "name", "on_time_rate", "previous_rate", "change", "closed",
                                        "on_time", "overdue", "rank", "mark"]
    rows = table.set_index("code")
    assert rows.loc["D1", "on_time_rate"] == pytest.approx(2 / 3)      # A, C of A, B, C; none overdue
    assert rows.loc["D2", "on_time_rate"] == pytest.approx(1 / 3)      # F of F; E and G overdue
    assert np.isnan(rows.loc["D1", "previous_rate"])                   # 22–31 Oct: nothing in D1
    assert rows.loc["D2", "previous_rate"] == 0.0                      # E closed late on 26 Oct
    assert rows.loc["D2", "change"] == pytest.approx(1 / 3)
    assert rows["closed"].to_dict() == {"D1": 3, "D2": 1, "D3": 0}
    assert rows["overdue"].to_dict() == {"D1": 0, "D2": 2, "D3": 0}
    assert table["code"].tolist() == ["D1", "D2", "D3"]
    assert rows.loc["D1", "rank"] == 1 and rows.loc["D2", "rank"] == 2 and pd.isna(rows.loc["D3", "rank"])
    assert rows["mark"].to_dict() == {"D1": "red", "D2": "black", "D3": None}
    assert rows.loc["D3", "name"] == "丙区"


def test_ranking_by_street_and_unit_leaves_out_problems_without_one(problems, events, vocab):
    streets = ranking(problems, events, vocab, "street", START, END, {}).set_index("code")
    assert set(streets.index) == {"S1", "S2", "S3", "S4"}               # G has no street
    assert streets.loc["S3", "overdue"] == 1 and streets.loc["S2", "on_time_rate"] == 1.0
    units = ranking(problems, events, vocab, "unit", START, END, {"U1": "城管局"}).set_index("code")
    assert set(units.index) == {"U1", "U2"}                            # C has no unit
    assert units.loc["U1", "name"] == "城管局" and units.loc["U2", "name"] == "U2"
    with pytest.raises(ValueError, match="cannot rank by 'category'"):
        ranking(problems, events, vocab, "category", START, END, {})


def test_marks_scale_with_the_list():
    assert [progress.default_marks(n) for n in (0, 1, 2, 6, 24, 49, 300)] == [0, 0, 1, 1, 2, 5, 10]


def _steady(n_old: int, closes: int, arrivals: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_old`` problems found 1 Oct (no deadline); over the 14 days to 10 Nov one of them is
    closed each day for ``closes`` days and ``arrivals`` new ones are found."""
    rows, events = [], []
    for i in range(n_old):
        rows.append((f"O{i}", D(2026, 10, 1), "assigned"))
        events.append((f"O{i}", dt.datetime(2026, 10, 1, 9), "found"))
        if i < closes:
            events.append((f"O{i}", dt.datetime(2026, 10, 28, 15) + dt.timedelta(days=i), "closed"))
    for i in range(arrivals):
        rows.append((f"N{i}", D(2026, 10, 28) + dt.timedelta(days=i), "found"))
        events.append((f"N{i}", dt.datetime(2026, 10, 28, 10) + dt.timedelta(days=i), "found"))
    problems = pd.DataFrame(rows, columns=["id", "found_on", "status"]).assign(deadline=None)
    events = pd.DataFrame(events, columns=["problem_id", "at", "to_status"]).assign(deadline=None)
    return problems, events


def test_race_projects_the_zero_date_and_the_pace_needed(vocab):
    problems, events = _steady(20, closes=14, arrivals=7)        # backlog 20 + 7 − 14 = 13
    r = race(problems, events, vocab, D(2026, 11, 10), D(2026, 12, 1))
    assert r["backlog"] == 13 and r["days_left"] == 21
    assert r["closing_pace"] == 1.0 and r["inflow_pace"] == 0.5 and r["net_pace"] == 0.5
    assert r["zero_date"] == D(2026, 12, 6)                      # 13 / 0.5 = 26 days
    assert r["needed_pace"] == pytest.approx(13 / 21 + 0.5)
    assert r["enough"] is False
    with_target = race(problems, events, vocab, D(2026, 11, 10), D(2026, 12, 1), target=3)
    assert with_target["target_date"] == D(2026, 11, 30)         # 10 / 0.5 = 20 days
    assert with_target["zero_date"] == D(2026, 12, 6)
    assert with_target["enough"] is True and with_target["needed_pace"] <= with_target["closing_pace"]
    # exactly enough: reaching zero on the assessment date itself counts
    exact = race(problems, events, vocab, D(2026, 11, 10), D(2026, 12, 6))
    assert exact["enough"] is True and exact["needed_pace"] == pytest.approx(exact["closing_pace"])


def test_race_when_the_backlog_grows_or_time_is_up(problems, events, vocab):
    r = race(problems, events, vocab, END, D(2026, 11, 20))
    assert (r["backlog"], r["closing_pace"], r["inflow_pace"]) == (4, 4 / 14, 8 / 14)
    assert r["zero_date"] is None and r["enough"] is False
    assert r["needed_pace"] == pytest.approx(4 / 10 + 8 / 14)
    late = race(problems, events, vocab, END, END)
    assert late["days_left"] == 0 and late["needed_pace"] is None and late["enough"] is False
    assert timeline_race(build_timeline(problems, events, vocab), END, END, target=4)["enough"] is True


def test_bad_input_names_the_problem(problems, events, vocab):
    bad = events.copy()
    bad.loc[bad["problem_id"] == "D", "to_status"] = "lost"
    with pytest.raises(ValueError, match="problem 'D'.*'lost'"):
        build_timeline(problems, bad, vocab)
    twice = pd.concat([problems, problems.iloc[[0]]])
    with pytest.raises(ValueError, match="'A' appears more than once"):
        build_timeline(twice, events, vocab)
    with pytest.raises(ValueError, match="before it starts"):
        daily_counts(problems, events, vocab, END, START)
    no_time = events.copy()
    no_time.loc[no_time["problem_id"] == "B", "at"] = None
    with pytest.raises(ValueError, match="problem 'B'"):
        build_timeline(problems, no_time, vocab)


def test_empty_selection(vocab, problems, events):
    nothing = build_timeline(problems.iloc[0:0], events, vocab)
    days = timeline_daily(nothing, START, END)
    assert days.to_numpy().sum() == 0
    fig = progress.timeline_summary(nothing, START, END)
    assert fig["found"] == 0 and fig["on_time_rate"] is None and fig["median_days"] is None
    assert timeline_race(nothing, END, D(2026, 12, 1))["enough"] is True
