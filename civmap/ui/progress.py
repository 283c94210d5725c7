"""Rectification progress: the event timeline, extra filters and charts (pages/progress.py, overview tiles)."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import streamlit as st

from civmap.filters import Filters
from civmap.i18n import area_names, t
from civmap.figures import format_rate
from civmap.storage.scope import WHOLE_CITY, Scope
from civmap.ui.core import cache_key, city_state, city_store, current_store, lang, settings, versioned_resource, vocab

__all__ = [
    "PROGRESS_TILES", "city_history", "date_range_input", "progress_filters", "progress_timeline", "progress_tiles",
    "rank_names", "show_chart",
]


#: The whole city's last built history and the data version of the state it was built
#: from: the next state, made from that one by case moves, rebuilds only what they changed.
_last_history: dict = {}
_last_history_lock = threading.Lock()


def _city_history(version: str):
    """The whole city's status history at data ``version``, from the city this process holds
    (``civmap.ui.core.city_state``): rebuilt only for the problems case moves changed since
    the last one, else built whole (a few tenths of a second at ten times the demo city).
    Kept in ``_last_history`` alone: the last one built is the one asked for next."""
    from civmap.progress.history import built_history

    state = city_state(version, WHOLE_CITY)
    with _last_history_lock:
        last = _last_history.get("built")
        if last is not None and last[0] == state.version:
            return last[1]
        if last is not None and state.since is not None and last[0] == state.since:
            changed = state.status_problems[state.status_problems["id"].isin(state.changed)]
            history = last[1].replaced(changed, state.events[state.events["problem_id"].isin(state.changed)],
                                       vocab())
        else:
            history = built_history(state.status_problems, state.events, vocab())
        _last_history["built"] = (state.version, history)
    return history


@versioned_resource
@st.cache_resource(max_entries=8, show_spinner=False)
def _history(version: str, scope: Scope):
    """The scope's whole status history: its part of the city's, masked (shared by every
    session: it is never changed, only narrowed)."""
    from civmap.storage.live import scope_mask

    whole = _city_history(version)
    return whole.narrowed(scope_mask(whole.problems, scope))


def city_history(version: str, scope: Scope):
    """The status history of ``scope`` at data ``version`` (``civmap.progress.history.History``),
    shared: what ``civmap.ui.warmup`` builds ahead of the first visitor."""
    return _history(version, scope)


@versioned_resource
@st.cache_resource(max_entries=8, show_spinner=False)  # a district's timeline: megabytes; a mask to redo
def _progress_timeline(version: str, scope: Scope, filters: Filters):
    return _history(version, scope).timeline_for(filters)


def progress_timeline(filters: Filters):
    """The status histories of the selected problems (``civmap.progress.figures.Timeline``); the status
    filter is dropped, as a problem's current status says nothing about its past. A filter
    change narrows the cached history in memory: nothing is read from the store."""
    return _progress_timeline(*cache_key(), filters.without_statuses())


def date_range_input(label: str, default: tuple[dt.date, dt.date], key: str, help_text: str | None = None,
                     kept: bool = False):
    """A start–end date picker; while only one end is picked, the default period holds.

    ``kept``: the period is part of the user's view (``civmap.ui.params``), the same when
    the user comes back to the page and in the link.
    """
    from civmap.ui.params import kept_widget

    widget = kept_widget(key, default, as_value=True) if kept else {"value": default, "key": key}
    picked = st.date_input(label, help=help_text, format="YYYY-MM-DD", **widget)
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0], picked[1]
    st.caption(t("progress.period_invalid", lang()))
    return default


def progress_filters(applies) -> tuple[Filters, dt.date, dt.date]:
    """The shared sidebar (``applies``: the shared filters this page applies) and the
    Progress page's own filters under it: responsible units, problem sources and the
    period (from ``?unit=`` / ``?source=`` / ``?period_from=&period_until=`` when the
    session opened with them, kept in the view like the shared filters).

    Returns the Filters (the shared ones plus units and sources) and the period's first
    and last day. The period sets the charts' time axis, not which problems count: a
    found-date filter would drop older problems still open from the backlog.
    """
    from civmap.progress.figures import TREND_DAYS

    from civmap.ui.params import kept_widget, sidebar_filters, view_filters, write_url

    code, as_of = lang(), current_store().as_of()
    units, sources = rank_names("unit"), vocab().labels("problem_sources", code)
    base = sidebar_filters(applies, write=False)
    with st.sidebar:
        chosen_units = st.multiselect(t("filter.units", code), options=list(units), format_func=lambda c: units.get(c, c),
                                      placeholder=t("filter.all_placeholder", code), **kept_widget("p_units", []))
        chosen_sources = st.multiselect(t("filter.sources", code), options=vocab().codes("problem_sources"),
                                        format_func=lambda c: sources.get(c, c),
                                        placeholder=t("filter.all_placeholder", code), **kept_widget("p_sources", []))
        start, end = date_range_input(t("progress.period", code), (as_of - dt.timedelta(days=TREND_DAYS - 1), as_of),
                                      "p_period", t("progress.period_help", code), kept=True)
    extra = {"unit": list(chosen_units), "source": list(chosen_sources),
             "period_from": [start.isoformat()], "period_until": [end.isoformat()]}
    write_url(view_filters(), {k: v for k, v in extra.items() if v})
    return base.with_(units=tuple(chosen_units), sources=tuple(chosen_sources), statuses=()), start, end


@st.cache_data(max_entries=8, show_spinner=False)
def _names(version: str, scope: Scope, by: str, lang_code: str) -> dict[str, str]:
    s = city_store().within(scope)
    if by in ("district", "street"):
        return area_names(s.areas(by), lang_code)
    return s.units().set_index("code")["name"].to_dict()


def rank_names(by: str) -> dict[str, str]:
    """Display names of the districts, streets or responsible units (``by``) by code."""
    return _names(*cache_key(), by, lang())


def show_chart(figure, data: pd.DataFrame, name: str, tag: str = "") -> None:
    """A plotly chart and, under it, a download of its data as CSV (``name``-``tag``.csv;
    ``tag`` says what the data hold: the selection and the period)."""
    from civmap.progress.charts import csv_bytes

    st.plotly_chart(figure, key=f"chart_{name}", config={"displaylogo": False})
    file_name = f"{name}-{tag}.csv" if tag else f"{name}.csv"
    st.download_button(t("progress.download", lang()), csv_bytes(data), file_name=file_name, mime="text/csv",
                       key=f"download_{name}", on_click="ignore", icon=":material/download:")


#: The overview's progress tiles, in order (``progress.tile.<key>`` labels them).
PROGRESS_TILES = ("found_week", "closed_week", "on_time_week", "days_left")


@st.cache_data(max_entries=32, show_spinner=False)
def _week_and_race(version: str, scope: Scope, filters: Filters, as_of: dt.date, assessment: dt.date):
    """The last week's figures and the race to the assessment, kept with the data version:
    every rerun of the overview showed them, and computing them was a tenth of a rerun."""
    from civmap.progress.figures import RECENT_DAYS, timeline_race, timeline_summary

    timeline = _progress_timeline(version, scope, filters)
    return (timeline_summary(timeline, as_of - dt.timedelta(days=RECENT_DAYS - 1), as_of),
            timeline_race(timeline, as_of, assessment))


def progress_tiles(filters: Filters) -> list[tuple[str, str, str | None]]:
    """The overview's second row: found and closed in the last 7 days, their on-time rate,
    and the days left to the assessment date (with the race's verdict in the help)."""
    code, as_of = lang(), current_store().as_of()
    assessment = settings().assessment_date
    week, race = _week_and_race(*cache_key(), filters.without_statuses(), as_of, assessment)
    verdict = t("progress.tile.verdict." + ("enough" if race["enough"] else "short"), code)
    shown = {
        "found_week": (f"{week['found']:,}", t("progress.tile.help.week", code)),
        "closed_week": (f"{week['closed']:,}", t("progress.tile.help.week", code)),
        "on_time_week": (format_rate(week["on_time_rate"]), t("progress.tile.help.on_time", code)),
        "days_left": (t("progress.days_value", code, days=race["days_left"]),
                      t("progress.tile.help.days_left", code, date=assessment.isoformat(), verdict=verdict)),
    }
    return [(t(f"progress.tile.{key}", code), *shown[key]) for key in PROGRESS_TILES]
