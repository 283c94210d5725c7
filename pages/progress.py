"""整改进度 — rectification progress: trends, the red and black lists, the race to the assessment date."""

import datetime as dt

import streamlit as st

from civmap import ui
from civmap.progress import charts
from civmap.progress import figures as progress
from civmap.progress import text as progress_text
from civmap.figures import format_rate
from civmap.i18n import t

lang = ui.lang()
# Point categories and the status do not apply: progress follows every problem through every status.
filters, start, end = ui.progress_filters(("districts", "problem_categories", "found"))
timeline = ui.progress_timeline(filters)
as_of = ui.current_store().as_of()
v = ui.vocab()

st.title(t("page.progress", lang))
if not ui.setup_notice(("problems",)):
    st.stop()  # every figure below is computed from problems: none is shown from nothing
st.caption(t("progress.caption", lang, selection=ui.plain(filters.describe(v, ui.district_names(), lang)),
             start=start.isoformat(), end=end.isoformat(), as_of=as_of.isoformat()))

# What every download holds: the selection and the period (its file name says so).
tag = f"{filters.file_tag(v, ui.district_names(), lang)}_{start.isoformat()}~{end.isoformat()}"

# -- the period's figures ------------------------------------------------------------------
fig = progress.timeline_summary(timeline, start, end)
flow, level = t("progress.help.period_flow", lang), t("progress.help.level", lang)


ui.metric_row([
    (t("progress.found", lang), f"{fig['found']:,}", flow),
    (t("progress.closed", lang), f"{fig['closed']:,}", flow),
    (t("progress.reopened", lang), f"{fig['reopened']:,}", flow),
    (t("progress.backlog", lang), f"{fig['backlog']:,}", level),
    (t("progress.overdue", lang), f"{fig['overdue']:,}", level),
])
ui.metric_row([
    (t("progress.closing_rate", lang), format_rate(fig["closing_rate"]), t("progress.def.closing_rate", lang)),
    (t("progress.on_time_rate", lang), format_rate(fig["on_time_rate"]), t("progress.def.on_time_rate", lang)),
    (t("progress.rework_rate", lang), format_rate(fig["rework_rate"]), t("progress.def.rework_rate", lang)),
    (t("progress.median_days", lang), progress_text.days(fig["median_days"], lang), t("progress.def.days", lang)),
    (t("progress.p90_days", lang), progress_text.days(fig["p90_days"], lang), t("progress.def.days", lang)),
])
with st.expander(t("progress.def.title", lang)):
    st.markdown(progress_text.definitions(lang))

trends, lists, race_tab = st.tabs([t("progress.tab.trends", lang), t("progress.tab.lists", lang),
                                   t("progress.tab.race", lang)])

# -- trends --------------------------------------------------------------------------------
with trends:
    weekly = st.segmented_control(t("progress.freq", lang), ["day", "week"], default="day", key="p_freq",
                                  format_func=lambda f: t(f"progress.freq.{f}", lang)) == "week"
    frame = (progress.weekly_figures if weekly else progress.daily_figures)(timeline, start, end)
    suffix = "weekly" if weekly else "daily"
    ui.show_chart(charts.flows_chart(frame, v, lang), charts.series_data(frame, charts.FLOW_COLUMNS, lang),
                  f"progress_flows_{suffix}", tag)
    left, right = st.columns(2)
    with left:
        ui.show_chart(charts.levels_chart(frame, lang), charts.series_data(frame, charts.LEVEL_COLUMNS, lang),
                      f"progress_backlog_{suffix}", tag)
    with right:
        ui.show_chart(charts.rates_chart(frame, lang), charts.series_data(frame, charts.RATE_COLUMNS, lang),
                      f"progress_rates_{suffix}", tag)

# -- red and black lists -------------------------------------------------------------------
with lists:
    pick, period = st.columns([2, 3])
    by = pick.segmented_control(t("progress.by", lang), ["district", "street", "unit"], default="district",
                                key="p_by", format_func=lambda b: t(f"progress.by.{b}", lang)) or "district"
    with period:
        list_start, list_end = ui.date_range_input(
            t("progress.list_period", lang), (as_of - dt.timedelta(days=progress.LIST_DAYS - 1), as_of), "p_list")
    codes = set(timeline.group_codes(progress.BY_COLUMNS[by]).dropna())
    names = {code: name for code, name in ui.rank_names(by).items() if code in codes}
    table = progress.rank(timeline, by, list_start, list_end, names)
    previous = progress.previous_period(list_start, list_end)
    st.caption(t("progress.list_caption", lang, prev_start=previous[0].isoformat(), prev_end=previous[1].isoformat(),
                 k=progress.default_marks(int(table["rank"].notna().sum()))))
    shown = charts.ranking_data(table, lang)
    st.dataframe(charts.ranking_style(shown, lang), hide_index=True, width="stretch",
                 column_config={t("progress.col.code", lang): None})
    ui.show_chart(charts.ranking_chart(table, lang), shown, f"progress_ranking_{by}", tag)

# -- the race to the assessment date -------------------------------------------------------
with race_tab:
    when, goal = st.columns(2)
    assessment = when.date_input(t("progress.assessment_date", lang), value=ui.settings().assessment_date,
                                 key="p_assessment", format="YYYY-MM-DD")
    target = int(goal.number_input(t("progress.target", lang), min_value=0, value=0, step=10, key="p_target",
                                   help=t("progress.target_help", lang)))
    race = progress.timeline_race(timeline, as_of, assessment, target)
    (st.success if race["enough"] else st.error)(progress_text.race_message(race, lang))
    pace = progress_text.number
    ui.metric_row([
        (t("progress.race.backlog", lang), f"{race['backlog']:,}", t("progress.def.backlog", lang)),
        (t("progress.race.days_left", lang), t("progress.days_value", lang, days=race["days_left"]), None),
        (t("progress.race.zero_date", lang), str(race["zero_date"] or t("progress.race.never", lang)), None),
    ])
    ui.metric_row([
        (t("progress.race.closing_pace", lang), pace(race["closing_pace"]), t("progress.def.pace", lang)),
        (t("progress.race.inflow_pace", lang), pace(race["inflow_pace"]), t("progress.race.help.inflow", lang)),
        (t("progress.race.net_pace", lang), pace(race["net_pace"]), t("progress.race.help.net", lang)),
        (t("progress.race.needed_pace", lang), pace(race["needed_pace"]), t("progress.race.help.needed", lang)),
    ])
    history = progress.timeline_daily(timeline, min(start, as_of - dt.timedelta(days=progress.PACE_DAYS)), as_of)
    lines = charts.burndown_lines(history, race)
    ui.show_chart(charts.burndown_chart(lines, race, lang),
                  charts.series_data(lines, lines.columns, lang,
                                     {c: t(f"progress.line.{c}", lang) for c in lines.columns}),
                  "progress_race", tag)
