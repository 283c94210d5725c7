"""The selection as one GeoJSON FeatureCollection, each feature's ``layer`` naming its kind.

The importer reads such a file as any kind it holds: it keeps the features of the layer
being imported (``civmap.ledger.parse``), so each layer imports again unchanged. Only
what has a place of its own is here: boundaries, points, key circles (at their centre),
alleys and problems. Responsible units and inspection results have no geometry, so they
leave through the Excel workbook only.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import shapely

from civmap.filters import Filters
from civmap.ledger.sheets import LAYER_COLUMNS, OFFICE_COLUMNS
from civmap.storage.store import Store

__all__ = ["export_geojson", "GEOJSON_LAYERS"]

#: The layers written, in the order an office loads its city (``civmap.ledger.columns.KINDS``).
GEOJSON_LAYERS = ("boundaries", "points", "circles", "alleys", "problems")
#: Properties per layer: civmap's column names, each one the importer accepts as a header.
_COLUMNS = {
    "boundaries": ("code", "name", "level", "parent_code", "name_en"),
    "circles": OFFICE_COLUMNS["circles"],
    **LAYER_COLUMNS,
}


def _jsonable(value):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if isinstance(value, dt.date) and not isinstance(value, dt.datetime) \
            else value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _frames(store: Store, filters: Filters) -> dict[str, pd.DataFrame]:
    """Each layer's rows in the selection. Boundaries follow the district filter alone:
    the selected districts and every area inside them (all areas when none is selected)."""
    areas = (store.scoped(filters.districts) if filters.districts else store).areas(None)
    return {"boundaries": areas, "points": store.points(filters), "circles": store.circles(filters),
            "alleys": store.alleys(filters), "problems": store.problems(filters)}


def export_geojson(store: Store, filters: Filters) -> bytes:
    """One FeatureCollection of the selection's layers (``GEOJSON_LAYERS``; ``layer`` says which).

    Properties carry store codes under civmap's column names (``district_code``,
    ``category``, a boundary's ``code``/``level``/``parent_code`` ...), which the importer
    reads as they are; geometry is WGS-84 (RFC 7946): polygons for boundaries, lines for
    alleys and for points drawn as lines (roads), a circle's centre point for a circle.
    Units and inspection results have no geometry and are left out (see the workbook).
    """
    features = []
    for layer, frame in _frames(store, filters).items():
        key = "code" if layer == "boundaries" else "id"
        frame = frame.sort_values(key)
        wanted = [c for c in _COLUMNS[layer] if c in frame.columns and c != "wkt"]
        lines = frame["shape"] if "shape" in frame.columns else pd.Series(None, index=frame.index)
        for (_, row), line in zip(frame.iterrows(), lines):
            shape = line if isinstance(line, shapely.Geometry) else row.geometry
            properties = {"layer": layer, **{c: _jsonable(row[c]) for c in wanted}}
            features.append({"type": "Feature", "properties": properties,
                             "geometry": json.loads(shapely.to_geojson(shape))})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
