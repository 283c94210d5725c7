"""Coordinate reference systems: the stored one, the metric one, and guards.

civmap stores every geometry in WGS-84 longitude/latitude (``EPSG:4326``) and measures
ground distances (the 300 m of a key point-circle, buffers, nearest neighbours) in a
metric projected CRS: the UTM zone of the city. Degrees are not a length; the guards
below make a function refuse data in the wrong kind of CRS instead of silently computing
a "distance" of 0.0027 degrees.
"""

from __future__ import annotations

import math
from typing import Union

import geopandas as gpd
import numpy as np
import pyproj

__all__ = ["WGS84", "metric_crs", "to_metric", "require_geographic", "require_projected"]

WGS84 = "EPSG:4326"

GeoData = Union[gpd.GeoDataFrame, gpd.GeoSeries]


def _describe(crs: pyproj.CRS | None) -> str:
    if crs is None:
        return "no CRS"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def require_geographic(data: GeoData, what: str = "input") -> None:
    """Raise unless ``data`` has a geographic (longitude/latitude) CRS.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Data expected in degrees, normally WGS-84 (``EPSG:4326``).
    what : str, default "input"
        Name of the argument, used in the error message.

    Raises
    ------
    ValueError
        If the CRS is missing or projected. A missing CRS is an error rather than an
        assumption because GCJ-02 and BD-09 data also look like plain degrees: guessing
        WGS-84 would shift points by hundreds of metres without any warning.
    """
    crs = data.crs
    if crs is None:
        raise ValueError(
            f"{what} has no CRS; set it explicitly (civmap stores WGS-84, "
            f"{WGS84}) with .set_crs() after converting any GCJ-02/BD-09 coordinates")
    if not crs.is_geographic:
        raise ValueError(
            f"{what} must be in a geographic CRS such as {WGS84} (degrees), "
            f"got projected {_describe(crs)}; use .to_crs('{WGS84}') first")


def require_projected(data: GeoData, what: str = "input") -> None:
    """Raise unless ``data`` has a projected CRS whose unit is the metre.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Data about to be measured (distances, buffers, areas).
    what : str, default "input"
        Name of the argument, used in the error message.

    Raises
    ------
    ValueError
        If the CRS is missing, geographic (degrees), or projected in another unit
        (e.g. US feet), since every length in civmap is in metres.
    """
    crs = data.crs
    if crs is None:
        raise ValueError(f"{what} has no CRS; cannot measure metres without one")
    if not crs.is_projected:
        raise ValueError(
            f"{what} is in geographic {_describe(crs)} (degrees); project it to a metric "
            f"CRS first, e.g. geo.to_metric(data)")
    units = {axis.unit_name for axis in crs.axis_info}
    if units and units != {"metre"}:
        raise ValueError(f"{what} CRS {_describe(crs)} is in {sorted(units)}, not metres")


def _lonlat_centre(data: GeoData | tuple) -> tuple[float, float]:
    if isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)):
        require_geographic(data)
        if data.is_empty.all():
            raise ValueError("cannot choose a metric CRS for empty geometries")
        minx, miny, maxx, maxy = data.total_bounds
        if not data.crs.equals(pyproj.CRS(WGS84)):
            # Another geographic CRS (e.g. CGCS2000, EPSG:4490): express its box in
            # WGS-84 so the zone number is computed from true longitudes.
            minx, miny, maxx, maxy = pyproj.Transformer.from_crs(
                data.crs, WGS84, always_xy=True).transform_bounds(minx, miny, maxx, maxy)
        return (minx + maxx) / 2.0, (miny + maxy) / 2.0
    values = np.asarray(data, dtype=float).ravel()
    if values.size == 2:
        return float(values[0]), float(values[1])
    if values.size == 4:
        return (values[0] + values[2]) / 2.0, (values[1] + values[3]) / 2.0
    raise ValueError(
        f"expected a GeoDataFrame/GeoSeries, a (lon, lat) pair or "
        f"(minx, miny, maxx, maxy) bounds in degrees, got {data!r}")


def metric_crs(data: GeoData | tuple) -> pyproj.CRS:
    """Choose the WGS-84 UTM zone for the centre of ``data``.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries, (lon, lat) or (minx, miny, maxx, maxy)
        Geometries in a geographic CRS (normally ``EPSG:4326``), or a point or
        bounding box in WGS-84 degrees.

    Returns
    -------
    pyproj.CRS
        ``EPSG:326zz`` north of the equator, ``EPSG:327zz`` south of it, where ``zz`` is
        the 6-degree zone of the centre of the bounding box (Guilin, 110.29E 25.27N:
        ``EPSG:32649``).

    Notes
    -----
    UTM is conformal and its scale error stays under 0.1 % within a zone (0.9996 on the
    central meridian, about 1.0007 at the zone's edge at Chinese latitudes): at 300 m
    that is under 0.3 m, which is why one zone serves a whole city. The Norway and
    Svalbard exceptions to the zone grid are ignored: civmap maps Chinese cities.
    """
    lon, lat = _lonlat_centre(data)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"centre ({lon}, {lat}) is not a WGS-84 longitude/latitude")
    zone = min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_metric(data: GeoData, crs: pyproj.CRS | str | None = None) -> GeoData:
    """Return a copy of ``data`` projected to a metric CRS.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Geometries with a CRS set (normally ``EPSG:4326``).
    crs : pyproj.CRS or str, optional
        Target CRS in metres. Default: :func:`metric_crs` of ``data``. Pass the city's
        CRS when several frames must be measured against each other, so they share it.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A new object; ``data`` is not modified.
    """
    if data.crs is None:
        raise ValueError("input has no CRS; cannot project it")
    if crs is None:
        crs = metric_crs(data if data.crs.is_geographic else data.to_crs(WGS84))
    out = data.to_crs(crs)
    require_projected(out, "target CRS")
    return out
