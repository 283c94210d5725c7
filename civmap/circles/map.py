"""The map of one key point-circle: its ring, its members coloured by kind, its open problems.

Built from the same pieces as the city map (``civmap.maps.folium_map``: offline Leaflet,
compact canvas batches, GCJ-02 shift for AMap tiles), so it behaves the same and
loads nothing from another host. The map opens on the whole city and flies to the
circle, so the user sees where it lies before seeing what is in it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from civmap.maps.tables import labelled
from civmap.maps.verbatim import Verbatim
from civmap.i18n import t
from civmap.maps.batches import BaseLayer, Field, batch_payload
from civmap.maps.folium_map import (
    TileConfig, add_layer_groups, asset_urls, circle_batches, district_features, offline_map, point_batch,
    problem_batch, shift_layer,
)
from civmap.vocab import Vocabulary
from geo import WGS84, ring_bounds

__all__ = ["CircleView", "build_circle_map"]

#: Room kept free on the right for the legend when the map zooms to the ring.
_LEGEND_PX = 200


@dataclass(frozen=True)
class CircleView:
    """What the circle map shows; GeoDataFrames in WGS-84 (EPSG:4326).

    ``circle`` is one row of ``Store.circles()``; ``members`` the circle's rows of
    ``civmap.circles.membership.circle_members`` (whole shapes); ``points`` and ``alleys`` the
    store's rows for those members (for their popups); ``problems`` the problems to
    draw (normally the open ones), with ``lon``/``lat``.
    """

    districts: gpd.GeoDataFrame
    circle: gpd.GeoDataFrame
    members: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    alleys: gpd.GeoDataFrame
    problems: pd.DataFrame
    #: The other circles, drawn faint under this one so a click on one picks it instead.
    others: gpd.GeoDataFrame | None = None


def _member_lines(members: gpd.GeoDataFrame, alleys: gpd.GeoDataFrame, vocab: Vocabulary, lang: str,
                  district_names: dict) -> dict:
    """Alleys and road sections in a circle, coloured by their kind (point category)."""
    states = alleys.set_index("id")["state"] if len(alleys) else pd.Series(dtype=object)
    frame = members.assign(
        category_label=labelled(members, "category", vocab.labels("point_categories", lang)),
        district_label=members["district_code"].map(district_names),
        state_label=members["member_id"].map(states).map(vocab.labels("alley_states", lang)),
        distance=members["distance_m"].round(1),
    )
    styles = {code: {"color": color, "weight": 5, "opacity": 0.9}
              for code, color in vocab.colors("point_categories").items()}
    fields = [Field(t("field.id", lang), "member_id"), Field(t("field.category", lang), "category_label", "dict"),
              Field(t("field.state", lang), "state_label", "dict"),
              Field(t("field.district", lang), "district_label", "dict"),
              Field(t("circles.field.distance", lang), "distance", "num")]
    return batch_payload(frame, "line", frame["category"].tolist(), styles, fields, title="name")


def _legend(vocab: Vocabulary, view: CircleView, lang: str, radius_m: float) -> str:
    def row(color: str, label: str, shape: str = "dot") -> str:
        return f'<div><i class="civmap-{shape}" style="background:{color}"></i>{html.escape(label)}</div>'

    colors, labels = vocab.colors("point_categories"), vocab.labels("point_categories", lang)
    order = list(vocab.point_categories.index)
    kinds = sorted(set(view.members["category"]), key=lambda c: order.index(c) if c in order else len(order))
    line_kinds = set(view.members.loc[view.members.geom_type.isin(["LineString", "MultiLineString"]), "category"])
    members = "".join(row(colors.get(c, "#64748b"), labels.get(c, c), "line" if c in line_kinds else "dot")
                      for c in kinds)
    status_colors, status_labels = vocab.colors("statuses"), vocab.labels("statuses", lang)
    statuses = [s for s in vocab.statuses.index if s in set(view.problems["status"])]
    problems = "".join(row(status_colors[s], status_labels[s]) for s in statuses)
    kind = view.circle["kind"].iloc[0]
    ring = row(vocab.colors("centre_kinds").get(kind, "#111827"),
               t("circles.legend.ring", lang, radius=f"{radius_m:g}"), "line")
    return f"""
    <div class="civmap-legend leaflet-control" style="left:auto; right:10px; bottom:28px;">
      <details open><summary>{html.escape(t('layer.circles', lang))}</summary>{ring}</details>
      <details open><summary>{html.escape(t('circles.legend.members', lang))}</summary>{members or '—'}</details>
      <details open><summary>{html.escape(t('circles.legend.problems', lang))}</summary>{problems or '—'}
        <div><i class="civmap-dot civmap-overdue"></i>{html.escape(t('legend.overdue', lang))}</div></details>
    </div>"""


def _fly_script(fmap: folium.Map, bounds: tuple[float, float, float, float]) -> Verbatim:
    minx, miny, maxx, maxy = bounds
    target = json.dumps([[miny, minx], [maxy, maxx]])
    name = fmap.get_name()
    # After the first paint, so the city is seen for a moment before the flight.
    return Verbatim(f"""<script>
    window.addEventListener("load", function () {{
      setTimeout(function () {{
        {name}.flyToBounds({target}, {{paddingTopLeft: [24, 24], paddingBottomRight: [{_LEGEND_PX}, 24],
                                       duration: 1.2}});
        {name}.once("moveend", function () {{
          document.documentElement.setAttribute("data-civmap-arrived", "1");
        }});
      }}, 250);
    }});
    </script>""")


def build_circle_map(view: CircleView, vocab: Vocabulary, lang: str, as_of: dt.date, asset_base: str,
                     tiles: TileConfig = TileConfig(), radius_m: float = 300.0, height: str = "100%",
                     fly: bool = True) -> folium.Map:
    """The folium map of one circle: ring, centre, members by kind and the given problems,
    over the other circles drawn faint (a click on one of them picks it).

    Parameters
    ----------
    view : CircleView
    radius_m : float
        The ring's radius in metres on the ground (Leaflet draws ``L.circle`` in metres).
    fly : bool
        Open on the whole city and fly to the ring; False opens on the ring directly.
    """
    if len(view.circle) != 1:
        raise ValueError(f"build_circle_map draws one circle, got {len(view.circle)}")
    system = tiles.system
    urls = asset_urls(asset_base)
    district_names = view.districts.set_index("code")["name"].to_dict() if len(view.districts) else {}
    fmap = offline_map(asset_base, tiles, height=height)

    districts = shift_layer(view.districts, system)
    if len(districts):
        folium.GeoJson(
            district_features(districts), name=t("layer.districts", lang),
            style_function=lambda f: {"fillColor": "#f1f5f9", "color": "#334155", "weight": 2,
                                      "fillOpacity": 0.6 if tiles.provider == "none" else 0.1},
            highlight_function=None, tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap).add_child(BaseLayer())

    circle = view.circle
    centre = circle.geometry.iloc[0]
    ring = ring_bounds(centre.x, centre.y, radius_m)
    if system != "wgs84":
        box = shift_layer(gpd.GeoDataFrame(geometry=gpd.points_from_xy([ring[0], ring[2]], [ring[1], ring[3]]),
                                      crs=WGS84), system)
        ring = (box.geometry.x.min(), box.geometry.y.min(), box.geometry.x.max(), box.geometry.y.max())
    if fly and len(districts):
        minx, miny, maxx, maxy = districts.total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
        fmap.get_root().html.add_child(_fly_script(fmap, ring))
    else:
        fmap.fit_bounds([[ring[1], ring[0]], [ring[3], ring[2]]], padding_top_left=(24, 24),
                        padding_bottom_right=(_LEGEND_PX, 24))

    members = view.members
    is_line = members.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    point_ids = members.loc[~is_line & (members["place_type"] == "point"), "member_id"]
    member_points = view.points[view.points["id"].isin(point_ids)]
    problems = view.problems
    problem_frame = gpd.GeoDataFrame(problems, geometry=gpd.points_from_xy(problems["lon"], problems["lat"]),
                                     crs=WGS84)
    faint = []
    if view.others is not None and len(view.others):
        for payload in circle_batches(shift_layer(view.others, system), vocab, lang, district_names, radius_m):
            payload["styles"] = [{**style, "opacity": 0.35, "fillOpacity": 0.03 if payload["kind"] == "circle" else 0.35}
                                 for style in payload["styles"]]
            faint.append(payload)
    groups = (
        ("circles.layer.others", faint),
        ("circles.layer.ring", list(circle_batches(shift_layer(circle, system), vocab, lang, district_names, radius_m))),
        ("circles.layer.member_lines", [_member_lines(shift_layer(members[is_line], system), view.alleys, vocab, lang,
                                                      district_names)] if is_line.any() else []),
        ("circles.layer.member_points", [point_batch(shift_layer(member_points, system), vocab, lang, district_names)]
         if len(member_points) else []),
        ("layer.problems", [problem_batch(shift_layer(problem_frame, system), vocab, lang, district_names, as_of)]
         if len(problem_frame) else []),
    )
    add_layer_groups(fmap, groups, urls["layers_js"], lang)
    fmap.get_root().html.add_child(Verbatim(_legend(vocab, view, lang, radius_m)))
    return fmap
