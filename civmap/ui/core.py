"""civmap's Streamlit side, shared by every page: settings, store, language, sidebar, map.

Caches are keyed by the store's data version and the ``Filters`` value, never by
GeoDataFrames (which ``st.cache_data`` cannot hash); the store itself is a resource.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from civmap.config import ROOT, Settings, load_settings
from civmap.memory import release_freed_memory, trim
from civmap.demo.seed import SEED_STEPS, needs_first_run, open_first_run
from civmap.figures import Headline, headline, overdue_list
from civmap.filters import Filters
from civmap.storage.health import StoreError
from civmap.i18n import LANGS, area_names, localized_areas, t
from civmap.maps.folium_map import (DETAIL_LAYERS, MapLayers, TileConfig, build_map, dense, map_content, map_detail,
                                    narrowed, render_html, shift_layer)
from civmap.storage import Store
from civmap.storage.live import CityState, LiveCity
from civmap.storage.scope import NOTHING, Scope
from civmap.ui.mapchannel import MapPage
from civmap.ui.text import plain
from civmap.vocab import Vocabulary, load_vocabulary

__all__ = [
    "ICON", "LANG_KEY", "NOW_KEY", "asset_base", "base_version", "cache_key", "city_layers", "city_state", "city_store", "warm_overview", "cached_events", "run_version",
    "cached_headline", "cached_map_html", "cached_problems", "code_multiselect", "current_scope", "current_store",
    "ensure_frame", "district_names", "due_soon_table", "lang", "metric_row", "overdue_table", "selection",
    "versioned_resource",
    "settings", "show_map", "table_labels", "tile_config", "vocab",
]


#: The app's favicon, served from the app itself like everything else.
ICON = ROOT / "static" / "civmap" / "favicon.png"


def ensure_frame() -> None:
    """Make this run go through ``dashboard.py`` (the frame and its sign-in gate).

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until
    a run calls ``st.navigation``: on a fresh server the first request for ``/wall`` (and,
    in ``AppTest``, every run after the first) would run ``pages/wall.py`` alone, without
    the frame. The frame calls ``st.navigation`` before any page, so a run still in the old
    mode has skipped it: the mode is switched and the run starts again through the frame.
    Every page asks here (through ``current_scope`` and ``auth.current``) before it reads.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from civmap.ui.warmup import in_health_check

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not in_health_check():  # the check runs the frame itself, and must run to its end
            st.rerun()


ensure_frame()
release_freed_memory()  # once per process: see civmap.memory


@st.cache_resource
def settings() -> Settings:
    return load_settings()


#: Store URLs this process has checked for a first run (and seeded where it was one).
_FIRST_RUN_CHECKED: set[str] = set()


def _first_run() -> None:
    """On the embedded store's first run, seed the demo city with its steps on screen.

    Seeding takes tens of seconds; without this the page stays blank meanwhile. The
    steps show in a status box that folds once the city is ready, and the page then
    draws in the same run. Checked once per store and process.
    """
    cfg = settings()
    if cfg.database_url in _FIRST_RUN_CHECKED:
        return
    if needs_first_run(cfg):
        language = lang()
        with st.status(t("firstrun.title", language), expanded=True) as box:
            bar = st.progress(0.0, text=t("firstrun.waiting", language))

            def step(code: str) -> None:
                done = SEED_STEPS.index(code)
                bar.progress(done / len(SEED_STEPS), text=t("firstrun.step", language, n=done + 1,
                                                             total=len(SEED_STEPS),
                                                             step=t(f"firstrun.step.{code}", language)))

            open_first_run(cfg, progress=step).engine.dispose()
            bar.progress(1.0, text=t("firstrun.ready", language))
            box.update(label=t("firstrun.done", language), state="complete", expanded=False)
    _FIRST_RUN_CHECKED.add(cfg.database_url)


@st.cache_resource(show_spinner=False)
def _opened_store() -> Store:
    """The whole-city store, opened (and on first run seeded) once per process."""
    return open_first_run(settings())


def city_store() -> Store:
    """The whole-city store, checked once a script run; on a fault, an error and a stopped page.

    Only sign-in and account management read it whole (a user is looked up before his
    scope is known); every page's data comes through ``current_store``.

    A store whose file went away, was replaced or broke is dropped from the resource cache
    and opened again (a restored file is picked up at once); if it still cannot be used,
    the page says why in the UI language and shows nothing else (no stale figures, no
    traceback). Every page asks here first (through ``current_store``), so the next run
    after the fault is mended shows the data again.
    """
    for attempt in (1, 2):
        opened = None
        try:
            _first_run()
            opened = _opened_store()
            if _pinned_version(opened) is None:
                _pin_version(opened, opened.data_version())
            return opened
        except StoreError as error:
            if opened is not None:
                opened.engine.dispose()  # its connections still read the old file
            _opened_store.clear()
            if attempt == 2 or error.code not in ("replaced", "truncated"):
                st.error(t("store.fault.title", lang()) + "\n\n" + plain(error.message(lang())))
                st.stop()


def _pinned_version(store: Store) -> str | None:
    """The data version this script run read from ``store`` (or a scoped view of it), if any.

    A page asks for the store a dozen times a run; the first ask checks it (a query that
    also reads the version, ``city_store``) and pins the version for the rest of the run
    (``_run_version``). Kept with the run's ``cursors`` dict (new every run, by identity),
    and with the store's engine, so a store opened anew within the run is checked again;
    outside a run, nothing is pinned.
    """
    ctx, run = _this_run()
    pinned = getattr(ctx, "civmap_run_version", None)
    if run is None or pinned is None or pinned[0] is not run or pinned[1] is not store.engine:
        return None
    return pinned[2]


def _pin_version(store: Store, version: str) -> None:
    ctx, run = _this_run()
    if run is not None:
        ctx.civmap_run_version = (run, store.engine, version)


def _this_run():
    """(the script run's context, its ``cursors`` dict: new every run), or (…, None) outside a run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx, getattr(ctx, "cursors", None)


#: The session entry where the frame's gate (``civmap.ui.auth.gate``) keeps this run's
#: (user, role, scope); set before any page runs.
NOW_KEY = "civmap_now"


def current_scope() -> Scope:
    """What the person using this session may see and change: his role's ``Scope``.

    THE place where the signed-in user's scope plugs in (the frame's gate put it in the
    session this run); nothing below decides who sees what again. No user decided: a scope
    that sees nothing, never the whole city.
    """
    ensure_frame()
    decided = st.session_state.get(NOW_KEY)
    return decided[2] if decided is not None else Scope(districts=(NOTHING,), personal=False)


def current_store() -> Store:
    """The store as the current user may see it, already scoped: every page, the wall, the
    ledger page (checks, imports, exports) and the bulletin read and write through it."""
    return city_store().within(current_scope())


def vocab() -> Vocabulary:
    return load_vocabulary(settings().vocab_dir)


#: The session entry holding the UI language: not the picker's own key, since Streamlit
#: forgets a widget's state on a page that does not draw it (the wall, a problem's page).
LANG_KEY = "civmap_lang"


def lang() -> str:
    """The UI language: the sidebar choice, else ``?lang=``, else the configured default."""
    picked = st.session_state.get("lang")  # the picker's value, or a test's
    if picked in LANGS:
        st.session_state[LANG_KEY] = picked
    elif LANG_KEY not in st.session_state:
        wanted = st.query_params.get("lang", settings().lang)
        st.session_state[LANG_KEY] = wanted if wanted in LANGS else settings().lang
    return st.session_state[LANG_KEY]


def asset_base() -> str:
    """Where the app serves ``static/``; the map's iframe resolves it against the app's host."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}/app/static" if prefix else "/app/static"


# -- cached reads ----------------------------------------------------------------------
# Each cache is keyed by the data version and the scope of ``current_store()`` (so two
# users with different scopes never share an entry) and reads through that store.
def cache_key() -> tuple[str, Scope]:
    """(data version, scope): what every cache of the Streamlit side is keyed by.

    The version is read from the database once per run (``_run_version``), so a change
    written by any process (another app process, an import, the command line) misses every
    cache here at the next run; nothing cached in this process can be shown after it.
    """
    store = current_store()
    version = _run_version(store)
    _drop_older_than(version)
    return version, store.scope


def run_version() -> str:
    """This script run's data version (``_run_version``) of the whole-city store."""
    return _run_version(city_store())


def _run_version(store: Store) -> str:
    """The data version of this script run: read from the database when the run first asks
    for the store (``city_store``'s check), then kept until the run ends.

    One run then shows one state of the data (its figures, map and lists agree even when
    another process writes meanwhile), and a run whose reads take seconds does not compute
    its layers again for every change written while it runs. The next run, and each of the
    wall's refreshes (a fragment run), reads the version again. Streamlit gives every run,
    fragment runs included, a fresh ``cursors`` dict on its ``ScriptRunContext``; the pin is
    kept with that dict (by identity), so it cannot outlive its run. Outside a run, or should
    a Streamlit upgrade drop ``cursors``, the version is read at every call instead.
    """
    version = _pinned_version(store)
    if version is None:
        version = store.data_version()
        _pin_version(store, version)
    return version


#: The newest data version this process has seen (``_drop_older_than``), under its lock.
_newest: dict[str, str | None] = {"version": None}
_newest_lock = threading.Lock()
#: ``st.cache_resource`` functions keyed by the data version (``versioned_resource``).
_VERSIONED_RESOURCES: list = []


def versioned_resource(cached):
    """Mark a ``st.cache_resource`` function keyed by the data version, so that its entries
    for older versions are dropped with the data caches' (``cache_key``)."""
    _VERSIONED_RESOURCES.append(cached)
    return cached


def _drop_older_than(version: str) -> None:
    """When this process first sees a newer data version, drop every entry of the older ones.

    Nobody asks for an older version again (each run reads the version first), yet each
    entry would stay until ``max_entries`` pushed it out. At ``seed --scale 10`` one
    version's layers, problems and maps take about 150 MB, so with a status change every
    few seconds a process kept gigabytes nobody could be shown (``bench/load.py`` measured
    4 GB per process). Only memory depends on this: versions are stamped with the time of
    the write, so one from a clock that lags is not "newer" and merely waits for eviction.
    """
    with _newest_lock:
        if _newest["version"] is not None and version <= _newest["version"]:
            return
        _newest["version"] = version
    st.cache_data.clear()
    for cached in _VERSIONED_RESOURCES:
        cached.clear()
    trim()


@st.cache_data(max_entries=32, show_spinner=False)
def _problems(version: str, scope: Scope, filters: Filters):
    problems = _selected(version, scope, filters).problems
    return problems[problems["status"].isin(filters.statuses)] if filters.statuses else problems


def cached_problems(filters: Filters):
    """Problems for ``filters`` (given without statuses, so the layers and the progress
    figures, which both want every status, share one read)."""
    return _problems(*cache_key(), filters)


@st.cache_resource(max_entries=1, show_spinner=False)
def _live_city(url: str, engine_id: int, _store: Store) -> LiveCity:
    """This process's copy of the whole city (``civmap.storage.live``), one per opened store."""
    return LiveCity(_store)


def _held(version: str) -> CityState:
    store = city_store()
    return _live_city(settings().database_url, id(store.engine), store).state(version)


def city_state(version: str, scope: Scope) -> CityState:
    """The city as this process holds it, at least as new as data ``version``, the part
    ``scope`` may see: a case move written since the last state re-reads only the problems
    it changed, any other write reads the city whole."""
    return _held(version).within(scope)


def base_version(version: str) -> str:
    """The base version of the city held at data ``version`` (``civmap.storage.live``): the
    key of what a case move cannot change, read without masking any layer for a scope."""
    return _held(version).base


def cached_events() -> pd.DataFrame:
    """The scope's whole status-event log, the columns figures need (problem_id, at,
    to_status, deadline; nothing personal), shared: never change it."""
    return city_state(*cache_key()).events


@versioned_resource
@st.cache_resource(max_entries=8, show_spinner=False)
def _city(version: str, scope: Scope) -> MapLayers:
    """Every layer of the scope at data ``version``, shared (never changed)."""
    state = city_state(version, scope)
    areas = state.areas
    districts = areas[areas["level"] == "district"].reset_index(drop=True)
    return MapLayers(districts, state.points, state.circles, state.alleys, state.problems,
                     subareas=areas[areas["level"].isin(("street", "community"))].reset_index(drop=True))


def warm_overview(version: str, scope: Scope, filters: Filters, height: int) -> None:
    """Fill the caches of the overview's default view (figures, lists, map page) for
    ``scope`` at data ``version``, in the configured language: ``civmap.ui.warmup`` runs
    this ahead of the first visitor."""
    as_of = city_store().within(scope).as_of()
    _headline(version, scope, filters, as_of)
    for days in (None, settings().due_soon_days):
        _deadline_table(version, scope, filters, as_of, settings().lang, days)
    _map_page(version, scope, filters, settings().lang, as_of, asset_base(), height)


def city_layers(version: str, scope: Scope) -> MapLayers:
    """Every layer of ``scope`` at data ``version``, shared (never change it): what
    ``civmap.ui.warmup`` reads ahead of the first visitor."""
    return _city(version, scope)


@versioned_resource
@st.cache_resource(max_entries=8, show_spinner=False)
def _selected(version: str, scope: Scope, filters: Filters) -> MapLayers:
    """The layers of ``filters``, masked from the city's in memory; shared, never changed
    (what this module's own caches build from, without copying). Few entries: a district's
    layers at ten times the demo city take tens of megabytes and a few hundredths of a
    second to mask again, and what is built from them (map, figures, lists) is cached apart."""
    if filters.statuses:
        return _selected(version, scope, filters.without_statuses())
    return narrowed(_city(version, scope), filters)


def selection(filters: Filters) -> MapLayers:
    """The map's layers for ``filters``; problems before the status filter (frames the
    caller may change: shallow copies of the shared ones, which pandas' copy-on-write
    keeps apart, where ``st.cache_data`` pickled every layer in and out on every call)."""
    layers = _selected(*cache_key(), filters.without_statuses())
    return MapLayers(*(None if frame is None else frame.copy(deep=False) for frame in (
        layers.districts, layers.points, layers.circles, layers.alleys, layers.problems, layers.subareas)))


@st.cache_data(max_entries=8, show_spinner=False)
def _district_names(version: str, scope: Scope, lang_code: str) -> dict[str, str]:
    return city_store().within(scope).district_names(lang_code)


def district_names() -> dict[str, str]:
    """District code → name in the UI language, read once per data version (the sidebar,
    captions and the wall all ask on every rerun)."""
    return _district_names(*cache_key(), lang())


@st.cache_resource(show_spinner=False)
def _tile_set(path: str, stamp: str):
    """The city's tile file, unpacked once per process (again when the file changes)."""
    from civmap.maps.tiles import ensure_unpacked

    return ensure_unpacked(path)


def tile_config() -> TileConfig:
    """The configured base tiles, for every map.

    A tile file that cannot be served is named in a warning and the map falls back to
    the district base, so a bad file never costs the user the map.
    """
    cfg = settings()
    if cfg.tiles != "file":
        return TileConfig(cfg.tiles, cfg.tile_url, cfg.tianditu_key)
    from civmap.maps.tiles import TileFileError

    try:
        stat = Path(cfg.tile_file).stat()
        with st.spinner(t("tiles.unpacking", lang())):
            tile_set = _tile_set(cfg.tile_file, f"{stat.st_size}:{stat.st_mtime_ns}")
    except (OSError, TileFileError) as error:
        st.warning(t("tiles.unusable", lang(), error=plain(str(error))), icon=":material/map:")
        return TileConfig()
    return TileConfig("file", tile_set.url(asset_base()), attribution=tile_set.attribution,
                      max_zoom=tile_set.max_zoom)


@st.cache_data(max_entries=32, show_spinner=False)
def _headline(version: str, scope: Scope, filters: Filters, as_of: dt.date) -> Headline:
    layers = _selected(version, scope, filters)
    return headline(layers.points, layers.circles, layers.alleys, layers.problems, vocab(), as_of, filters.statuses)


def cached_headline(filters: Filters) -> Headline:
    return _headline(*cache_key(), filters, current_store().as_of())


def _shown_layers(version: str, scope: Scope, filters: Filters, lang_code: str) -> MapLayers:
    """What the city map shows for ``filters``: problems of the chosen statuses (all when
    none is chosen, as the figures count them), districts named in ``lang_code``.

    Takes the cache key it is built for, never the session's: the warm-up thread fills the
    whole city's entry with no session (it would read an empty scope into that entry)."""
    layers = _selected(version, scope, filters)
    problems = layers.problems
    shown = problems[problems["status"].isin(filters.statuses)] if filters.statuses else problems
    return replace(layers, districts=localized_areas(layers.districts, lang_code), problems=shown)


@st.cache_data(max_entries=16, show_spinner=False)
def _map_page(version: str, scope: Scope, filters: Filters, lang_code: str, as_of: dt.date, base: str,
              height: int) -> MapPage:
    layers, tiles = _shown_layers(version, scope, filters, lang_code), tile_config()
    content = map_content(layers, vocab(), lang_code, as_of, tiles, settings().circle_radius_m, filters.districts)
    fmap = build_map(layers, vocab(), lang_code, as_of, base, tiles=tiles, radius_m=settings().circle_radius_m,
                     height=f"{height}px", fit=filters.districts, content=content)
    # Everything on the page but its feature layers, legend and bounds: the city's base as
    # of this data version, in this language, on these tiles, at this size.
    shell = hashlib.blake2b(repr((version, scope, lang_code, base, height, tiles)).encode("utf-8"),
                            digest_size=8).hexdigest()
    return MapPage(render_html(fmap), content.layers_json(), shell)


@st.cache_data(max_entries=64, show_spinner=False)
def _map_detail(version: str, scope: Scope, filters: Filters, lang_code: str, as_of: dt.date,
                bounds: tuple[float, float, float, float], layers: tuple[str, ...]) -> list[dict]:
    return map_detail(_shown_layers(version, scope, filters, lang_code), vocab(), lang_code, as_of, tile_config(), bounds, layers)


def _placed(focus, filters: Filters):
    """``focus`` with where its feature is, when its layer is sent as cells (the map goes
    there to load it)."""
    if focus is None or focus.layer not in DETAIL_LAYERS:
        return focus
    frame = shift_layer(getattr(_shown_layers(*cache_key(), filters, lang()), focus.layer), tile_config().system)
    if not dense(frame):
        return focus
    found = frame[frame["id"].astype(str) == focus.id]
    if found.empty:
        return focus
    return replace(focus, lat=float(found.geometry.iloc[0].y), lon=float(found.geometry.iloc[0].x))


@st.cache_data(max_entries=32, show_spinner=False)
def _deadline_table(version: str, scope: Scope, filters: Filters, as_of: dt.date, lang_code: str,
                    due_soon_days: int | None) -> pd.DataFrame:
    from civmap.figures import due_soon_list

    layers = _selected(version, scope, filters)
    problems = layers.problems
    if filters.statuses:
        problems = problems[problems["status"].isin(filters.statuses)]
    names = area_names(layers.districts, lang_code)
    subareas = _city(version, scope).subareas  # held: reading them from the store was a tenth of a filter change
    streets = area_names(subareas[subareas["level"] == "street"], lang_code)
    if due_soon_days is None:
        table = overdue_list(problems, vocab(), as_of, names, lang_code, streets)
    else:
        table = due_soon_list(problems, vocab(), as_of, due_soon_days, names, lang_code, streets)
    headers = {c: t(f"field.{k}", lang_code) for c, k in (
        ("id", "id"), ("description", "description"), ("street", "street"), ("address", "address"),
        ("category", "category"), ("district", "district"), ("unit", "unit"), ("chief", "chief"),
        ("status", "status"), ("deadline", "deadline"), ("days_overdue", "overdue_days"),
        ("days_left", "days_left"))}
    return table.rename(columns=headers)


def overdue_table(filters: Filters) -> pd.DataFrame:
    """The selection's overdue problems, labelled for display: most overdue first."""
    return _deadline_table(*cache_key(), filters, current_store().as_of(), lang(), None)


def due_soon_table(filters: Filters) -> pd.DataFrame:
    """The selection's problems due soon (``CIVMAP_DUE_SOON_DAYS``), labelled: nearest deadline first."""
    return _deadline_table(*cache_key(), filters, current_store().as_of(), lang(), settings().due_soon_days)


def cached_map_html(filters: Filters, height: int) -> MapPage:
    """The rendered city map, its page and its layers apart; cached whole, as rebuilding
    it is most of a rerun's cost."""
    return _map_page(*cache_key(), filters, lang(), current_store().as_of(), asset_base(), height)


def show_map(html: str | MapPage, height: int, key: str = "map", focus=None, filters: Filters | None = None,
             report_shown: str | None = None):
    """The map as a control (``civmap.ui.mapchannel``): returns the feature clicked, if any.

    ``filters``: the map is the city map of ``cached_map_html(filters)``, whose dense layers
    load the features of the view the user zooms in to (``civmap.maps.cells``).
    ``report_shown``: a token; the page reruns once the map is on screen (``map_control``).
    """
    from civmap.ui.mapchannel import map_control

    if filters is None:
        return map_control(html, height + 4, key, focus, report_shown=report_shown)
    version, scope = cache_key()
    as_of = current_store().as_of()
    return map_control(html, height + 4, key, _placed(focus, filters), detail=lambda view: _map_detail(
        version, scope, filters, lang(), as_of, view.bounds, view.layers), report_shown=report_shown)


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
