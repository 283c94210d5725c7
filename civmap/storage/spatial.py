"""Spatial questions PostGIS answers inside PostgreSQL: which area holds a point, and which
assessment places lie within a distance on the ground of each key circle's centre.

They give the same answers as the Python path (``geo.assign_area``, ``geo.within_distance``;
``tests/test_spatial_sql.py`` compares them, the 300 m edge cases included):

- containment is ``ST_Intersects`` in WGS-84 degrees, a point on a shared border going to
  the smallest area code (compared byte by byte, ``COLLATE "C"``, as Python compares);
- distances are geodesic on the WGS-84 ellipsoid (``geography`` with ``use_spheroid``),
  a line's or polygon's nearest part counting, through the GIST indexes of the schema.

``available(engine)`` says whether the store can answer them (PostgreSQL with PostGIS);
on SQLite the callers use the Python path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION

__all__ = ["available", "areas_containing", "circle_pairs"]


def available(engine: Engine) -> bool:
    """Whether the store answers spatial questions itself (PostgreSQL, hence PostGIS)."""
    return engine.dialect.name == "postgresql"


_CONTAINING = text("""
    SELECT q.n, MIN(a.code COLLATE "C") AS code
    FROM unnest(:lon, :lat) WITH ORDINALITY AS q(lon, lat, n)
    JOIN areas a ON a.level = :level AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326))
    GROUP BY q.n
""").bindparams(bindparam("lon", type_=ARRAY(DOUBLE_PRECISION)), bindparam("lat", type_=ARRAY(DOUBLE_PRECISION)))


def areas_containing(engine: Engine, lon, lat, level: str = "district") -> pd.Series:
    """The code of the ``level`` area holding each (lon, lat), NA where none does or a
    coordinate is missing; positions as given (a RangeIndex)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    known = np.isfinite(lon) & np.isfinite(lat)
    out = pd.Series(pd.NA, index=pd.RangeIndex(len(lon)), dtype="object", name="code")
    if not known.any():
        return out
    where = np.flatnonzero(known)
    with engine.connect() as conn:
        rows = conn.execute(_CONTAINING, {"lon": lon[known].tolist(), "lat": lat[known].tolist(), "level": level}).all()
    for n, code in rows:
        out.iat[where[n - 1]] = code
    return out


# Plain points are found through the GIST index on their place; shapes (a point's road or
# square, an alley's line) first through the GIST index on ``geom`` with a box in degrees
# certainly wider than the radius (a degree of latitude is over 110 km everywhere, a degree
# of longitude over 110 km times the cosine of the latitude), then measured as geography.
_PAIRS = text("""
    WITH centres AS (
        SELECT c.id AS circle_id, geography(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) AS g,
               ST_Expand(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326),
                         :radius / 110000.0 / cos(radians(LEAST(ABS(p.lat) + 1, 89))), :radius / 110000.0) AS box
        FROM circles c JOIN points p ON p.id = c.centre_point_id
    )
    SELECT c.circle_id, 'point' AS place_type, m.id AS place_id,
           ST_Distance(c.g, geography(ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326)), true) AS distance_m
    FROM centres c JOIN points m
      ON m.geom IS NULL AND ST_DWithin(geography(ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326)), c.g, :radius, true)
    UNION ALL
    SELECT c.circle_id, 'point', m.id, ST_Distance(c.g, geography(m.geom), true)
    FROM centres c JOIN points m ON m.geom && c.box AND ST_DWithin(geography(m.geom), c.g, :radius, true)
    UNION ALL
    SELECT c.circle_id, 'alley', m.id, ST_Distance(c.g, geography(m.geom), true)
    FROM centres c JOIN alleys m ON m.geom && c.box AND ST_DWithin(geography(m.geom), c.g, :radius, true)
""")


def circle_pairs(engine: Engine, radius_m: float) -> pd.DataFrame:
    """Every (circle, place) pair within ``radius_m`` metres on the ground of the circle's
    centre: ``circle_id``, ``place_type`` (``point``/``alley``), ``place_id``, ``distance_m``
    (0 when the centre touches the place), ordered by circle, distance, type and id. The
    centre's own point is among them, as in ``geo.within_distance``."""
    with engine.connect() as conn:
        rows = conn.execute(_PAIRS, {"radius": float(radius_m)}).all()
    frame = pd.DataFrame(rows, columns=["circle_id", "place_type", "place_id", "distance_m"])
    frame["distance_m"] = frame["distance_m"].astype(float)
    return frame.sort_values(["circle_id", "distance_m", "place_type", "place_id"], kind="stable", ignore_index=True)
