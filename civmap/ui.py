"""The one civmap module that imports Streamlit: cached loaders and shared widgets.

Caches are keyed by the store's data version and the ``Filters`` value, never by
GeoDataFrames (which ``st.cache_data`` cannot hash); the store itself is a resource.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civmap.config import ROOT, Settings, load_settings
from civmap.db import open_store
from civmap.figures import Headline, headline, overdue_list
from civmap.filters import Filters
from civmap.i18n import t
from civmap.mapview import MapLayers, TileConfig, build_map, render_html
from civmap.store import Store
from civmap.vocab import Vocabulary, load_vocabulary

__all__ = [
    "settings", "store", "vocab", "lang", "sidebar_filters", "selection", "cached_headline",
    "cached_map_html", "show_map", "asset_base", "metric_row", "format_rate",
]


#: The app's favicon, served from the app itself like everything else.
ICON = ROOT / "static" / "civmap" / "favicon.png"


def _leave_pages_directory_mode() -> None:
    """Make a direct link to a page (``/wall``) run through ``dashboard.py``.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until
    some session has run ``st.navigation``: on a fresh server the first request for
    ``/wall`` would run ``pages/wall.py`` alone, without the page config and navigation
    of ``dashboard.py``. Every page imports this module first, so the first such run
    switches the server to ``st.navigation`` mode and starts again through the frame.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_pages_directory_mode()


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def store() -> Store:
    """The whole-city store, opened (and on first run seeded) once per process."""
    return open_store(settings())


def vocab() -> Vocabulary:
    return load_vocabulary(settings().vocab_dir)


def lang() -> str:
    """The UI language: the sidebar choice, else ``?lang=``, else the configured default."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang", settings().lang)
        st.session_state["lang"] = wanted if wanted in ("zh", "en") else settings().lang
    return st.session_state["lang"]


def asset_base() -> str:
    """Where the app serves ``static/``; the map's iframe resolves it against the app's host."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}/app/static" if prefix else "/app/static"


def format_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# -- cached reads ----------------------------------------------------------------------
@st.cache_data(max_entries=32, show_spinner=False)
def _layers(version: str, scope: tuple[str, ...] | None, filters: Filters) -> tuple:
    s = store() if scope is None else store().scoped(scope)
    everything = filters.without_statuses()
    return (s.districts(), s.points(filters), s.circles(filters), s.alleys(filters), s.problems(everything))


def selection(filters: Filters, scope: tuple[str, ...] | None = None) -> tuple:
    """(districts, points, circles, alleys, problems-before-status-filter) for ``filters``."""
    return _layers(store().data_version(), scope, filters)


@st.cache_data(max_entries=32, show_spinner=False)
def _headline(version: str, scope, filters: Filters, as_of: dt.date) -> Headline:
    _, points, circles, alleys, problems = _layers(version, scope, filters)
    return headline(points, circles, alleys, problems, vocab(), as_of, filters.statuses)


def cached_headline(filters: Filters, scope=None) -> Headline:
    return _headline(store().data_version(), scope, filters, store().as_of())


@st.cache_data(max_entries=16, show_spinner=False)
def _map_html(version: str, scope, filters: Filters, lang_code: str, as_of: dt.date, base: str,
              height: int) -> str:
    districts, points, circles, alleys, problems = _layers(version, scope, filters)
    shown = problems[problems["status"].isin(filters.statuses or vocab().unresolved_statuses)]
    cfg = settings()
    tiles = TileConfig(cfg.tiles, cfg.tile_url, cfg.tianditu_key)
    fmap = build_map(MapLayers(districts, points, circles, alleys, shown), vocab(), lang_code, as_of, base,
                     tiles=tiles, radius_m=cfg.circle_radius_m, height=f"{height}px")
    return render_html(fmap)


@st.cache_data(max_entries=32, show_spinner=False)
def _overdue(version: str, scope, filters: Filters, as_of: dt.date, lang_code: str) -> pd.DataFrame:
    districts, _, _, _, problems = _layers(version, scope, filters)
    if filters.statuses:
        problems = problems[problems["status"].isin(filters.statuses)]
    names = districts.set_index("code")["name"].to_dict()
    table = overdue_list(problems, vocab(), as_of, names, lang_code)
    headers = {c: t(f"field.{k}", lang_code) for c, k in (
        ("id", "id"), ("description", "description"), ("category", "category"), ("district", "district"),
        ("unit", "unit"), ("chief", "chief"), ("status", "status"), ("deadline", "deadline"),
        ("days_overdue", "overdue_days"))}
    return table.rename(columns=headers)


def overdue_table(filters: Filters, scope=None) -> pd.DataFrame:
    """The selection's overdue problems, labelled for display."""
    return _overdue(store().data_version(), scope, filters, store().as_of(), lang())


def cached_map_html(filters: Filters, height: int, scope=None) -> str:
    """The rendered map page; cached whole, as rebuilding it is most of a rerun's cost."""
    return _map_html(store().data_version(), scope, filters, lang(), store().as_of(), asset_base(), height)


def show_map(html: str, height: int) -> None:
    st.iframe(html, height=height + 4)


# -- widgets ---------------------------------------------------------------------------
def _multiselect(label_key: str, options: list[str], labels: dict[str, str], key: str, default: list[str]):
    return st.multiselect(t(label_key, lang()), options=options, default=[d for d in default if d in options],
                          format_func=lambda code: labels.get(code, code), key=key,
                          placeholder=t("filter.all_placeholder", lang()))


def sidebar_filters() -> Filters:
    """The shared sidebar: language and the filters every page reads.

    Initial values come from the URL (``?district=D01&status=fixing``), so a view can be
    bookmarked; an empty selection means everything.
    """
    v, code = vocab(), lang()
    from_url = Filters.from_query_params({k: st.query_params.get_all(k) for k in st.query_params.keys()})
    with st.sidebar:
        st.selectbox(t("sidebar.lang", code), options=["zh", "en"], key="lang",
                     format_func=lambda c: {"zh": "简体中文", "en": "English"}[c])
        st.header(t("sidebar.filters", code))
        districts = store().district_names()
        chosen_districts = _multiselect("filter.districts", list(districts), districts, "f_districts",
                                        list(from_url.districts))
        point_categories = _multiselect("filter.point_categories", v.codes("point_categories"),
                                        v.labels("point_categories", code), "f_point_categories",
                                        list(from_url.point_categories))
        problem_categories = _multiselect("filter.problem_categories", v.codes("problem_categories"),
                                          v.labels("problem_categories", code), "f_problem_categories",
                                          list(from_url.problem_categories))
        statuses = _multiselect("filter.statuses", v.codes("statuses"), v.labels("statuses", code), "f_statuses",
                                list(from_url.statuses) or v.unresolved_statuses)
    return Filters(districts=chosen_districts, point_categories=point_categories,
                   problem_categories=problem_categories, statuses=statuses)


def metric_row(items: list[tuple[str, str, str | None]]) -> None:
    """A row of ``st.metric`` tiles: (label, value, help)."""
    for column, (label, value, help_text) in zip(st.columns(len(items)), items):
        column.metric(label, value, help=help_text)


def table_labels(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Replace code columns by their labels: ``{"category": ("point_categories", "类别")}``."""
    out = frame.copy()
    for column, (kind, title) in columns.items():
        out[column] = out[column].map(vocab().labels(kind, lang())).fillna(out[column])
    return out.rename(columns={c: title for c, (_, title) in columns.items()})


# -- key point-circles (civmap.circles; pages/circles.py) ------------------------------
# Membership, ties and circle problems are spatial work: computed once per
# (data version, scope, radius, centre kinds, tie distance, day) and cached; the state
# rule is cheap and applied on every rerun so its widgets answer at once.
@st.cache_data(max_entries=8, show_spinner=False)
def _circle_data(version: str, scope, radius_m: float, kinds: tuple[str, ...], tie_distance_m: float,
                 as_of: dt.date):
    from civmap.circles import load_circle_data

    s = store() if scope is None else store().scoped(scope)
    return load_circle_data(s, vocab(), radius_m, kinds, tie_distance_m, as_of)


def circle_data(radius_m: float, kinds, scope=None):
    """``civmap.circles.CircleData`` for the radius and centre kinds, over the whole store."""
    return _circle_data(store().data_version(), scope, float(radius_m), tuple(sorted(kinds)),
                        settings().tie_distance_m, store().as_of())


def circle_rule():
    """The configured circle state rule (``CIVMAP_CIRCLE_RULE``)."""
    from civmap.circle_state import CircleRule

    return CircleRule.parse(settings().circle_rule, "CIVMAP_CIRCLE_RULE")


@st.cache_data(max_entries=16, show_spinner=False)
def _circle_map_html(version: str, scope, radius_m: float, kinds: tuple[str, ...], tie_distance_m: float,
                     as_of: dt.date, circle_id: str, lang_code: str, base: str, height: int) -> str:
    from civmap.circlemap import CircleView, build_circle_map

    data = _circle_data(version, scope, radius_m, kinds, tie_distance_m, as_of)
    districts, points, _, alleys, _ = _layers(version, scope, Filters())
    members = data.members[data.members["circle_id"] == circle_id]
    problems = data.problems[(data.problems["circle_id"] == circle_id) & data.problems["open"]]
    view = CircleView(districts=districts, circle=data.circles[data.circles["id"] == circle_id],
                      members=members, points=points[points["id"].isin(members["member_id"])],
                      alleys=alleys[alleys["id"].isin(members["member_id"])], problems=problems)
    cfg = settings()
    fmap = build_circle_map(view, vocab(), lang_code, as_of, base, tiles=TileConfig(cfg.tiles, cfg.tile_url,
                            cfg.tianditu_key), radius_m=radius_m, height=f"{height}px")
    return render_html(fmap)


def circle_map_html(radius_m: float, kinds, circle_id: str, height: int, scope=None) -> str:
    """The rendered map of one circle (ring, members, open problems), cached whole."""
    return _circle_map_html(store().data_version(), scope, float(radius_m), tuple(sorted(kinds)),
                            settings().tie_distance_m, store().as_of(), circle_id, lang(), asset_base(), height)


# -- wall (issue 6: the command-centre big screen, pages/wall.py) -------------------------
import time as _time  # noqa: E402  (the wall's block keeps its imports to itself)
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: E402

from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

#: What a store read can raise when the database is away or locked: the wall then keeps
#: showing its last good data, marked stale.
WALL_READ_ERRORS = (SQLAlchemyError, OSError)


def wall_districts() -> dict[str, str]:
    """District code → name; the last good answer when the store cannot be read (else {})."""
    try:
        names = store().district_names()
    except WALL_READ_ERRORS:
        return st.session_state.get("wall_districts", {})
    st.session_state["wall_districts"] = names
    return names


def wall_options():
    """The wall's ``WallOptions`` from the URL; a bad parameter is shown, not raised (None)."""
    from civmap.wall import parse_options
    from civmap.wallview import notice_html

    params = {k: st.query_params.get(k) for k in ("district", "carousel", "every", "refresh")}
    try:
        return parse_options(params, list(wall_districts()) or None)
    except ValueError as error:
        st.html(notice_html(str(error)))
        return None


def wall_now() -> dt.datetime:
    """Now, in the viewer's time zone when the browser says which (the wall's clock)."""
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return dt.datetime.now(zone) if zone else dt.datetime.now()


def wall_position(options, district_codes: list[str]) -> str | None:
    """The district the wall shows now (None: the city); moves the carousel on when due.

    The position lives in the session, so data refreshes never reset it.
    """
    from civmap.wall import advance, carousel_order

    now = _time.monotonic()
    if "wall_view" not in st.session_state:
        st.session_state["wall_view"] = options.district
        st.session_state["wall_moved_at"] = now
    elif options.carousel and district_codes and now - st.session_state["wall_moved_at"] >= options.every - 0.5:
        st.session_state["wall_view"] = advance(carousel_order(district_codes), st.session_state["wall_view"])
        st.session_state["wall_moved_at"] = now
    return st.session_state["wall_view"]


def _wall_circle_states():
    """Each active circle's state by the configured rule (shared with the Circles page)."""
    from civmap.circles import summarise

    try:
        data = circle_data(settings().circle_radius_m, settings().centre_kinds)
        return summarise(data, circle_rule())[["circle_id", "district_code", "state"]]
    except ValueError:  # a bad circle rule or centre kind: show the number of circles instead
        return None


@st.cache_data(max_entries=2, show_spinner=False)
def _wall_city(version: str):
    from civmap.wall import wall_city

    s = store()
    return wall_city(s.districts(), s.points(), s.circles(), s.problems(), s.events(), _wall_circle_states())


@st.cache_data(max_entries=16, show_spinner=False)
def _wall_view(version: str, district: str | None, as_of: dt.date, assessment_date: dt.date):
    from civmap.wall import build_view

    return build_view(_wall_city(version), district, vocab(), as_of, assessment_date)


@st.cache_data(max_entries=16, show_spinner=False)
def _wall_map(version: str, district: str | None, as_of: dt.date, assessment_date: dt.date, lang_code: str,
              base: str) -> str:
    from civmap.wallmap import build_wall_map, render_wall_map

    view = _wall_view(version, district, as_of, assessment_date)
    cfg = settings()
    fmap = build_wall_map(_wall_city(version).districts, view.rates, view.problems, vocab(), as_of, base,
                          lang_code, focus=district, tiles=TileConfig(cfg.tiles, cfg.tile_url, cfg.tianditu_key))
    return render_wall_map(fmap)


def wall_read(district: str | None):
    """A ``civmap.wall.WallRead`` for the wall's current screen.

    A failed read keeps the last good view of that screen (from this session) and says
    it is stale; with none yet, its view and map are None.
    """
    from civmap.wall import WallRead

    good = st.session_state.setdefault("wall_good", {})
    try:
        version, as_of = store().data_version(), store().as_of()
        assessment = settings().assessment_date
        view = _wall_view(version, district, as_of, assessment)
        map_html = _wall_map(version, district, as_of, assessment, lang(), asset_base())
    except WALL_READ_ERRORS:
        last = good.get(district)
        return WallRead(None, None, None, True) if last is None else last._replace(stale=True)
    good[district] = WallRead(view, map_html, wall_now(), False)
    return good[district]


# -- progress (issue 4: rectification progress; pages/progress.py and the overview tiles) --
def _progress_store(scope):
    return store() if scope is None else store().scoped(scope)


@st.cache_data(max_entries=2, show_spinner=False)
def _progress_events(version: str, scope) -> pd.DataFrame:
    """The scope's whole status-event log, read once per data version; a filter change
    then only re-reads the (much smaller) problems table."""
    events = _progress_store(scope).events()
    return events[["problem_id", "at", "to_status", "deadline"]]


@st.cache_data(max_entries=16, show_spinner=False)
def _progress_ledger(version: str, scope, filters: Filters):
    from civmap.progress import build_ledger

    problems = _progress_store(scope).problems(filters)
    return build_ledger(problems, _progress_events(version, scope), vocab())


def progress_ledger(filters: Filters, scope=None):
    """The status histories of the selected problems (``civmap.progress.Ledger``); the status
    filter is dropped, as a problem's current status says nothing about its past."""
    return _progress_ledger(store().data_version(), scope, filters.without_statuses())


def date_range_input(label: str, default: tuple[dt.date, dt.date], key: str, help_text: str | None = None):
    """A start–end date picker; while only one end is picked, the default period holds."""
    picked = st.date_input(label, value=default, key=key, help=help_text, format="YYYY-MM-DD")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0], picked[1]
    st.caption(t("progress.period_invalid", lang()))
    return default


def progress_filters(base: Filters) -> tuple[Filters, dt.date, dt.date]:
    """The Progress page's own filters, in the sidebar under the shared ones: responsible
    units, problem sources (defaults from ``?unit=`` / ``?source=``) and the period.

    Returns the Filters (the shared ones plus units and sources) and the period's first
    and last day. The period sets the charts' time axis, not which problems count: a
    found-date filter would drop older problems still open from the backlog.
    """
    from civmap.progress import TREND_DAYS

    code, as_of = lang(), store().as_of()
    from_url = Filters.from_query_params({k: st.query_params.get_all(k) for k in st.query_params.keys()})
    units = store().units().set_index("code")["name"].to_dict()
    with st.sidebar:
        chosen_units = _multiselect("filter.units", list(units), units, "p_units", list(from_url.units))
        sources = _multiselect("filter.sources", vocab().codes("problem_sources"),
                               vocab().labels("problem_sources", code), "p_sources", list(from_url.sources))
        start, end = date_range_input(t("progress.period", code), (as_of - dt.timedelta(days=TREND_DAYS - 1), as_of),
                                      "p_period", t("progress.period_help", code))
    return base.with_(units=tuple(chosen_units), sources=tuple(sources), statuses=()), start, end


@st.cache_data(max_entries=8, show_spinner=False)
def _names(version: str, scope, by: str) -> dict[str, str]:
    s = _progress_store(scope)
    if by == "district":
        return s.district_names()
    if by == "street":
        return s.areas("street").set_index("code")["name"].to_dict()
    return s.units().set_index("code")["name"].to_dict()


def rank_names(by: str, scope=None) -> dict[str, str]:
    """Display names of the districts, streets or responsible units (``by``) by code."""
    return _names(store().data_version(), scope, by)


def show_chart(figure, data: pd.DataFrame, name: str) -> None:
    """A plotly chart and, under it, a download of its data as CSV (``name``.csv)."""
    from civmap.charts import csv_bytes

    st.plotly_chart(figure, key=f"chart_{name}", config={"displaylogo": False})
    st.download_button(t("progress.download", lang()), csv_bytes(data), file_name=f"{name}.csv", mime="text/csv",
                       key=f"download_{name}", on_click="ignore", icon=":material/download:")


def progress_tiles(filters: Filters, scope=None) -> list[tuple[str, str, str | None]]:
    """The overview's second row: found and closed in the last 7 days, their on-time rate,
    and the days left to the assessment date (with the race's verdict in the help)."""
    from civmap.progress import RECENT_DAYS, ledger_race, ledger_summary

    code, as_of = lang(), store().as_of()
    ledger = progress_ledger(filters, scope)
    week = ledger_summary(ledger, as_of - dt.timedelta(days=RECENT_DAYS - 1), as_of)
    assessment = settings().assessment_date
    race = ledger_race(ledger, as_of, assessment)
    verdict = t("progress.tile.verdict." + ("enough" if race["enough"] else "short"), code)
    return [
        (t("progress.tile.found_week", code), f"{week['found']:,}", t("progress.tile.help.week", code)),
        (t("progress.tile.closed_week", code), f"{week['closed']:,}", t("progress.tile.help.week", code)),
        (t("progress.tile.on_time_week", code), format_rate(week["on_time_rate"]),
         t("progress.tile.help.on_time", code)),
        (t("progress.tile.days_left", code), t("progress.days_value", code, days=race["days_left"]),
         t("progress.tile.help.days_left", code, date=assessment.isoformat(), verdict=verdict)),
    ]


# -- ledger (issue 5: import and export; pages/ledger.py) --------------------------------
@st.cache_data(max_entries=4, show_spinner=False)
def _ledger_check(version: str, data: bytes, name: str, kind: str, crs: str):
    from civmap.ledger import check_file

    return check_file(data, name, kind, store(), vocab(), crs)


def ledger_check(data: bytes, name: str, kind: str, crs: str):
    """The checked ledger for an uploaded file; checked again once the store changes."""
    return _ledger_check(store().data_version(), data, name, kind, crs)


@st.cache_data(max_entries=4, show_spinner=False)
def _ledger_names(version: str) -> dict[str, dict[str, str]]:
    from civmap.ledger import display_names

    return display_names(store())


def ledger_names() -> dict[str, dict[str, str]]:
    return _ledger_names(store().data_version())


@st.cache_data(max_entries=6, show_spinner=False)
def _ledger_export(version: str, fmt: str, filters: Filters, as_of: dt.date) -> bytes:
    from civmap.ledger.export import export_geojson, export_workbook
    from civmap.ledger.open311 import export_open311

    if fmt == "xlsx":
        return export_workbook(store(), filters, vocab(), as_of)
    if fmt == "geojson":
        return export_geojson(store(), filters)
    return export_open311(store(), filters, vocab(), as_of)


def ledger_export(fmt: str, filters: Filters) -> bytes:
    """The selection exported as ``xlsx``, ``geojson`` or ``open311`` (built on demand)."""
    return _ledger_export(store().data_version(), fmt, filters, store().as_of())
