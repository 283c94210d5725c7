"""Street and community boundaries and names under the data, shown as the user zooms in.

At city scale a street's outline is noise; at street scale it is how a district head finds
his way on a map with no tiles. Each level has a zoom from which its outlines and names
show; the names sit in a pane above the feature markers that takes no clicks, so a label
is never buried under dots and never steals a tap from the feature under it.
"""

from __future__ import annotations

import geopandas as gpd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from civmap.maps.batches import script_json

__all__ = ["AREA_ZOOMS", "AreaBase", "area_payload"]

#: The zoom from which each level's outlines and names show (city ≈ 11, street ≈ 14).
AREA_ZOOMS = {"street": 13.0, "community": 15.0}


def _rings(geometry) -> list[list[list[float]]]:
    """Every ring of a (multi)polygon as [[lat, lon], ...], rounded to about 0.1 m."""
    polygons = getattr(geometry, "geoms", [geometry])
    return [[[round(y, 6), round(x, 6)] for x, y in ring.coords]
            for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]


def area_payload(areas: gpd.GeoDataFrame) -> dict:
    """The levels in ``AREA_ZOOMS`` as outlines and names (set as text, never as HTML) with a label point.

    ``areas`` is EPSG:4326 with ``code``, ``level``, ``name`` and geometry; other levels
    and empty shapes are left out.
    """
    levels = {}
    for level, zoom in AREA_ZOOMS.items():
        rows = areas[(areas["level"] == level) & ~areas.geometry.is_empty & areas.geometry.notna()]
        levels[level] = {
            "zoom": zoom,
            "areas": [{"rings": _rings(row.geometry),
                       "label": [round(p.y, 6), round(p.x, 6)],
                       "name": str(row.name)}
                      for row in rows.itertuples() for p in [row.geometry.representative_point()]],
        }
    return {"levels": levels}


class AreaBase(JSCSSMixin, MacroElement):
    """Draws ``area_payload`` with ``civmapAreas`` (static/civmap/layers.js) when the map loads.

    It brings ``layers.js`` itself: a store with boundaries and nothing else yet has no
    feature batch to load it, and the map's script would stop at ``civmapAreas``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        civmapAreas({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict, script_url: str):
        super().__init__()
        self._name = "AreaBase"
        self.default_js = [("civmap_layers", script_url)]
        self.payload = script_json(payload)
