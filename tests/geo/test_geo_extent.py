"""Ring bounds measured on the ground, and coordinates rounded as a WKT round trip keeps them."""

import numpy as np
import pyproj
import pytest
import shapely

import geo

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.mark.parametrize("lat", [0.0, 25.27, 60.0])
def test_ring_bounds_are_the_radius_on_the_ground(lat):
    lon = 110.29
    minx, miny, maxx, maxy = geo.ring_bounds(lon, lat, 300)
    for x, y in ((minx, lat), (maxx, lat), (lon, miny), (lon, maxy)):
        assert GEOD.inv(lon, lat, x, y)[2] == pytest.approx(300, abs=0.01)


def test_ring_bounds_are_wider_in_degrees_away_from_the_equator():
    minx, miny, maxx, maxy = geo.ring_bounds(110.0, 60.0, 1000)
    assert (maxx - minx) == pytest.approx(2 * (maxy - miny), rel=0.01)  # cos 60° = 0.5
    assert geo.ring_bounds(110.0, 25.0, 0) == pytest.approx((110.0, 25.0, 110.0, 25.0))


@pytest.mark.parametrize("radius", [-1.0, float("nan"), float("inf")])
def test_ring_bounds_refuse_a_radius_that_is_no_length(radius):
    with pytest.raises(ValueError, match="radius_m"):
        geo.ring_bounds(110.0, 25.0, radius)


def test_round_coordinates_equals_a_wkt_round_trip():
    rng = np.random.default_rng(7)
    for decimals in (6, 7):
        lines = [shapely.LineString(rng.uniform(100, 130, size=(4, 2))) for _ in range(500)]
        rounded = geo.round_coordinates(np.array(lines, dtype=object), decimals)
        written = shapely.to_wkt(np.array(lines, dtype=object), rounding_precision=decimals)
        assert list(shapely.to_wkt(rounded, rounding_precision=-1)) == list(written)


def test_round_coordinates_keeps_none_and_z():
    assert geo.round_coordinates(None, 3) is None
    point = geo.round_coordinates(shapely.Point(1.23456, 2.5, 3.33333), 2)
    assert point.has_z and shapely.get_coordinates(point, include_z=True).tolist() == [[1.23, 2.5, 3.33]]
    shapes = geo.round_coordinates(np.array([shapely.Point(0.126, 0), None], dtype=object), 2)
    assert shapes[0].equals(shapely.Point(0.13, 0)) and shapes[1] is None
