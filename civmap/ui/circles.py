"""Key point-circles: membership and the circle map, cached per data version (pages/circles.py)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from civmap.filters import Filters
from civmap.i18n import localized_areas
from civmap.maps.folium_map import render_html
from civmap.storage.scope import Scope
from civmap.ui.core import (asset_base, base_version, cache_key, city_layers, city_store, current_store, lang, selection,
                            settings, tile_config, vocab)

__all__ = [
    "circle_data", "circle_map_html", "circle_rule",
]


# Membership, ties and circle problems are spatial work: computed once per
# (data version, scope, radius, centre kinds, tie distance, day) and cached; the state
# rule is cheap and applied on every rerun so its widgets answer at once.
@st.cache_data(max_entries=8, show_spinner=False)
def _circle_data(version: str, scope: Scope, radius_m: float, kinds: tuple[str, ...], tie_distance_m: float,
                 as_of: dt.date):
    from civmap.circles.membership import compute_circle_data

    # The same whole layers the maps use: read once per data version, not again here.
    layers = city_layers(version, scope)
    ties = _ties(base_version(version), scope, tie_distance_m, layers)
    # On PostgreSQL the 300 m pairs come from PostGIS (None on SQLite: computed from the layers).
    return compute_circle_data(layers.districts, layers.points, layers.circles, layers.alleys, layers.problems, vocab(),
                               radius_m, kinds, tie_distance_m, as_of, found=city_store().within(scope).circle_pairs(radius_m),
                               ties=ties)


@st.cache_resource(max_entries=4, show_spinner=False)
def _ties(base: str, scope: Scope, tie_distance_m: float, _layers):
    """Every problem's tie to a district and a place, kept while the base version holds:
    a status change moves nothing, and at ten times the demo city the ties take a second
    (``compute_circle_data`` checks they still match the problems given)."""
    from civmap.circles.membership import problem_ties

    return problem_ties(_layers.districts, _layers.points, _layers.alleys, _layers.problems, tie_distance_m)


def circle_data(radius_m: float, kinds):
    """``civmap.circles.membership.CircleData`` for the radius and centre kinds, over the whole store."""
    return _circle_data(*cache_key(), float(radius_m), tuple(sorted(kinds)), settings().tie_distance_m,
                        current_store().as_of())


def circle_rule():
    """The configured circle state rule (``CIVMAP_CIRCLE_RULE``)."""
    from civmap.circles.state import CircleRule

    return CircleRule.parse(settings().circle_rule, "CIVMAP_CIRCLE_RULE")


@st.cache_data(max_entries=16, show_spinner=False)
def _circle_map_html(version: str, scope: Scope, radius_m: float, kinds: tuple[str, ...], tie_distance_m: float,
                     as_of: dt.date, circle_id: str, lang_code: str, base: str, height: int) -> str:
    from civmap.circles.map import CircleView, build_circle_map

    data = _circle_data(version, scope, radius_m, kinds, tie_distance_m, as_of)
    layers = selection(Filters())
    districts, points, alleys = layers.districts, layers.points, layers.alleys
    members = data.members[data.members["circle_id"] == circle_id]
    problems = data.problems[(data.problems["circle_id"] == circle_id) & data.problems["open"]]
    view = CircleView(districts=localized_areas(districts, lang_code),
                      circle=data.circles[data.circles["id"] == circle_id], members=members,
                      points=points[points["id"].isin(members["member_id"])],
                      alleys=alleys[alleys["id"].isin(members["member_id"])], problems=problems,
                      others=data.circles[data.circles["id"] != circle_id])
    fmap = build_circle_map(view, vocab(), lang_code, as_of, base, tiles=tile_config(), radius_m=radius_m,
                            height=f"{height}px")
    return render_html(fmap)


def circle_map_html(radius_m: float, kinds, circle_id: str, height: int) -> str:
    """The rendered map of one circle (ring, members, open problems), cached whole."""
    return _circle_map_html(*cache_key(), float(radius_m), tuple(sorted(kinds)), settings().tie_distance_m,
                            current_store().as_of(), circle_id, lang(), asset_base(), height)
