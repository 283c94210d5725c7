"""The sprint (冲刺国测) sentence says what the figures say: met, rising, falling, or too late."""

from __future__ import annotations

import datetime as dt

from civmap.progress.text import race_message

TODAY, ASSESSMENT = dt.date(2026, 12, 2), dt.date(2027, 6, 1)


def race(backlog, target, closed, inflow, days_left=181, enough=None, target_date=None):
    net = (closed - inflow) / 14
    excess = backlog - target
    if enough is None:
        enough = (closed - inflow) * days_left >= excess * 14 if days_left > 0 else excess <= 0
    return {"as_of": TODAY, "assessment_date": TODAY + dt.timedelta(days=days_left), "target": target,
            "window_days": 14, "backlog": backlog, "closing_pace": closed / 14, "inflow_pace": inflow / 14,
            "net_pace": net, "zero_date": None, "target_date": TODAY if excess <= 0 else target_date,
            "days_left": days_left,
            "needed_pace": max(0.0, excess / days_left + inflow / 14) if days_left > 0 else None,
            "enough": enough}


def test_a_target_already_met_while_the_backlog_rises_is_not_said_to_fall_to_it():
    text = race_message(race(backlog=600, target=800, closed=70, inflow=84), "zh")
    assert "降至" not in text and TODAY.isoformat() not in text
    assert "在增加" in text and "仍在目标以内" in text
    assert "约为 781 件" in text  # 600 + 1 a day for 181 days
    english = race_message(race(backlog=600, target=800, closed=70, inflow=84), "en")
    assert "growing" in english and "reaches" not in english


def test_a_target_met_with_the_backlog_falling_says_it_holds():
    text = race_message(race(backlog=300, target=400, closed=140, inflow=70), "zh")
    assert "已不高于目标 400 件" in text and "仍在目标以内" in text and "降至" not in text


def test_a_target_met_now_but_lost_before_the_assessment_says_so():
    text = race_message(race(backlog=690, target=700, closed=14, inflow=140), "zh")
    assert "当前速度不够" in text and "超过目标" in text


def test_a_backlog_over_target_that_grows_never_reaches_it():
    text = race_message(race(backlog=900, target=100, closed=14, inflow=28), "zh")
    assert "当前速度不够" in text and "永远降不到目标" in text


def test_a_passed_assessment_date_says_so_and_nothing_about_pace():
    text = race_message(race(backlog=50, target=0, closed=140, inflow=14, days_left=0), "zh")
    assert "已到" in text and "件/天" not in text


def test_a_falling_backlog_over_target_names_the_day_it_reaches_it():
    text = race_message(race(backlog=500, target=100, closed=280, inflow=70,
                             target_date=dt.date(2027, 1, 28)), "zh")
    assert "2027-01-28" in text and "降至 100 件" in text
