"""Rows as storage hands them out and takes them in: a row's own shape is a shapely
geometry under ``shape``; how it is stored (``geom``: WKT text in SQLite, a PostGIS
geometry in PostgreSQL, read back as WKB) is known here alone.

``shape`` is an area's polygon, an alley's line, and an assessment point's footprint
where it has one (a road's line, a square's polygon; None for a plain point, whose
place is its ``lon``/``lat``). All in WGS-84 degrees.
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civmap.storage import schema as s
from civmap.storage.schema import inspection_ref
from geo import WGS84

__all__ = ["SHAPE", "STORED", "BATCH", "batches", "copy_value", "row_columns", "text_limits", "shapes_of", "pop_shapes",
           "portable", "to_stored", "from_stored", "stored_frame", "inspection_ref"]

#: The column of a row's own geometry, in what storage hands out and takes in.
SHAPE = "shape"
_STORED = "geom"
#: The stored geometry column's name, for code that copies whole tables (``copying``).
STORED = _STORED
#: Rows or keys per statement: well under every database's bound-parameter limit.
BATCH = 500


def batches(items: list, size: int = BATCH) -> list[list]:
    """``items`` in consecutive slices of at most ``size``."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def row_columns(table_name: str) -> tuple[str, ...]:
    """The columns of a row of ``table_name`` as handed out (its geometry as ``shape``)."""
    return tuple(SHAPE if c.name == _STORED else c.name for c in s.metadata.tables[table_name].columns)


def text_limits(table_name: str) -> dict[str, int]:
    """Column → the longest text it holds, for the bounded text columns of ``table_name``."""
    return {c.name: c.type.length for c in s.metadata.tables[table_name].columns
            if getattr(c.type, "length", None)}


def shapes_of(stored: pd.Series) -> gpd.GeoSeries:
    """Stored geometries (WKT text or WKB bytes) as shapely ones (None where a row has
    none), in WGS-84."""
    values = stored.to_numpy(dtype=object)
    text = np.array([isinstance(v, str) and bool(v) for v in values], dtype=bool)
    binary = np.array([isinstance(v, (bytes, memoryview)) and len(v) > 0 for v in values], dtype=bool)
    shapes = np.full(len(values), None, dtype=object)
    if text.any():
        shapes[text] = shapely.from_wkt(values[text])
    if binary.any():
        shapes[binary] = shapely.from_wkb([bytes(v) for v in values[binary]])
    return gpd.GeoSeries(shapes, index=stored.index, crs=WGS84)


def pop_shapes(frame: pd.DataFrame) -> gpd.GeoSeries:
    """Take the stored geometry column out of a frame read from a table; its shapes."""
    return shapes_of(frame.pop(_STORED))


def copy_value(column: str, value):
    """A value as PostgreSQL's COPY takes it into ``column``: a shape's WKT gains its SRID
    (COPY bypasses the ``ST_GeomFromText`` an INSERT wraps it in)."""
    if column == _STORED and isinstance(value, str) and value:
        return f"SRID={s.SRID};{value}"
    return value


def portable(stored) -> str | None:
    """A stored geometry as either store takes it in (WKT at full precision), whatever the
    store it was read from kept it as."""
    return _text(_shape(stored))


def _shape(stored) -> shapely.Geometry | None:
    if isinstance(stored, str) and stored:
        return shapely.from_wkt(stored)
    if isinstance(stored, (bytes, memoryview)) and len(stored):
        return shapely.from_wkb(bytes(stored))
    return None


def _text(shape) -> str | None:
    # Full precision: whoever hands a shape in has rounded it as it means to keep it.
    return shapely.to_wkt(shape, rounding_precision=-1) if isinstance(shape, shapely.Geometry) else None


def to_stored(row: Mapping) -> dict:
    """A row handed in, as the table holds it."""
    out = dict(row)
    if SHAPE in out:
        out[_STORED] = _text(out.pop(SHAPE))
    return out


def from_stored(row: Mapping) -> dict:
    """A row as the table holds it, as handed out."""
    out = dict(row)
    if _STORED in out:
        out[SHAPE] = _shape(out.pop(_STORED))
    return out


def stored_frame(table_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its shapes as the table holds them: its ``shape`` column, else (for
    areas and alleys, whose geometry is their shape) a GeoDataFrame's own geometry."""
    column = s.metadata.tables[table_name].c.get(_STORED)
    if column is None:
        return frame
    if SHAPE in frame.columns:
        shapes = frame[SHAPE]
    elif not column.nullable and isinstance(frame, gpd.GeoDataFrame):
        shapes = frame.geometry
    else:
        return frame
    out = pd.DataFrame(frame).drop(columns=[SHAPE], errors="ignore")
    out[_STORED] = [_text(g) for g in shapes.to_numpy(dtype=object)]
    return out
