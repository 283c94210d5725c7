"""The Progress page, the overview's progress tiles and ``python -m civmap progress`` agree on the demo city.

Each is checked against the same figures computed straight from the store, so a page
that drifted from the CLI (or the overview) fails here. Pages run with AppTest.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from conftest import run_page

from civmap.cli import main
from civmap.config import load_settings
from civmap.figures import overdue_mask
from civmap.filters import Filters
from civmap.progress.figures import (LIST_DAYS, RECENT_DAYS, TREND_DAYS, build_timeline, daily_counts, timeline_race,
                             timeline_summary, rank)
from civmap.vocab import load_vocabulary

TIMEOUT = 120


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _expected(store, start: dt.date, end: dt.date, filters: Filters = Filters()) -> dict:
    timeline = build_timeline(store.problems(filters), store.events(), load_vocabulary())
    return timeline_summary(timeline, start, end)


def _check_page(metrics: dict[str, str], fig: dict) -> None:
    assert metrics["新发现"] == f"{fig['found']:,}"
    assert metrics["销号"] == f"{fig['closed']:,}"
    assert metrics["反弹"] == f"{fig['reopened']:,}"
    assert metrics["积压（未销号）"] == f"{fig['backlog']:,}"
    assert metrics["超期"] == f"{fig['overdue']:,}"
    assert metrics["结案率"] == _rate(fig["closing_rate"])
    assert metrics["按期结案率"] == _rate(fig["on_time_rate"])
    assert metrics["返工率"] == _rate(fig["rework_rate"])


@pytest.fixture
def page(app_env):
    return run_page("progress", {}, timeout=TIMEOUT)  # through the frame, signed in as the demo's office


def test_page_shows_the_default_period(page, demo_store):
    as_of = demo_store.as_of()
    start = as_of - dt.timedelta(days=TREND_DAYS - 1)
    _check_page(_metrics(page), _expected(demo_store, start, as_of))
    assert page.title[0].value == "整改进度"
    assert [t.label for t in page.tabs] == ["整改趋势", "红黑榜", "冲刺国测"]
    assert len(page.get("download_button")) == 5      # every chart's data can be downloaded
    assert "按期结案率 = 时段内按期销号" in page.markdown[0].value  # the definitions are on the page


def test_filters_drive_every_figure(page, demo_store):
    as_of = demo_store.as_of()
    default = (as_of - dt.timedelta(days=TREND_DAYS - 1), as_of)
    page.sidebar.multiselect(key="f_districts").select("D02").run()
    assert not page.exception
    _check_page(_metrics(page), _expected(demo_store, *default, Filters(districts=("D02",))))
    assert "秀山区" in page.caption[0].value

    unit = demo_store.problems(Filters(districts=("D02",)))["unit_code"].value_counts().index[0]
    page.sidebar.multiselect(key="p_units").select(unit).run()
    page.sidebar.multiselect(key="p_sources").select("hotline_12345").select("city_inspection").run()
    chosen = Filters(districts=("D02",), units=(unit,), sources=("hotline_12345", "city_inspection"))
    _check_page(_metrics(page), _expected(demo_store, *default, chosen))

    period = (as_of - dt.timedelta(days=40), as_of - dt.timedelta(days=10))
    page.sidebar.date_input(key="p_period").set_value(period).run()
    assert not page.exception
    _check_page(_metrics(page), _expected(demo_store, *period, chosen))
    assert period[0].isoformat() in page.caption[0].value


def test_status_filter_does_not_change_history(page, app_env):
    """The status filter is not applied here: greyed out with a note beside it, and a link
    that sets it shows the same history."""
    statuses = page.sidebar.multiselect(key="f_statuses")
    assert statuses.disabled
    assert any("本页不按此项筛选" in c.value for c in page.sidebar.caption)
    linked = run_page("progress", {"status": "fixing"}, timeout=TIMEOUT)
    assert _metrics(linked) == _metrics(page)


def test_red_and_black_lists(page, demo_store):
    as_of = demo_store.as_of()
    timeline = build_timeline(demo_store.problems(), demo_store.events(), load_vocabulary())
    start = as_of - dt.timedelta(days=LIST_DAYS - 1)
    expected = rank(timeline, "district", start, as_of, demo_store.district_names())
    shown = page.dataframe[0].value
    assert shown["名称"].tolist() == expected["name"].tolist()
    assert shown["超期"].tolist() == expected["overdue"].tolist()
    assert shown["按期结案率（%）"].tolist() == pytest.approx((expected["on_time_rate"] * 100).round(1).tolist())
    assert shown["红黑榜"].iloc[0] == "红榜" and shown["红黑榜"].iloc[-1] == "黑榜"

    page.button_group(key="p_by").set_value("unit").run()
    assert not page.exception
    units = page.dataframe[0].value
    by_unit = rank(timeline, "unit", start, as_of, demo_store.units().set_index("code")["name"].to_dict())
    by_unit = by_unit[by_unit["code"].isin(set(timeline.problems["unit_code"].dropna()))]
    assert units["名称"].tolist() == by_unit["name"].tolist()
    assert (units["红黑榜"] == "红榜").sum() == (by_unit["mark"] == "red").sum() >= 1


def test_race_says_whether_the_pace_is_enough(page, demo_store):
    as_of = demo_store.as_of()
    timeline = build_timeline(demo_store.problems(), demo_store.events(), load_vocabulary())
    race = timeline_race(timeline, as_of, page.date_input(key="p_assessment").value)
    metrics = _metrics(page)
    assert metrics["当前积压"] == f"{race['backlog']:,}"
    assert metrics["近14日销号（件/天）"] == f"{race['closing_pace']:.1f}"
    assert metrics["所需销号（件/天）"] == f"{race['needed_pace']:.1f}"
    if race["enough"]:
        assert "赶在国测日期" in page.success[0].value
    else:
        assert page.error[0].value.startswith("当前速度不够") and f"{race['needed_pace']:.1f} 件/天" in page.error[0].value

    # a target above the backlog and a near date: it holds, and the page says so (not "falls to it")
    soon = as_of + dt.timedelta(days=3)
    page.date_input(key="p_assessment").set_value(soon).run()
    page.number_input(key="p_target").set_value(race["backlog"] + 10_000).run()
    assert not page.exception
    assert _metrics(page)["距国测"] == "3 天"
    assert page.success and "仍在目标以内" in page.success[0].value and "降至" not in page.success[0].value


def test_overview_tiles_agree(app_env, demo_store):
    at = run_page("overview", {}, timeout=TIMEOUT)
    as_of = demo_store.as_of()
    week = _expected(demo_store, as_of - dt.timedelta(days=RECENT_DAYS - 1), as_of)
    metrics = _metrics(at)
    assert metrics["近7日新发现"] == f"{week['found']:,}"
    assert metrics["近7日销号"] == f"{week['closed']:,}"
    assert metrics["近7日按期结案率"] == _rate(week["on_time_rate"])
    assert metrics["距国测"] == f"{(load_settings().assessment_date - as_of).days} 天"


def test_cli_agrees_with_the_page(page, demo_store, demo_db_url, monkeypatch, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    as_of = demo_store.as_of()
    start = as_of - dt.timedelta(days=TREND_DAYS - 1)
    assert main(["progress", "--format", "json", "--since", start.isoformat(), "--until", as_of.isoformat()]) == 0
    out = json.loads(capsys.readouterr().out)
    (total,) = out["rows"]
    metrics = _metrics(page)
    assert f"{total['found']:,}" == metrics["新发现"] and f"{total['overdue']:,}" == metrics["超期"]
    assert _rate(total["on_time_rate"]) == metrics["按期结案率"]
    assert f"{out['race']['backlog']:,}" == metrics["当前积压"]

    assert main(["progress", "--by", "district", "--format", "csv", "--since", start.isoformat()]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    districts, whole = table[table["code"] != "*"], table[table["code"] == "*"].iloc[0]
    for column in ("found", "closed", "on_time", "reopened", "backlog", "overdue", "total"):
        assert districts[column].sum() == whole[column], column
    assert set(districts["name"]) == set(demo_store.district_names().values())


def test_cli_rejects_a_bad_period(demo_db_url, monkeypatch, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    with pytest.raises(SystemExit):
        main(["progress", "--since", "2026-02-30"])
    assert "is not a date" in capsys.readouterr().err
    assert main(["progress", "--since", "2026-03-02", "--until", "2026-03-01"]) == 2
    assert "before --since" in capsys.readouterr().err


def test_demo_figures_match_the_overview_definitions(demo_store):
    """At the end of today the timeline's backlog and overdue are the overview's open and overdue."""
    vocab = load_vocabulary()
    problems, events = demo_store.problems(), demo_store.events()
    as_of = demo_store.as_of()
    today = daily_counts(problems, events, vocab, as_of, as_of).iloc[0]
    assert today["backlog"] == problems["status"].isin(vocab.unresolved_statuses).sum()
    assert today["overdue"] == overdue_mask(problems, vocab, as_of).sum()


def test_demo_past_days_recompute_from_events_known_then(demo_store):
    vocab = load_vocabulary()
    problems, events = demo_store.problems(), demo_store.events()
    as_of = demo_store.as_of()
    start = as_of - dt.timedelta(days=60)
    full = daily_counts(problems, events, vocab, start, as_of)
    for back in (45, 20, 3):
        day = as_of - dt.timedelta(days=back)
        known = events[events["at"] < pd.Timestamp(day + dt.timedelta(days=1))]
        # the timeline as it stood that day: problems logged by then, their events up to then
        then = daily_counts(problems[problems["id"].isin(known["problem_id"])], known, vocab, start, day)
        pd.testing.assert_frame_equal(then, full.loc[:str(day)], check_freq=False)


def test_weekly_view_and_english(page):
    page.button_group(key="p_freq").set_value("week").run()
    assert not page.exception
    assert page.get("download_button")[0].proto.label == "下载图表数据（CSV）"
    page.sidebar.selectbox(key="lang").set_value("en").run()
    assert not page.exception
    assert page.title[0].value == "Rectification progress"
    assert "On-time rate" in _metrics(page)


def test_chart_builders_carry_the_numbers(demo_store):
    """Plotly charts are opaque to AppTest: check the figures their builders make."""
    from civmap.progress import charts
    from civmap.progress.figures import daily_figures, weekly_figures

    vocab = load_vocabulary()
    timeline = build_timeline(demo_store.problems(), demo_store.events(), vocab)
    as_of = demo_store.as_of()
    start = as_of - dt.timedelta(days=29)
    days = daily_figures(timeline, start, as_of)
    flows = charts.flows_chart(days, vocab, "zh")
    assert [trace.name for trace in flows.data] == ["新发现", "销号", "反弹"]
    assert list(flows.data[1].y) == days["closed"].tolist()
    levels = charts.levels_chart(weekly_figures(timeline, start, as_of), "zh")
    assert levels.layout.xaxis.title.text == "周（周一起）"
    data = charts.series_data(days, charts.RATE_COLUMNS, "zh")
    assert list(data.columns) == ["日期", "结案率", "按期结案率", "返工率"]
    assert data["日期"].iloc[-1] == as_of.isoformat()
    race = timeline_race(timeline, as_of, as_of + dt.timedelta(days=30), target=100)
    lines = charts.burndown_lines(days, race)
    assert lines["needed"].iloc[-1] == pytest.approx(100) and lines["needed"].dropna().iloc[0] == race["backlog"]
    assert lines["projection"].dropna().iloc[0] == race["backlog"]
    assert charts.csv_bytes(data).startswith("\ufeff日期".encode("utf-8"))


def test_a_filter_change_reads_no_problems_or_events(page, demo_store):
    """The status history is read once per data version; a filter change narrows it in memory."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        page.sidebar.multiselect(key="f_districts").select("D03").run()
        page.sidebar.multiselect(key="p_sources").select("hotline_12345").run()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert not page.exception
    as_of = demo_store.as_of()
    chosen = Filters(districts=("D03",), sources=("hotline_12345",))
    _check_page(_metrics(page), _expected(demo_store, as_of - dt.timedelta(days=TREND_DAYS - 1), as_of, chosen))
    reads = [s for s in statements if "problem_events" in s or "FROM problems" in s]
    assert statements and not reads, reads


def _histories(timeline):
    """Events and state segments by problem id: the same histories whatever order the problems were read in."""
    ids = timeline.problems["id"].to_numpy()
    return (sorted(zip(ids[timeline.pidx], timeline.day, timeline.kind, timeline.prev, timeline.deadline,
                       timeline.cycle_start)),
            sorted(zip(ids[timeline.seg_pidx], timeline.seg_start, timeline.seg_end, timeline.seg_kind,
                       timeline.seg_deadline)))


def test_a_narrowed_history_is_the_timeline_of_the_narrowed_problems(demo_store):
    from civmap.progress.history import read_history

    vocab = load_vocabulary()
    history = read_history(demo_store, vocab)
    whole = build_timeline(demo_store.problems(), demo_store.events(), vocab)
    unit = demo_store.problems()["unit_code"].value_counts().index[1]
    for filters in (Filters(), Filters(districts=("D02", "D05")), Filters(units=(unit,), sources=("hotline_12345",)),
                    Filters(problem_categories=("street_vending",), found_from=dt.date(2026, 9, 1))):
        narrowed = history.timeline_for(filters)
        expected = build_timeline(demo_store.problems(filters), demo_store.events(), vocab) if filters != Filters() \
            else whole
        assert sorted(narrowed.problems["id"]) == sorted(expected.problems["id"]), filters
        assert _histories(narrowed) == _histories(expected), filters
        assert timeline_summary(narrowed, dt.date(2026, 9, 1), demo_store.as_of()) == \
            timeline_summary(expected, dt.date(2026, 9, 1), demo_store.as_of())
