"""A hexagon grid on the ground: cells of a size in metres, in a metric CRS.

Cells are pointy-top hexagons on axial coordinates ``(q, r)``; ``size_m`` is the distance
between the centres of two neighbouring cells (equally, between two opposite edges of a
cell). A cell is exactly the set of places nearer its centre than any other centre, so
"which cell" is a nearest-centre question answered by rounding, not by a polygon search.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .crs import WGS84, metric_crs, require_geographic

__all__ = ["hex_index", "hex_centres", "hex_polygons", "hex_counts"]

_SQRT3 = math.sqrt(3.0)


def _check_size(size_m: float) -> float:
    size_m = float(size_m)
    if not math.isfinite(size_m) or size_m <= 0:
        raise ValueError(f"hexagon size must be a positive number of metres, got {size_m}")
    return size_m


def hex_index(x, y, size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The axial cell ``(q, r)`` holding each point.

    Parameters
    ----------
    x, y : array-like
        Coordinates in metres in a projected CRS (see ``geo.to_metric``), never degrees.
    size_m : float
        Distance between neighbouring cell centres, metres.

    Returns
    -------
    (ndarray, ndarray)
        Integer ``q`` and ``r`` of each point's cell.

    Notes
    -----
    Fractional axial coordinates are rounded in cube coordinates (q, r, s = -q-r): the
    component that moved most is recomputed from the other two, which gives the hexagon
    whose centre is nearest (points on an edge go to one of the two cells).
    """
    size_m = _check_size(size_m)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rf = y / (size_m * _SQRT3 / 2.0)
    qf = x / size_m - rf / 2.0
    sf = -qf - rf
    q, r, s = np.rint(qf), np.rint(rf), np.rint(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_centres(q, r, size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres (metres, same CRS as the points indexed) of cells ``(q, r)``."""
    size_m = _check_size(size_m)
    q, r = np.asarray(q, dtype=float), np.asarray(r, dtype=float)
    return size_m * (q + r / 2.0), size_m * _SQRT3 / 2.0 * r


def hex_polygons(q, r, size_m: float) -> np.ndarray:
    """Hexagons of cells ``(q, r)`` as shapely polygons, in metres."""
    cx, cy = hex_centres(q, r, size_m)
    radius = size_m / _SQRT3  # centre to corner
    angles = np.deg2rad(30.0 + 60.0 * np.arange(6))
    xs = cx[:, None] + radius * np.cos(angles)[None, :]
    ys = cy[:, None] + radius * np.sin(angles)[None, :]
    return shapely.polygons(np.stack([xs, ys], axis=-1))


def hex_counts(points: gpd.GeoDataFrame, size_m: float, crs=None, by: str | None = None) -> gpd.GeoDataFrame:
    """Points per hexagon cell, cells with none left out.

    Parameters
    ----------
    points : GeoDataFrame
        Point geometries in a geographic CRS (WGS-84).
    size_m : float
        Distance between neighbouring cell centres, metres on the ground.
    crs : optional
        The metric CRS the grid is laid in (the city's; default: ``metric_crs`` of the
        points). Pass the same CRS to compare two counts cell by cell.
    by : str, optional
        A column of ``points``: adds one ``count_<value>`` column per value.

    Returns
    -------
    GeoDataFrame
        ``q``, ``r``, ``count`` (and ``count_<value>``), the hexagon in WGS-84.
    """
    require_geographic(points, "points")
    size_m = _check_size(size_m)
    columns = ["q", "r", "count"]
    if points.empty:
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    crs = crs or metric_crs(points)
    projected = points.geometry.to_crs(crs)
    q, r = hex_index(projected.x.to_numpy(), projected.y.to_numpy(), size_m)
    frame = pd.DataFrame({"q": q, "r": r})
    if by is not None:
        frame["value"] = points[by].to_numpy()
    counts = frame.groupby(["q", "r"]).size().rename("count")
    table = counts.to_frame()
    if by is not None:
        table = table.join(pd.crosstab([frame["q"], frame["r"]], frame["value"]).add_prefix("count_"))
    table = table.reset_index()
    shapes = gpd.GeoSeries(hex_polygons(table["q"], table["r"], size_m), crs=crs).to_crs(WGS84)
    return gpd.GeoDataFrame(table, geometry=shapes.to_numpy(), crs=WGS84)
