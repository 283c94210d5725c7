"""Conversions between China's three coordinate systems: WGS-84, GCJ-02 and BD-09.

GPS receivers, OpenStreetMap and Tianditu (CGCS2000, within centimetres) give WGS-84.
AMap and Tencent maps use GCJ-02, a legally required offset of up to several hundred
metres (about 550 m at Guilin); Baidu adds its own BD-09 offset on top of GCJ-02. A
ledger point picked on an AMap map is therefore GCJ-02 and must be converted before it
is stored, because civmap stores WGS-84. PROJ does not know GCJ-02 or BD-09, so the
published closed formulas are implemented here with numpy.

All functions take longitude first, accept scalars or array-likes of any shape, and
return a ``(lon, lat)`` tuple of float64 arrays (0-d for scalar input).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = [
    "SYSTEMS", "wgs84_to_gcj02", "gcj02_to_wgs84", "gcj02_to_bd09", "bd09_to_gcj02",
    "wgs84_to_bd09", "bd09_to_wgs84", "convert", "convert_geometry",
]

SYSTEMS = ("wgs84", "gcj02", "bd09")

# Krasovsky 1940 ellipsoid, the one the GCJ-02 formula is written against.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
# Fixed-point steps for the inverses: GCJ-02 needs three for ~0.2 mm (one leaves
# metres); the BD-09 closed-form inverse is off by up to ~0.2 m and two correction
# steps bring it to micrometres.
_GCJ_STEPS = 3
_BD_STEPS = 2


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return np.broadcast_arrays(lon, lat)


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    # The rough box every public implementation (and AMap itself) uses: it over-covers
    # China, but using the same box keeps our results equal to everyone else's.
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 at a WGS-84 position, in degrees (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    xp = x * np.pi
    yp = y * np.pi
    # The published series, with its common factor 2/3 folded into the constants.
    wave = (40.0 / 3.0) * (np.sin(6.0 * xp) + np.sin(2.0 * xp))
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)) + wave
            + (40.0 / 3.0) * np.sin(yp) + (80.0 / 3.0) * np.sin(yp / 3.0)
            + (320.0 / 3.0) * np.sin(yp / 12.0) + (640.0 / 3.0) * np.sin(yp / 30.0))
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
            + 0.1 * np.sqrt(np.abs(x)) + wave
            + (40.0 / 3.0) * np.sin(xp) + (80.0 / 3.0) * np.sin(xp / 3.0)
            + 100.0 * np.sin(xp / 12.0) + 200.0 * np.sin(xp / 30.0))
    # The series are in metres on the Krasovsky ellipsoid; divide by the meridian and
    # parallel radii of curvature to turn them into degrees.
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * (180.0 / np.pi) * (magic * sqrt_magic) / (_A * (1.0 - _EE))
    dlon = dlon * (180.0 / np.pi) * sqrt_magic / (_A * np.cos(rad_lat))
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 degrees to GCJ-02 (AMap, Tencent) with the published closed form.

    Outside China's rough bounding box the coordinates are returned unchanged.
    """
    lon, lat = _as_arrays(lon, lat)
    dlon, dlat = _offset(lon, lat)
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 degrees back to WGS-84 by fixed-point iteration.

    There is no closed-form inverse. Starting from the GCJ-02 position, each step
    subtracts the forward offset's error; the error shrinks about 200-fold per step
    (one step leaves metres), so the three steps taken leave at most about 0.2 mm.
    Outside China's rough bounding box the coordinates are returned unchanged.
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon, g_lat
    for _ in range(_GCJ_STEPS):
        dlon, dlat = _offset(w_lon, w_lat)
        w_lon = g_lon - dlon
        w_lat = g_lat - dlat
    outside = _out_of_china(g_lon, g_lat)
    return np.where(outside, g_lon, w_lon), np.where(outside, g_lat, w_lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 degrees to BD-09 (Baidu) with Baidu's published formula.

    Applied everywhere, as in the formula itself: Baidu's offset has no China box.
    """
    x, y = _as_arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return np.asarray(z * np.cos(theta) + 0.0065), np.asarray(z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 degrees to GCJ-02: published closed-form inverse, then refined.

    The published inverse evaluates the small sine/cosine terms at the BD-09 position
    instead of the unknown GCJ-02 one, which leaves up to ~0.2 m of error; fixed-point
    correction steps against :func:`gcj02_to_bd09` remove it.
    """
    b_lon, b_lat = _as_arrays(lon, lat)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_BD_STEPS):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        g_lon = g_lon - (f_lon - b_lon)
        g_lat = g_lat - (f_lat - b_lat)
    return np.asarray(g_lon), np.asarray(g_lat)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 degrees to BD-09 through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 degrees to WGS-84 through GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_STEPS = {
    ("wgs84", "gcj02"): (wgs84_to_gcj02,),
    ("gcj02", "wgs84"): (gcj02_to_wgs84,),
    ("gcj02", "bd09"): (gcj02_to_bd09,),
    ("bd09", "gcj02"): (bd09_to_gcj02,),
    ("wgs84", "bd09"): (wgs84_to_gcj02, gcj02_to_bd09),
    ("bd09", "wgs84"): (bd09_to_gcj02, gcj02_to_wgs84),
}


def _check_system(name: str, role: str) -> str:
    key = str(name).lower().replace("-", "").replace("_", "")
    if key not in SYSTEMS:
        raise ValueError(f"unknown {role} coordinate system {name!r}; expected one of {SYSTEMS}")
    return key


def convert(lon, lat, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert longitude/latitude degrees between ``"wgs84"``, ``"gcj02"`` and ``"bd09"``.

    Parameters
    ----------
    lon, lat : float or array_like
        Coordinates in degrees in the ``src`` system.
    src, dst : {"wgs84", "gcj02", "bd09"}
        Source and target systems (case, ``-`` and ``_`` are ignored: "GCJ-02" works).

    Returns
    -------
    (ndarray, ndarray)
        New arrays of longitude and latitude in ``dst``; a copy when ``src == dst``.

    Raises
    ------
    ValueError
        Naming the bad value when ``src`` or ``dst`` is not a known system.
    """
    src_key, dst_key = _check_system(src, "source"), _check_system(dst, "target")
    lon, lat = _as_arrays(lon, lat)
    if src_key == dst_key:
        return lon.copy(), lat.copy()
    for step in _STEPS[(src_key, dst_key)]:
        lon, lat = step(lon, lat)
    return lon, lat


def convert_geometry(data, src: str, dst: str):
    """Convert every coordinate of every geometry between the three systems.

    Parameters
    ----------
    data : GeoSeries or GeoDataFrame
        Geometries of any type whose coordinates are degrees in ``src``. GCJ-02 files
        are usually labelled ``EPSG:4326`` by their readers; the label is kept as is,
        only the numbers change.
    src, dst : {"wgs84", "gcj02", "bd09"}

    Returns
    -------
    GeoSeries or GeoDataFrame
        A copy with converted geometries; Z values are kept, ``data`` is untouched.

    Raises
    ------
    ValueError
        If a system name is unknown, or ``data`` has a projected CRS (its
        coordinates are metres, not degrees).
    """
    _check_system(src, "source")
    _check_system(dst, "target")
    if data.crs is not None and not data.crs.is_geographic:
        raise ValueError("convert_geometry needs longitude/latitude degrees, "
                         f"got a projected CRS ({data.crs.name})")

    def _convert_xy(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, 0], out[:, 1] = convert(coords[:, 0], coords[:, 1], src, dst)
        return out

    # include_z=None keeps 3D geometries 3D; the function only touches x and y.
    converted = shapely.transform(np.asarray(data.geometry.array), _convert_xy,
                                  include_z=None)
    geometry = gpd.GeoSeries(converted, index=data.index, crs=data.crs,
                             name=data.geometry.name)
    if isinstance(data, gpd.GeoDataFrame):
        out = data.copy()
        out[data.geometry.name] = geometry
        return out
    return geometry
