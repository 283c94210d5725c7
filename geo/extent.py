"""How far a shape reaches: the degree box of a ring measured on the ground, and
coordinates kept to a given number of decimals.

Inputs and outputs are WGS-84 (``EPSG:4326``) longitude/latitude degrees; radii are
metres on the ground (geodesic on the WGS-84 ellipsoid), so a 300 m ring is 300 m
whatever the latitude.
"""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

__all__ = ["ring_bounds", "round_coordinates"]

_GEOD = pyproj.Geod(ellps="WGS84")


def ring_bounds(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """The box around a ring of ``radius_m`` on the ground about a centre.

    Parameters
    ----------
    lon, lat : float
        The centre, WGS-84 degrees.
    radius_m : float
        The ring's radius, metres on the ground (geodesic).

    Returns
    -------
    tuple of float
        ``(minx, miny, maxx, maxy)`` in WGS-84 degrees: the points ``radius_m`` due west,
        south, east and north of the centre. A degree of longitude is shorter than one of
        latitude away from the equator, so the box is wider in degrees than it is tall.

    Raises
    ------
    ValueError
        If ``radius_m`` is negative or not finite.
    """
    if not np.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"radius_m must be a finite length >= 0 m, got {radius_m!r}")
    lons, lats, _ = _GEOD.fwd([lon] * 4, [lat] * 4, [0.0, 90.0, 180.0, 270.0], [radius_m] * 4)
    return min(lons), min(lats), max(lons), max(lats)


def round_coordinates(geometry, decimals: int):
    """Geometries with every coordinate rounded to ``decimals`` places.

    Parameters
    ----------
    geometry : shapely geometry, array-like of them, or None
        Coordinates in degrees (WGS-84) or any other unit; only the numbers change.
    decimals : int
        Places after the decimal point: 7 places of a degree are about 1 cm on the ground,
        6 about 10 cm.

    Returns
    -------
    Same shape as ``geometry``
        New geometries (None stays None; Z values are kept), equal to what reading the
        geometry back from WKT written with ``decimals`` places gives, so a value rounded
        once compares equal to itself after a round trip through a file or the store.
    """
    if geometry is None:
        return None
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals), include_z=None)
