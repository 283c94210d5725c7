"""The city map: district boundaries as the base and four switchable layers on top.

Works with no network at all: Leaflet and civmap's own drawing script are served by
the app (``static/``), the base is the district polygons, and tiles are optional.
Data are WGS-84; when the configured tiles are GCJ-02 (AMap) every layer is shifted
onto them for display only.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from civmap.figures import overdue_mask
from civmap.i18n import t
from civmap.maps.areas import AreaBase, area_payload
from civmap.maps.batches import FeatureBatch, Field, LayerSlot, MapFit, PickReporter, batch_payload, script_json
from civmap.maps.cells import AGGREGATE_ABOVE, DETAIL_LIMIT, MIN_CELL_ZOOM, detail_zoom, grid_cells, within_bounds
from civmap.maps.verbatim import Verbatim, render_page
from civmap.maps.tables import alley_table, circle_table, labelled, point_table, problem_table
from civmap.vocab import Vocabulary
from geo import convert_geometry

__all__ = ["MapContent", "MapLayers", "TileConfig", "narrowed", "offline_map", "map_content", "build_map", "point_batch", "circle_batches", "alley_batch",
           "problem_batch", "cell_batch", "dense", "map_detail", "DETAIL_LAYERS", "shift_layer", "add_layer_groups", "render_html", "asset_urls",
           "district_features", "DISTRICT_FILLS", "OVERDUE_COLOR", "POINT_FILL", "POINT_LINE", "DASHES",
           "centre_dashes", "dash_gradient", "layer_colors"]

#: Soft fills for district polygons, in district order: the base map when no tiles load.
DISTRICT_FILLS = ("#e0f2fe", "#fef3c7", "#dcfce7", "#fce7f3", "#ede9fe", "#ffedd5", "#e2e8f0", "#ccfbf1")
#: Red means one thing on the city map: overdue (a thick ring round the problem's dot).
OVERDUE_COLOR = "#b91c1c"
#: Assessment points: white dots with a grey edge, whatever their category.
POINT_FILL, POINT_LINE = "#ffffff", "#475569"
#: A cell of problems (a layer too dense to show one by one): one colour, its count on it.
PROBLEM_CELL = "#c2410c"
#: Ring dash patterns for centre kinds that name none (SVG stroke-dasharray; "" is solid).
DASHES = ("10 5", "2 5", "12 4 2 4", "", "6 3 6 9")


@dataclass(frozen=True)
class TileConfig:
    """Which tiles to show under the data, and in which coordinate system they are.

    ``file`` is the city's own tile file as the app serves it (``civmap.maps.tiles``): ``url``
    is its template on the app and ``max_zoom`` its deepest level, below which Leaflet
    enlarges the deepest tiles rather than asking for tiles that do not exist.
    """

    provider: str = "none"   # none | osm | tianditu | amap | custom | file
    url: str = ""
    key: str = ""
    attribution: str = ""
    max_zoom: int | None = None

    @property
    def system(self) -> str:
        return "gcj02" if self.provider == "amap" else "wgs84"

    def layer(self) -> folium.TileLayer | None:
        templates = {
            "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
            "tianditu": (f"https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                         f"&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}"
                         f"&TILEROW={{y}}&TILECOL={{x}}&tk={self.key}", "© 天地图"),
            "amap": ("https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                     "&x={x}&y={y}&z={z}", "© 高德地图"),
            "custom": (self.url, self.attribution or "tiles"),
            "file": (self.url, self.attribution or "tiles"),
        }
        if self.provider == "none" or self.provider not in templates or not templates[self.provider][0]:
            return None
        url, attribution = templates[self.provider]
        options = {"max_native_zoom": self.max_zoom, "max_zoom": 20} if self.max_zoom is not None else {}
        return folium.TileLayer(tiles=url, attr=html.escape(attribution), name="tiles", control=False, **options)


@dataclass(frozen=True)
class MapLayers:
    """What goes on the map, already selected by the filters (GeoDataFrames in EPSG:4326)."""

    districts: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    circles: gpd.GeoDataFrame
    alleys: gpd.GeoDataFrame
    problems: gpd.GeoDataFrame
    #: Street and community areas (``level``, ``name``): outlines and names shown by zoom.
    subareas: gpd.GeoDataFrame | None = None


def narrowed(city: MapLayers, filters) -> MapLayers:
    """The layers of ``filters`` taken from the whole city's, in memory, as the store would
    read them (problems of every status: the map and the figures filter those themselves).

    At ten times the demo city a district's layers take over a second to read and a few
    hundredths to mask, so the city is read once per data version and each filter change
    masks it."""
    from civmap.filters import Filters

    chosen = filters.without_statuses()
    if chosen == Filters():
        return city

    def keep(frame, mask):
        return frame[mask].reset_index(drop=True)

    return MapLayers(city.districts, keep(city.points, chosen.area_mask(city.points, "point_categories")),
                     keep(city.circles, chosen.area_mask(city.circles)), keep(city.alleys, chosen.area_mask(city.alleys)),
                     keep(city.problems, chosen.problem_mask(city.problems)), subareas=city.subareas)


def asset_urls(base: str) -> dict[str, str]:
    base = base.rstrip("/")
    return {
        "leaflet_js": f"{base}/vendor/leaflet/leaflet.js",
        "leaflet_css": f"{base}/vendor/leaflet/leaflet.css",
        "layers_js": f"{base}/civmap/layers.js",
        "layers_css": f"{base}/civmap/layers.css",
        "wall_css": f"{base}/civmap/wall.css",
    }


def shift_layer(frame: gpd.GeoDataFrame | None, system: str) -> gpd.GeoDataFrame | None:
    if system == "wgs84" or frame is None or frame.empty:
        return frame
    return frame.set_geometry(convert_geometry(frame.geometry, "wgs84", system))


def district_features(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """District shapes for a folium GeoJson with a tooltip: ``code``, ``label``, geometry.

    folium's GeoJsonTooltip writes its property into the page with ``innerHTML``, so the
    name goes in HTML-escaped as ``label``: a district named ``<img onerror=…>`` shows
    as that text and runs nothing.
    """
    return gpd.GeoDataFrame({"code": districts["code"].to_numpy(),
                             "label": [html.escape(str(name)) for name in districts["name"]]},
                            geometry=districts.geometry.to_numpy(), crs=districts.crs)


def point_batch(points, vocab, lang, district_names) -> dict:
    """Assessment points, all alike: 38 categories cannot have 38 colours that anyone
    tells apart on a map, so the colour is left to the problems, circles and alleys, and
    a point's category is in its popup."""
    frame, fields = point_table(points, vocab, lang, district_names)
    styles = {"point": {"radius": 3.5, "color": POINT_LINE, "weight": 1, "fillColor": POINT_FILL, "fillOpacity": 1}}
    return batch_payload(frame, "point", ["point"] * len(frame), styles, fields, title="name",
                         layer="points", key="id")


def centre_dashes(vocab: Vocabulary) -> dict[str, str]:
    """Centre kind → the dash pattern of its circles' ring (SVG ``stroke-dasharray``).

    One ring colour says "key circle"; the kind is told by the dash, so the circles need
    no colour of their own. A kind without a ``dash`` in ``centre_kinds.csv`` (an older
    office folder with no ``dash`` column) takes :data:`DASHES` in order; a blank dash is solid.
    """
    kinds = list(vocab.centre_kinds.index)
    if "dash" not in vocab.centre_kinds.columns:
        return {k: DASHES[i % len(DASHES)] for i, k in enumerate(kinds)}
    return {k: str(vocab.centre_kinds.at[k, "dash"]).strip() for k in kinds}


def dash_gradient(color: str, dash: str) -> str:
    """A CSS background drawing ``dash`` (an SVG dasharray, in px) in ``color``: the
    legend's sample of a ring, without an SVG element in the page."""
    lengths = [float(x) for x in dash.replace(",", " ").split()]
    if not lengths or not any(lengths):
        return color
    if len(lengths) % 2:
        lengths *= 2
    stops, at = [], 0.0
    for i, length in enumerate(lengths):
        paint = color if i % 2 == 0 else "transparent"
        stops.append(f"{paint} {at:g}px {at + length:g}px")
        at += length
    return f"repeating-linear-gradient(to right, {', '.join(stops)})"


def layer_colors(vocab: Vocabulary) -> dict[str, dict[str, str]]:
    """Every colour the city map draws, by layer: what the palette test checks and the
    legend shows. Circles are one colour whatever their kind (the kind is the dash)."""
    return {"problems": dict(vocab.colors("statuses")), "overdue": {"overdue": OVERDUE_COLOR},
            "circles": {"ring": c for c in dict.fromkeys(vocab.colors("centre_kinds").values())},
            "alleys": dict(vocab.colors("alley_states")), "points": {"point": POINT_FILL}}


def circle_batches(circles, vocab, lang, district_names, radius_m) -> tuple[dict, dict]:
    frame, fields = circle_table(circles, vocab, lang, district_names, radius_m)
    colors, dashes = vocab.colors("centre_kinds"), centre_dashes(vocab)
    ring = {k: {"color": c, "weight": 2.5, "dashArray": dashes.get(k) or None, "fillColor": c, "fillOpacity": 0.06}
            for k, c in colors.items()}
    centre = {k: {"radius": 6, "color": "#ffffff", "weight": 2, "fillColor": c, "fillOpacity": 1}
              for k, c in colors.items()}
    kinds = frame["kind"].tolist()
    return (batch_payload(frame, "circle", kinds, ring, fields, title="name", circle_radius=radius_m,
                          layer="circles", key="id"),
            batch_payload(frame, "point", kinds, centre, fields, title="name", layer="circles", key="id"))


def alley_batch(alleys, vocab, lang, district_names) -> dict:
    frame, fields = alley_table(alleys, vocab, lang, district_names)
    styles = {k: {"color": c, "weight": 4, "opacity": 0.9} for k, c in vocab.colors("alley_states").items()}
    return batch_payload(frame, "line", frame["state"].tolist(), styles, fields, title="name",
                         layer="alleys", key="id")


def problem_batch(problems, vocab, lang, district_names, as_of: dt.date) -> dict:
    frame, fields = problem_table(problems, vocab, lang, district_names, as_of)
    styles = {code: {"radius": 4.5, "color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": 0.95}
              for code, color in vocab.colors("statuses").items()}
    styles.update({f"{code}:overdue": {"radius": 6.5, "color": OVERDUE_COLOR, "weight": 3, "fillColor": color,
                                       "fillOpacity": 1} for code, color in vocab.colors("statuses").items()})
    keys = [f"{s}:overdue" if o else s for s, o in zip(frame["status"], frame["overdue"])]
    return batch_payload(frame, "point", keys, styles, fields, title="description",
                         layer="problems", key="id")


def _legend(vocab: Vocabulary, layers: MapLayers, lang: str) -> str:
    """The legend, one details element per layer, folded on a phone (``layers.css``/
    ``layers.js``) so that it never covers the map a thumb needs."""
    def row(mark: str, label: str) -> str:
        return f"<div>{mark}{html.escape(label)}</div>"

    def dot(color: str, edge: str = "#ffffff") -> str:
        return f'<i class="civmap-dot" style="background:{color};border-color:{edge}"></i>'

    statuses = sorted(set(layers.problems["status"]), key=list(vocab.statuses.index).index) if len(layers.problems) else []
    colors = vocab.colors("statuses")
    problems = "".join(row(dot(colors[c]), vocab.label("statuses", c, lang)) for c in statuses if c in colors)
    problems += row(f'<i class="civmap-dot civmap-overdue" style="border-color:{OVERDUE_COLOR}"></i>',
                    t("legend.overdue", lang))
    dashes, ring = centre_dashes(vocab), vocab.colors("centre_kinds")
    circles = "".join(row(f'<i class="civmap-ring" data-dash="{html.escape(dashes[k])}" '
                          f'style="background:{dash_gradient(ring[k], dashes[k])}"></i>',
                          vocab.label("centre_kinds", k, lang)) for k in vocab.centre_kinds.index)
    alley_colors = vocab.colors("alley_states")
    alleys = "".join(row(f'<i class="civmap-line" style="background:{alley_colors[k]}"></i>',
                         vocab.label("alley_states", k, lang)) for k in vocab.alley_states.index)
    points = row(dot(POINT_FILL, POINT_LINE), t("legend.points", lang))
    sections = (("layer.problems", problems, True), ("layer.circles", circles, True), ("layer.alleys", alleys, False),
                ("layer.points", points, False))
    body = "".join(f'<details{" open" if is_open else ""}><summary>{html.escape(t(key, lang))}</summary>{rows}</details>'
                   for key, rows, is_open in sections)
    if dense(layers.points) or dense(layers.problems):
        body += (f'<div class="civmap-legend-cells"><i class="civmap-cell civmap-cell-sample">9</i>'
                 f'{html.escape(t("legend.cells", lang))}</div>')
    return (f'<details class="civmap-legend leaflet-control" open><summary class="civmap-legend-title">'
            f'{html.escape(t("legend.title", lang))}</summary>{body}</details>')


def offline_map(asset_base: str, tiles: TileConfig = TileConfig(), css: str = "layers_css", **options) -> folium.Map:
    """An empty folium map whose scripts and styles all come from the app (``asset_base``).

    Every civmap map starts here, so none can reach for folium's CDN defaults. ``css``
    names the stylesheet in ``asset_urls`` (or is a URL); ``options`` go to folium.Map.
    """
    urls = asset_urls(asset_base)
    # keyboard=False: Leaflet focuses the map on a click for its arrow keys, and focusing
    # an element in an iframe scrolls the dashboard page, so the first click on a map
    # that is not wholly on screen would jump the page and miss its feature.
    settings = {"prefer_canvas": True, "control_scale": True, "zoom_control": True, "zoom_snap": 0.25,
                "zoom_delta": 0.5, "keyboard": False, **options}
    fmap = folium.Map(tiles=None, **settings)
    fmap.default_js = [("leaflet", urls["leaflet_js"])]
    fmap.default_css = [("leaflet_css", urls["leaflet_css"]), ("civmap_css", urls.get(css, css))]
    tile_layer = tiles.layer()
    if tile_layer is not None:
        tile_layer.add_to(fmap)
    return fmap


@dataclass(frozen=True)
class MapContent:
    """What a filter changes on the city map: its feature layers (i18n key, batches), each
    batch's JSON as the page writes it, the legend and the bounds the map opens on.

    The page carries it at first; after a filter change the open page is sent it alone
    (``layers_json``) and draws it in place (``civmap.ui.mapchannel``), instead of loading a
    new page whose base (the districts, their names, the areas) is the same.
    """

    groups: tuple[tuple[str, tuple[dict, ...]], ...]
    texts: tuple[tuple[str, ...], ...]
    legend: str
    fit: list | None

    def layers_json(self) -> str:
        """The layers as ``civmapLayers`` in ``layers.js`` takes them: ``{slots: {key:
        [batch, ...]}, legend, fit}``, each batch the text the page holds (no second dump)."""
        slots = ",".join(f"{script_json(key)}:[{','.join(texts)}]" for (key, _), texts in zip(self.groups, self.texts))
        return f'{{"slots":{{{slots}}},"legend":{script_json(self.legend)},"fit":{script_json(self.fit)}}}'


def map_content(layers: MapLayers, vocab: Vocabulary, lang: str, as_of: dt.date, tiles: TileConfig = TileConfig(),
                radius_m: float = 300.0, fit: tuple[str, ...] = ()) -> MapContent:
    """The city map's feature layers, legend and opening bounds for ``layers`` (see ``build_map``)."""
    system = tiles.system
    shifted = MapLayers(*(shift_layer(getattr(layers, f), system) for f in
                          ("districts", "points", "circles", "alleys", "problems")))
    district_names = layers.districts.set_index("code")["name"].to_dict() if len(layers.districts) else {}
    points = ([cell_batch(shifted.points, "points", POINT_LINE)] if dense(shifted.points)
              else [point_batch(shifted.points, vocab, lang, district_names)] if len(shifted.points) else [])
    problems = ([cell_batch(shifted.problems, "problems", PROBLEM_CELL, overdue_mask(shifted.problems, vocab, as_of))]
                if dense(shifted.problems) else
                [problem_batch(shifted.problems, vocab, lang, district_names, as_of)] if len(shifted.problems) else [])
    groups = (
        ("layer.points", tuple(points)),
        ("layer.circles", circle_batches(shifted.circles, vocab, lang, district_names, radius_m)
         if len(shifted.circles) else ()),
        ("layer.alleys", (alley_batch(shifted.alleys, vocab, lang, district_names),) if len(shifted.alleys) else ()),
        ("layer.problems", tuple(problems)),
    )
    bounds = None
    if len(shifted.districts):
        chosen = shifted.districts[shifted.districts["code"].isin(fit)]
        minx, miny, maxx, maxy = (chosen if len(chosen) else shifted.districts).total_bounds
        bounds = [[float(miny), float(minx)], [float(maxy), float(maxx)]]
    return MapContent(groups, tuple(tuple(script_json(p) for p in payloads) for _, payloads in groups),
                      _legend(vocab, layers, lang), bounds)


def build_map(layers: MapLayers, vocab: Vocabulary, lang: str, as_of: dt.date, asset_base: str,
              tiles: TileConfig = TileConfig(), radius_m: float = 300.0, height: str = "100%",
              fit: tuple[str, ...] = (), content: MapContent | None = None) -> folium.Map:
    """The folium map of the selection; nothing in it is fetched from outside the app.

    The map opens on the districts ``fit`` names (the district filter), else on the city.
    ``content``: its feature layers, legend and bounds, when the caller made them already
    (``map_content`` of the same arguments).
    """
    if content is None:
        content = map_content(layers, vocab, lang, as_of, tiles, radius_m, fit)
    system = tiles.system
    shifted_districts = shift_layer(layers.districts, system)
    shifted_areas = shift_layer(layers.subareas, system)
    urls = asset_urls(asset_base)
    fmap = offline_map(asset_base, tiles, height=height)

    base = folium.FeatureGroup(name=t("layer.districts", lang), control=True).add_to(fmap)
    if len(shifted_districts):
        districts = district_features(shifted_districts)
        districts["fill"] = [DISTRICT_FILLS[i % len(DISTRICT_FILLS)] for i in range(len(districts))]
        folium.GeoJson(
            districts, name=t("layer.districts", lang),
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#334155", "weight": 2,
                                      "fillOpacity": 0.55 if tiles.provider == "none" else 0.15},
            highlight_function=None, tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(base).add_child(PickReporter("districts", "code"))
        for row in districts.itertuples():
            anchor = row.geometry.representative_point()
            folium.Marker([anchor.y, anchor.x], interactive=False, icon=folium.DivIcon(
                html=f'<div class="civmap-district-label">{row.label}</div>',
                icon_size=(80, 20), icon_anchor=(40, 10))).add_to(base)
        if shifted_areas is not None and len(shifted_areas):
            fmap.add_child(AreaBase(area_payload(shifted_areas), urls["layers_js"]))
    if content.fit is not None:
        fmap.add_child(MapFit(content.fit, urls["layers_js"]))
    add_layer_groups(fmap, content.groups, urls["layers_js"], lang, content.texts)
    fmap.get_root().html.add_child(Verbatim(content.legend))
    return fmap


def dense(frame: gpd.GeoDataFrame | None) -> bool:
    """A layer with more features than a map can show one by one (``civmap.maps.cells``)."""
    return frame is not None and len(frame) > AGGREGATE_ABOVE


def cell_batch(frame: gpd.GeoDataFrame, layer: str, color: str, hot: pd.Series | None = None) -> dict:
    """A dense point layer as counted cells per zoom, up to the zoom from which the map asks
    for the single features of its view (``map_detail``); ``hot`` marks features whose
    cell gets a red ring (overdue problems)."""
    lat, lon = frame.geometry.y.to_numpy(), frame.geometry.x.to_numpy()
    flags = np.zeros(len(frame), dtype=bool) if hot is None else np.asarray(hot, dtype=bool)
    zoom = detail_zoom(lat, lon)
    return {"kind": "cells", "layer": layer, "total": len(frame), "detailZoom": zoom, "color": color,
            "hotColor": OVERDUE_COLOR, "cells": grid_cells(lat, lon, flags, range(MIN_CELL_ZOOM, zoom)), "rows": []}


#: The layers a map may send as cells, and so the layers whose detail a view can ask for.
DETAIL_LAYERS = ("points", "problems")


def map_detail(layers: MapLayers, vocab: Vocabulary, lang: str, as_of: dt.date, tiles: TileConfig,
               bounds: tuple[float, float, float, float], wanted: tuple[str, ...]) -> list[dict]:
    """The single features of the dense layers ``wanted`` that lie in ``bounds`` (south,
    west, north, east, in the map's displayed coordinates): what a map zoomed in to its
    detail zoom draws instead of cells. A view holds at most ``3 * DETAIL_LIMIT`` features
    of a layer (the map asks only from the detail zoom, where a view holds far fewer)."""
    district_names = layers.districts.set_index("code")["name"].to_dict() if len(layers.districts) else {}
    out = []
    for name in DETAIL_LAYERS:
        frame = shift_layer(getattr(layers, name), tiles.system)
        if name not in wanted or not dense(frame):
            continue
        inside = frame[within_bounds(frame.geometry.y.to_numpy(), frame.geometry.x.to_numpy(), bounds)]
        inside = inside.iloc[:3 * DETAIL_LIMIT]
        out.append(point_batch(inside, vocab, lang, district_names) if name == "points"
                   else problem_batch(inside, vocab, lang, district_names, as_of))
    return out


def add_layer_groups(fmap: folium.Map, groups, layers_js: str, lang: str, texts=None) -> None:
    """One switchable layer per (i18n key, feature batches) in ``groups``, drawn by
    layers.js, and the open layer control that switches them. Each layer's group is the
    slot its key names (``LayerSlot``); ``texts``: the batches' JSON, written already."""
    for i, (key, payloads) in enumerate(groups):
        group = folium.FeatureGroup(name=t(key, lang)).add_to(fmap)
        LayerSlot(key, layers_js).add_to(group)
        for j, payload in enumerate(payloads):
            FeatureBatch(payload, layers_js, None if texts is None else texts[i][j]).add_to(group)
    folium.LayerControl(collapsed=False).add_to(fmap)


def render_html(fmap: folium.Map) -> str:
    """The map's page, no text of it read as a template (``civmap.maps.verbatim``)."""
    return render_page(fmap)
