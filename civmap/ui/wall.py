"""The command wall: its options, carousel and last-good reads (pages/wall.py)."""

from __future__ import annotations

import datetime as dt
import time as _time
from dataclasses import replace

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from civmap import clock
from civmap.i18n import localized_areas, t
from civmap.maps.folium_map import render_html
from civmap.ui.circles import circle_data, circle_rule
from civmap.storage.scope import Scope
from civmap.ui.core import (asset_base, cache_key, city_state, current_store, district_names, lang, settings,
                            tile_config, versioned_resource, vocab)
from civmap.ui.params import lang_problems, url_warnings

__all__ = [
    "WALL_READ_ERRORS", "wall_awaits_problems", "wall_districts", "wall_now", "wall_options", "wall_position",
    "wall_read", "wall_weights",
]


#: What a store read can raise when the database is away or locked: the wall then keeps
#: showing its last good data, marked stale.
WALL_READ_ERRORS = (SQLAlchemyError, OSError)


def wall_districts() -> dict[str, str]:
    """District code → name; the last good answer when the store cannot be read (else {})."""
    try:
        names = district_names()
    except WALL_READ_ERRORS:
        return st.session_state.get("wall_districts", {})
    st.session_state["wall_districts"] = names
    return names


def wall_options():
    """The wall's ``WallOptions`` from the URL; a value it cannot use is named in a
    warning and its default used, so a mistyped link still shows a live wall."""
    from civmap.wall.figures import parse_options

    params = {k: st.query_params.get(k) for k in ("district", "carousel", "every", "refresh")}
    options, problems = parse_options(params, list(wall_districts()) or None)
    url_warnings([*lang_problems(), *problems])
    return options


def wall_awaits_problems() -> bool:
    """True when the store is read and has no problems yet (a new office's store): the wall
    then says so instead of showing zeros. A failed read is not "no problems": the wall
    keeps its last good figures, marked stale."""
    from civmap.ui.setup import missing_stages

    try:
        return bool(missing_stages(("problems",)))
    except WALL_READ_ERRORS:
        return False


def wall_now() -> dt.datetime:
    """Now, on the city's clock: a command centre reads the city's time, whatever zone the
    server or the screen's browser is set to."""
    return clock.now()


def wall_position(options, district_codes: list[str]) -> str | None:
    """The district the wall shows now (None: the city); moves the carousel on when due.

    The position lives in the session, so data refreshes never reset it.
    """
    from civmap.wall.figures import advance, carousel_order

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
    from civmap.circles.membership import summarise

    try:
        data = circle_data(settings().circle_radius_m, settings().centre_kinds)
        return summarise(data, circle_rule())[["circle_id", "district_code", "state"]]
    except ValueError:  # a bad circle rule or centre kind: show the number of circles instead
        return None


# A resource: the city's frames are shared with the map's (``city_state``), and cache_data
# would pickle them in and out on every refresh of every wall.
@versioned_resource
@st.cache_resource(max_entries=4, show_spinner=False)
def _wall_city(version: str, scope: Scope):
    from civmap.ui.progress import city_history
    from civmap.wall.figures import wall_city

    state = city_state(version, scope)
    districts = state.areas[state.areas["level"] == "district"].reset_index(drop=True)
    return wall_city(districts, state.points, state.circles, state.problems, state.events,
                     _wall_circle_states(), timeline=city_history(version, scope).timeline)


# A resource, not data: a view holds its screen's problems (megabytes for the city), and
# cache_data would copy it out on every refresh of every wall. Nothing changes a view.
@versioned_resource
@st.cache_resource(max_entries=16, show_spinner=False)
def _wall_view(version: str, scope: Scope, district: str | None, as_of: dt.date, assessment_date: dt.date,
               weights: tuple[tuple[str, float], ...]):
    """The view on district codes: one per screen for every language (names at the edge)."""
    from civmap.wall.figures import build_view

    return build_view(_wall_city(version, scope), district, vocab(), as_of, assessment_date, dict(weights))


def wall_weights() -> tuple[tuple[str, float], ...]:
    """The verdict's weights (``behind_weights.csv``); a bad file is named in a warning and
    civmap's own weights used, so the wall still answers."""
    from civmap.progress.behind import DEFAULT_WEIGHTS, read_weights

    try:
        weights = read_weights(settings().vocab_dir)
    except (ValueError, OSError) as error:
        st.warning(t("wall.weights_bad", lang(), error=str(error)))
        weights = DEFAULT_WEIGHTS
    return tuple(weights.items())


@st.cache_data(max_entries=16, show_spinner=False)
def _wall_map(version: str, scope: Scope, district: str | None, as_of: dt.date, assessment_date: dt.date, lang_code: str,
              base: str, weights: tuple[tuple[str, float], ...]) -> str:
    from civmap.wall.map import build_wall_map

    districts = localized_areas(_wall_city(version, scope).districts, lang_code)
    view = _wall_view(version, scope, district, as_of, assessment_date, weights).named(
        _wall_city(version, scope).district_names(lang_code))
    fmap = build_wall_map(districts, view.standing, view.city_score, view.problems, vocab(), as_of, base, lang_code,
                          focus=district, tiles=tile_config())
    return render_html(fmap)


def wall_read(district: str | None, weights: tuple[tuple[str, float], ...]):
    """A ``civmap.wall.figures.WallRead`` for the wall's current screen, ranked with
    ``weights`` (:func:`wall_weights`).

    A failed read keeps the last good view of that screen (from this session) and says
    it is stale; with none yet, its view and map are None.
    """
    from civmap.wall.figures import WallRead

    good = st.session_state.setdefault("wall_good", {})
    try:
        (version, scope), as_of = cache_key(), current_store().as_of()
        assessment = settings().assessment_date
        view = _wall_view(version, scope, district, as_of, assessment, weights).named(district_names())
        map_html = _wall_map(version, scope, district, as_of, assessment, lang(), asset_base(), weights)
    except WALL_READ_ERRORS:
        last = good.get(district)
        return WallRead(None, None, None, True) if last is None else last._replace(stale=True)
    read = WallRead(view, map_html, wall_now(), False)
    # Kept for a failed read later: what the wall draws, not the screen's problems (its map is
    # drawn already). A session keeps this for as long as it is open, and the problems are
    # the city's frames of this data version, which would stay in memory for every open wall.
    good[district] = read._replace(view=replace(view, problems=view.problems.iloc[0:0]))
    return read
