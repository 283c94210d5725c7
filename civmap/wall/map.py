"""The wall's dark map: districts shaded by their score against the city, open problems as dots.

A variant of ``civmap.maps.folium_map`` for a screen nobody touches: no popups worth opening,
no controls, no personal fields in any layer, a legend drawn in plain HTML (a branca
colormap would pull d3 from a CDN), and sizes in viewport units so the map reads the
same at 1920×1080 and 3840×2160. Served entirely by the app, like the city map.
Data are WGS-84 (EPSG:4326); with GCJ-02 tiles every layer is shifted for display.
"""

from __future__ import annotations

import datetime as dt
import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from civmap.figures import overdue_mask
from civmap.i18n import t
from civmap.maps.batches import FeatureBatch, batch_payload
from civmap.maps.cells import AGGREGATE_ABOVE
from civmap.maps.folium_map import TileConfig, asset_urls, offline_map, shift_layer
from civmap.maps.verbatim import Verbatim
from civmap.vocab import Vocabulary
from civmap.wall.figures import strip_personal

__all__ = ["build_wall_map", "problem_keys", "rate_domain", "rate_color", "wall_cells", "DOT_STYLES",
           "RATE_COLORS", "NO_DATA_COLOR", "WALL_CELLS_ACROSS"]

#: Above ``AGGREGATE_ABOVE`` unresolved problems the wall counts them in squares, this many
#: across the city (or the district in focus), instead of a dot each.
WALL_CELLS_ACROSS = 18

#: Problem dots: still open (not yet reported fixed), reported fixed awaiting a check, overdue.
DOT_STYLES = {
    "open": {"radius": 6, "color": "#0f172a", "weight": 1, "fillColor": "#f8fafc", "fillOpacity": 0.95},
    "fixed": {"radius": 6, "color": "#0f172a", "weight": 1, "fillColor": "#38bdf8", "fillOpacity": 0.95},
    "overdue": {"radius": 10, "color": "#ffffff", "weight": 2, "fillColor": "#ff1f5a", "fillOpacity": 1},
}


#: Score shading against the city, behind to ahead; interpolated between the stops. A
#: diverging orange-grey-blue scale: the two ends differ in lightness as well as hue, so
#: they stay apart for red-green colour-blind viewers, and the middle (level with the
#: city) is a quiet grey rather than a colour that says something.
RATE_COLORS = ("#e66101", "#f4a259", "#64748b", "#6baed6", "#2171b5")
NO_DATA_COLOR = "#334155"


def rate_domain(gaps, min_span: float = 2.0) -> tuple[float, float]:
    """The score gaps (district − city, in points) the shading spans, symmetric about 0.

    The wall asks "which district is behind", so the scale reaches the largest gap shown
    on either side (the legend prints both ends), and at least ``min_span`` points, so
    that a tenth of a point does not look like the ends of the scale.
    """
    known = [abs(float(g)) for g in gaps if g is not None and not pd.isna(g)]
    reach = max([*known, min_span])
    return (-reach, reach)


def _mix(a: str, b: str, share: float) -> str:
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(ca, cb))


def rate_color(gap: float | None, domain: tuple[float, float]) -> str:
    """The fill for a score gap on ``domain`` (orange = furthest behind, blue = furthest ahead)."""
    if gap is None or pd.isna(gap):
        return NO_DATA_COLOR
    low, high = domain
    position = 0.0 if high <= low else min(max((gap - low) / (high - low), 0.0), 1.0)
    scaled = position * (len(RATE_COLORS) - 1)
    index = min(int(scaled), len(RATE_COLORS) - 2)
    return _mix(RATE_COLORS[index], RATE_COLORS[index + 1], scaled - index)


def problem_keys(problems: pd.DataFrame, vocab: Vocabulary, as_of: dt.date) -> pd.Series:
    """Each unresolved problem's dot style: ``overdue``, ``open`` or ``fixed``."""
    overdue = overdue_mask(problems, vocab, as_of)
    fixed = problems["status"].isin(vocab.statuses_of_type("fixed"))
    keys = pd.Series("open", index=problems.index)
    keys[fixed] = "fixed"
    keys[overdue] = "overdue"
    return keys


def _legend(domain: tuple[float, float], city_score: float, counts: dict[str, int], lang: str,
            as_cells: bool = False) -> str:
    gradient = ", ".join(RATE_COLORS)
    city = "—" if pd.isna(city_score) else f"{city_score:.1f}"
    dots = "".join(
        f'<div class="wall-legend-row"><i class="wall-dot wall-dot-{key}"></i>'
        f'{html.escape(t("wall.map." + key, lang))} <b>{counts.get(key, 0):,}</b></div>'
        for key in ("overdue", "open", "fixed"))
    if as_cells:
        dots += f'<div class="wall-legend-row">{html.escape(t("wall.map.cells", lang))}</div>'
    return f"""
    <div class="wall-legend">
      <div class="wall-legend-title">{html.escape(t("wall.map.shading", lang))}</div>
      <div class="wall-legend-bar" style="background:linear-gradient(to right, {gradient})"></div>
      <div class="wall-legend-scale"><span>{domain[0]:+.1f} {html.escape(t("wall.map.behind", lang))}</span>
        <span>{html.escape(t("wall.map.city", lang, score=city))}</span>
        <span>{domain[1]:+.1f} {html.escape(t("wall.map.ahead", lang))}</span></div>
      {dots}
    </div>"""


class _FitBounds(MacroElement):
    """Fit the map to ``bounds`` now and whenever its frame is resized, so the city (or
    the district in focus) always fills the panel, whatever the wall's resolution."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, bounds) {
          function fit() { map.invalidateSize(false); map.fitBounds(bounds, {padding: [14, 14]}); }
          fit();
          window.addEventListener("resize", fit);
        })({{ this._parent.get_name() }}, {{ this.bounds }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = json.dumps(bounds)


def build_wall_map(districts: gpd.GeoDataFrame, standing: pd.DataFrame, city_score: float,
                   problems: gpd.GeoDataFrame, vocab: Vocabulary, as_of: dt.date, asset_base: str, lang: str = "zh",
                   focus: str | None = None, tiles: TileConfig = TileConfig()) -> folium.Map:
    """The dark wall map: districts shaded by their score against the city's.

    Parameters
    ----------
    districts : GeoDataFrame (EPSG:4326) with ``code`` and ``name``; all of the city.
    standing : :func:`civmap.progress.behind.standing`, one row per district (``code``, ``score``).
    city_score : the city's own score (:func:`civmap.progress.behind.score` of the city's shares).
    problems : the problems of the view (EPSG:4326); only unresolved ones are drawn.
    focus : a district code to zoom to (others are dimmed), or None for the whole city.
    """
    system = tiles.system
    urls = asset_urls(asset_base)
    fmap = offline_map(asset_base, tiles, css="wall_css", zoom_control=False, control_scale=False,
                       attribution_control=False, scrollWheelZoom=False, dragging=False, doubleClickZoom=False,
                       touchZoom=False, boxZoom=False, zoom_snap=0.1, height="100%")

    shown = shift_layer(districts[["code", "name", "geometry"]], system).copy()
    focus_frame = shown[shown["code"] == focus] if focus is not None else shown
    if len(focus_frame):  # fitted first, so that the layers below are drawn at the final zoom
        minx, miny, maxx, maxy = focus_frame.total_bounds
        _FitBounds([[miny, minx], [maxy, maxx]]).add_to(fmap)

    scores = standing.set_index("code")["score"]
    gaps = {code: value - city_score for code, value in scores.items()}
    domain = rate_domain(gaps.values())
    shown["fill"] = [rate_color(gaps.get(c), domain) for c in shown["code"]]
    shown["dim"] = [focus is not None and c != focus for c in shown["code"]]
    folium.GeoJson(
        shown.drop(columns="name"),
        style_function=lambda f: {
            "fillColor": "#1e293b" if f["properties"]["dim"] else f["properties"]["fill"],
            "fillOpacity": 0.35 if f["properties"]["dim"] else 0.68,
            "color": "#94a3b8" if f["properties"]["dim"] else "#e2e8f0",
            "weight": 1.5 if f["properties"]["dim"] else 2.5},
        highlight_function=None, interactive=False,
    ).add_to(fmap)
    unresolved = strip_personal(problems[problems["status"].isin(vocab.unresolved_statuses)])
    unresolved = shift_layer(unresolved, system)
    keys = problem_keys(unresolved, vocab, as_of) if len(unresolved) else pd.Series(dtype=str)
    # Overdue dots last, so they are drawn on top.
    order = keys.map({"fixed": 0, "open": 1, "overdue": 2}).sort_values(kind="stable").index
    group = folium.FeatureGroup(name=t("layer.problems", lang)).add_to(fmap)
    as_cells = len(unresolved) > AGGREGATE_ABOVE
    if as_cells:  # a city's worth of dots is a smear that hides the districts' names
        for cell in wall_cells(unresolved, keys, focus_frame.total_bounds).itertuples():
            _cell_marker(cell).add_to(group)
    elif len(unresolved):
        ordered = unresolved.loc[order]
        payload = batch_payload(ordered, "point", keys.loc[order].tolist(), DOT_STYLES, fields=[])
        FeatureBatch(payload, urls["layers_js"]).add_to(group)

    # The districts' names and scores above the problems (Leaflet stacks markers by latitude).
    for row in shown.itertuples():
        value, gap = scores.get(row.code), gaps.get(row.code)
        text = "—" if value is None or pd.isna(value) else f"{value:.1f}（{gap:+.1f}）" if lang == "zh" \
            else f"{value:.1f} ({gap:+.1f})"
        anchor = row.geometry.representative_point()
        css = "wall-district-label wall-dim" if row.dim else "wall-district-label"
        folium.Marker([anchor.y, anchor.x], interactive=False, z_index_offset=10_000, icon=folium.DivIcon(
            html=f'<div class="{css}"><b>{html.escape(str(row.name))}</b><span>{html.escape(text)}</span></div>',
            icon_size=(0, 0), icon_anchor=(0, 0))).add_to(fmap)

    counts = keys.value_counts().to_dict() if len(keys) else {}
    fmap.get_root().html.add_child(Verbatim(_legend(domain, city_score, counts, lang, as_cells)))
    return fmap


def wall_cells(problems: gpd.GeoDataFrame, keys: pd.Series, bounds, across: int = WALL_CELLS_ACROSS) -> pd.DataFrame:
    """The unresolved ``problems`` counted in squares, ``across`` of them over the wider side
    of ``bounds`` (minx, miny, maxx, maxy): each square's mean position, its count and how
    many of them are overdue (``keys``, from :func:`problem_keys`), busiest first."""
    minx, miny, maxx, maxy = bounds
    side = max(maxx - minx, maxy - miny, 1e-9) / across
    x, y = problems.geometry.x.to_numpy(), problems.geometry.y.to_numpy()
    frame = pd.DataFrame({"ix": np.floor((x - minx) / side), "iy": np.floor((y - miny) / side), "lon": x, "lat": y,
                          "overdue": (keys.reindex(problems.index) == "overdue").to_numpy()})
    cells = frame.groupby(["ix", "iy"]).agg(lon=("lon", "mean"), lat=("lat", "mean"), count=("lon", "size"),
                                            overdue=("overdue", "sum"))
    cells["share"] = cells["overdue"] / cells["count"]
    cells["scale"] = np.sqrt(cells["count"] / cells["count"].max())
    return cells.sort_values("count", ascending=False).reset_index(drop=True)


def _cell_marker(cell) -> folium.Marker:
    """One counted square: a disc sized by its count, the redder the more of it is overdue."""
    size = round(1.6 + 3.4 * cell.scale, 2)  # viewport heights, as the rest of the wall
    fill = _mix(DOT_STYLES["open"]["fillColor"], DOT_STYLES["overdue"]["fillColor"], min(1.0, cell.share * 1.5))
    text = "#0f172a" if cell.share < 0.34 else "#ffffff"
    label = f"{cell.count:,}" if cell.scale >= 0.3 else ""
    style = (f"width:{size}vh;height:{size}vh;margin:-{size / 2}vh 0 0 -{size / 2}vh;border-radius:50%;"
             f"background:{fill};color:{text};border:0.2vh solid #0f172a;display:flex;align-items:center;"
             f"justify-content:center;font:700 {round(0.9 + 0.9 * cell.scale, 2)}vh sans-serif;opacity:0.92")
    return folium.Marker([cell.lat, cell.lon], interactive=False, icon=folium.DivIcon(
        html=f'<div class="wall-cell" style="{style}">{label}</div>', icon_size=(0, 0), icon_anchor=(0, 0)))
