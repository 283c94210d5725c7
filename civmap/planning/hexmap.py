"""The density and change map: hexagons over the district base, drawn on one canvas.

Like the city map (``civmap.maps.folium_map``) nothing is fetched from outside the app: Leaflet
is served locally and the hexagons travel as one compact JSON array written with
``civmap.maps.batches.script_json`` (no text can end the script), each tooltip set as text,
never as HTML.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from civmap.i18n import t
from civmap.maps.batches import script_json
from civmap.maps.folium_map import DISTRICT_FILLS, TileConfig, district_features, offline_map, shift_layer
from civmap.maps.verbatim import Verbatim

__all__ = ["MODES", "colour_classes", "hex_map"]

MODES = ("density", "change")
_DENSITY = ("#fef3c7", "#fcd34d", "#f59e0b", "#dc2626", "#7f1d1d")
#: much better, better, same, worse, much worse
_CHANGE = ("#15803d", "#86efac", "#e5e7eb", "#fca5a5", "#b91c1c")


def colour_classes(values: pd.Series, mode: str) -> tuple[np.ndarray, list[tuple[str, str, float, float]]]:
    """Each cell's colour class, and the legend: (colour, key, low, high) per class.

    ``density``: five classes of counts between quantile breaks (fewer when counts are
    few). ``change``: much better (≤ −k), better, unchanged, worse, much worse (≥ k), k
    the 75th percentile of the non-zero changes' sizes (at least 2).
    """
    values = np.asarray(values, dtype=float)
    if mode == "change":
        moved = np.abs(values[values != 0])
        k = max(2.0, float(np.quantile(moved, 0.75))) if len(moved) else 2.0
        classes = np.select([values <= -k, values < 0, values == 0, values < k], [0, 1, 2, 3], 4)
        legend = [(_CHANGE[0], "much_better", -np.inf, -k), (_CHANGE[1], "better", -k, 0), (_CHANGE[2], "same", 0, 0),
                  (_CHANGE[3], "worse", 0, k), (_CHANGE[4], "much_worse", k, np.inf)]
        return classes.astype(int), legend
    if mode != "density":
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if not len(values):
        return np.zeros(0, dtype=int), []
    breaks = np.unique(np.ceil(np.quantile(values, [0.2, 0.4, 0.6, 0.8])))
    breaks = breaks[breaks < values.max()]
    classes = np.searchsorted(breaks, values, side="left")
    edges = [values.min(), *breaks, values.max()]
    colours = _DENSITY[-len(edges) + 1:] if len(edges) > 1 else _DENSITY[-1:]
    legend = [(colours[i], "count", edges[i] + (1 if i else 0), edges[i + 1]) for i in range(len(edges) - 1)]
    return classes.astype(int), legend or [(_DENSITY[-1], "count", values.min(), values.max())]


class _HexLayer(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var data = {{ this.payload }};
          var renderer = L.canvas();
          data.cells.forEach(function (cell) {
            var colour = data.colours[cell[1]];
            var tip = document.createElement("div");
            tip.textContent = cell[2];
            L.polygon(cell[0], {renderer: renderer, color: "#475569", weight: 0.6, fillColor: colour,
                                fillOpacity: 0.6}).bindTooltip(tip, {sticky: true}).addTo(map);
          });
          // In a tab not yet shown the map has no size, and fitting it then zooms out to the
          // whole world: fit again once the container has a size.
          var fitted = false;
          function fit() {
            var box = map.getContainer();
            if (fitted || !data.bounds || box.clientWidth === 0 || box.clientHeight === 0) return;
            fitted = true;
            map.invalidateSize();
            map.fitBounds(data.bounds);
          }
          if (window.ResizeObserver) new ResizeObserver(fit).observe(map.getContainer());
          fit();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict):
        super().__init__()
        self._name = "HexLayer"
        self.payload = script_json(payload)


def _tips(cells: pd.DataFrame, mode: str, lang: str) -> list[str]:
    if mode == "density":
        return [t("planning.map.tip.count", lang, n=int(n)) for n in cells["count"]]
    return [t("planning.map.tip.change", lang, before=int(b), after=int(a), change=f"{int(c):+d}")
            for b, a, c in zip(cells["before"], cells["after"], cells["change"])]


def _legend(legend, mode: str, lang: str) -> str:
    def label(key, low, high) -> str:
        if key == "count":
            return f"{low:.0f}–{high:.0f}" if high > low else f"{low:.0f}"
        return t(f"planning.map.legend.{key}", lang, k=f"{abs(high if np.isfinite(high) else low):.0f}")

    rows = "".join(f'<div><i class="civmap-dot" style="background:{colour}"></i>{html.escape(label(key, lo, hi))}</div>'
                   for colour, key, lo, hi in legend)
    title = html.escape(t(f"planning.map.legend.{mode}", lang))
    return f'<div class="civmap-legend leaflet-control"><details open><summary>{title}</summary>{rows}</details></div>'


def hex_map(cells: gpd.GeoDataFrame, mode: str, districts: gpd.GeoDataFrame, lang: str, asset_base: str,
            tiles: TileConfig = TileConfig(), height: str = "100%") -> folium.Map:
    """The hexagons of :func:`civmap.planning.density.density` (``mode="density"``) or
    ``density_change`` (``mode="change"``) over the districts; WGS-84 in, shifted for
    GCJ-02 tiles on the way out."""
    value = "count" if mode == "density" else "change"
    fmap = offline_map(asset_base, tiles, height=height)
    shown = shift_layer(districts, tiles.system)
    if len(shown):
        features = district_features(shown)
        features["fill"] = [DISTRICT_FILLS[i % len(DISTRICT_FILLS)] for i in range(len(features))]
        folium.GeoJson(features, style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#334155",
                                                           "weight": 2, "fillOpacity": 0.35},
                       tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(fmap)
        minx, miny, maxx, maxy = shown.total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    classes, legend = colour_classes(cells[value] if len(cells) else pd.Series(dtype=float), mode)
    hexagons = shift_layer(cells, tiles.system)
    rows = [[[[round(y, 6), round(x, 6)] for x, y in shape.exterior.coords], int(k), tip]
            for shape, k, tip in zip(hexagons.geometry, classes, _tips(cells, mode, lang))]
    frame = shown if len(shown) else hexagons
    bounds = None
    if len(frame):
        minx, miny, maxx, maxy = frame.total_bounds
        bounds = [[miny, minx], [maxy, maxx]]
    _HexLayer({"colours": [c for c, *_ in legend] or ["#000000"], "cells": rows, "bounds": bounds}).add_to(fmap)
    fmap.get_root().html.add_child(Verbatim(_legend(legend, mode, lang)))
    return fmap
