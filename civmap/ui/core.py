"""civmap's Streamlit side, shared by every page: settings, store, language, sidebar, map.

Caches are keyed by the store's data version and the ``Filters`` value, never by
GeoDataFrames (which ``st.cache_data`` cannot hash); the store itself is a resource.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from civmap.config import ROOT, Settings, load_settings
from civmap.db import open_store
from civmap.figures import Headline, format_rate, headline, overdue_list
from civmap.filters import Filters
from civmap.health import StoreError
from civmap.i18n import LANGS, area_names, localized_areas, t
from civmap.mapview import MapLayers, TileConfig, build_map, render_html
from civmap.store import Store
from civmap.ui.text import plain
from civmap.vocab import Vocabulary, load_vocabulary

__all__ = [
    "ICON", "asset_base", "cached_headline", "cached_map_html", "code_multiselect", "district_names", "tile_config",
    "format_rate", "lang",
    "metric_row", "overdue_table", "scoped_store", "selection", "settings", "show_map",
    "store", "table_labels", "vocab",
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


@st.cache_resource(show_spinner=False)
def _opened_store() -> Store:
    """The whole-city store, opened (and on first run seeded) once per process."""
    return open_store(settings())


def store() -> Store:
    """The whole-city store, checked on every call; on a fault, an error and a stopped page.

    A store whose file went away, was replaced or broke is dropped from the resource cache
    and opened again (a restored file is picked up at once); if it still cannot be used,
    the page says why in the UI language and shows nothing else (no stale figures, no
    traceback). Every page asks here first, so the next run after the fault is mended
    shows the data again.
    """
    for attempt in (1, 2):
        opened = None
        try:
            opened = _opened_store()
            opened.data_version()
            return opened
        except StoreError as error:
            if opened is not None:
                opened.engine.dispose()  # its connections still read the old file
            _opened_store.clear()
            if attempt == 2 or error.code not in ("replaced", "truncated"):
                st.error(t("store.fault.title", lang()) + "\n\n" + plain(error.message(lang())))
                st.stop()


def vocab() -> Vocabulary:
    return load_vocabulary(settings().vocab_dir)


def lang() -> str:
    """The UI language: the sidebar choice, else ``?lang=``, else the configured default."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang", settings().lang)
        st.session_state["lang"] = wanted if wanted in LANGS else settings().lang
    return st.session_state["lang"]


def asset_base() -> str:
    """Where the app serves ``static/``; the map's iframe resolves it against the app's host."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}/app/static" if prefix else "/app/static"


# -- cached reads ----------------------------------------------------------------------
def scoped_store(scope: tuple[str, ...] | None) -> Store:
    """The store as one area scope sees it (None: everything)."""
    return store() if scope is None else store().scoped(scope)


@st.cache_data(max_entries=32, show_spinner=False)
def _problems(version: str, scope: tuple[str, ...] | None, filters: Filters):
    """Problems for ``filters`` (given without statuses, so the layers and the progress
    figures, which both want every status, share one read)."""
    return scoped_store(scope).problems(filters)


@st.cache_data(max_entries=2, show_spinner=False)
def _events(version: str, scope: tuple[str, ...] | None) -> pd.DataFrame:
    """The scope's whole status-event log, the columns figures need (nothing personal),
    read once per data version; a filter change then only re-reads problems."""
    return scoped_store(scope).events()[["problem_id", "at", "to_status", "deadline"]]


@st.cache_data(max_entries=32, show_spinner=False)
def _layers(version: str, scope: tuple[str, ...] | None, filters: Filters) -> tuple:
    s = scoped_store(scope)
    return (s.districts(), s.points(filters), s.circles(filters), s.alleys(filters),
            _problems(version, scope, filters.without_statuses()))


@st.cache_data(max_entries=8, show_spinner=False)
def _district_names(version: str, scope: tuple[str, ...] | None, lang_code: str) -> dict[str, str]:
    return scoped_store(scope).district_names(lang_code)


def district_names(scope: tuple[str, ...] | None = None) -> dict[str, str]:
    """District code → name in the UI language, read once per data version (the sidebar,
    captions and the wall all ask on every rerun)."""
    return _district_names(store().data_version(), scope, lang())


@st.cache_resource(show_spinner=False)
def _tile_set(path: str, stamp: str):
    """The city's tile file, unpacked once per process (again when the file changes)."""
    from civmap.tiles import ensure_unpacked

    return ensure_unpacked(path)


def tile_config() -> TileConfig:
    """The configured base tiles, for every map.

    A tile file that cannot be served is named in a warning and the map falls back to
    the district base, so a bad file never costs the user the map.
    """
    cfg = settings()
    if cfg.tiles != "file":
        return TileConfig(cfg.tiles, cfg.tile_url, cfg.tianditu_key)
    from civmap.tiles import TileFileError

    try:
        stat = Path(cfg.tile_file).stat()
        with st.spinner(t("tiles.unpacking", lang())):
            tile_set = _tile_set(cfg.tile_file, f"{stat.st_size}:{stat.st_mtime_ns}")
    except (OSError, TileFileError) as error:
        st.warning(t("tiles.unusable", lang(), error=plain(str(error))), icon=":material/map:")
        return TileConfig()
    return TileConfig("file", tile_set.url(asset_base()), attribution=tile_set.attribution,
                      max_zoom=tile_set.max_zoom)


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
    districts = localized_areas(districts, lang_code)
    shown = problems[problems["status"].isin(filters.statuses or vocab().unresolved_statuses)]
    cfg, tiles = settings(), tile_config()
    fmap = build_map(MapLayers(districts, points, circles, alleys, shown), vocab(), lang_code, as_of, base,
                     tiles=tiles, radius_m=cfg.circle_radius_m, height=f"{height}px")
    return render_html(fmap)


@st.cache_data(max_entries=32, show_spinner=False)
def _overdue(version: str, scope, filters: Filters, as_of: dt.date, lang_code: str) -> pd.DataFrame:
    districts, _, _, _, problems = _layers(version, scope, filters)
    if filters.statuses:
        problems = problems[problems["status"].isin(filters.statuses)]
    names = area_names(districts, lang_code)
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


def show_map(html: str, height: int, key: str = "map", focus=None):
    """The map as a control (``civmap.ui.mapchannel``): returns the feature clicked, if any."""
    from civmap.ui.mapchannel import map_control

    return map_control(html, height + 4, key, focus)


# -- widgets ---------------------------------------------------------------------------
def code_multiselect(label_key: str, options: list[str], labels: dict[str, str], key: str, default: list[str]):
    return st.multiselect(t(label_key, lang()), options=options, default=[d for d in default if d in options],
                          format_func=lambda code: labels.get(code, code), key=key,
                          placeholder=t("filter.all_placeholder", lang()))


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
