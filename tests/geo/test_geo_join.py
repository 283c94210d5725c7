"""Ground-distance relations: point-circles, nearest targets, nearest parts."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings, strategies as st

import geo

pytestmark = pytest.mark.filterwarnings("error:Geometry is in a geographic CRS:UserWarning")

GEOD = pyproj.Geod(ellps="WGS84")
WGS84 = "EPSG:4326"


def _fwd(lon, lat, azimuth, metres):
    lon2, lat2, back = GEOD.fwd(lon, lat, azimuth, metres)
    return lon2, lat2, (back + 180.0) % 360.0  # azimuth onward at the far end


def _member(kind, lon, lat, azimuth, d, size):
    """A geometry whose nearest part is at geodesic distance ``d`` from (lon, lat).

    The nearest part is a vertex P; lines and polygon edges leave P at right angles to
    the geodesic from the centre, so every other part is farther away.
    """
    plon, plat, onward = _fwd(lon, lat, azimuth, d)
    if kind == "point":
        return shapely.Point(plon, plat)
    left = _fwd(plon, plat, onward - 90.0, size)[:2]
    right = _fwd(plon, plat, onward + 90.0, size)[:2]
    if kind == "line":
        return shapely.LineString([left, (plon, plat), right])
    far_left = GEOD.fwd(*left, onward, size)[:2]
    far_right = GEOD.fwd(*right, onward, size)[:2]
    return shapely.Polygon([left, (plon, plat), right, far_right, far_left])


offsets = st.one_of(st.just(1.0), st.floats(1.0, 30.0)).flatmap(
    lambda m: st.sampled_from([-m, m]))
members_st = st.lists(st.tuples(st.sampled_from(["point", "line", "polygon"]),
                                st.floats(-180.0, 180.0), offsets), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(lon=st.floats(110.1, 110.5), lat=st.floats(25.1, 25.4),
       radius=st.floats(50.0, 1000.0), specs=members_st)
def test_membership_follows_geodesic_distance(lon, lat, radius, specs):
    truth = {f"m{i}": radius + offset for i, (_, _, offset) in enumerate(specs)}
    members = gpd.GeoDataFrame(
        {"kind": [kind for kind, _, _ in specs]},
        geometry=[_member(kind, lon, lat, az, radius + off, size=radius / 2 + 20)
                  for kind, az, off in specs],
        index=list(truth), crs=WGS84)
    centres = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], index=["c"], crs=WGS84)

    pairs = geo.within_distance(centres, members, radius)

    assert set(pairs["member"]) == {m for m, d in truth.items() if d <= radius}
    assert (pairs["centre"] == "c").all()
    for member, distance in zip(pairs["member"], pairs["distance_m"]):
        tolerance = 1e-3 if members.at[member, "kind"] == "point" else 0.05
        assert distance == pytest.approx(truth[member], abs=tolerance)


@settings(max_examples=60, deadline=None)
@given(lon=st.floats(110.1, 110.5), lat=st.floats(25.1, 25.4),
       radius=st.floats(50.0, 1000.0), azimuth=st.floats(-180.0, 180.0), offset=offsets,
       kind=st.sampled_from(["point", "line", "polygon"]))
def test_nearest_point_threshold_follows_geodesic_distance(lon, lat, radius, azimuth,
                                                           offset, kind):
    target = _member(kind, lon, lat, azimuth, radius + offset, size=radius / 2 + 20)
    result = geo.nearest_point(gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84),
                               gpd.GeoSeries([target], index=[7], crs=WGS84), radius)
    assert bool(result["matched"].iloc[0]) == (offset < 0)


def _circle_data(seed=1, n=2000, k=40):
    rng = np.random.default_rng(seed)
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(110.1, 110.5, n), rng.uniform(25.1, 25.4, n)),
        index=[f"p{i}" for i in range(n)], crs=WGS84)
    centres = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(110.1, 110.5, k), rng.uniform(25.1, 25.4, k)),
        index=np.arange(100, 100 + k), crs=WGS84)
    return centres, points


def test_within_distance_equals_brute_force_geodesic():
    centres, points = _circle_data()
    pairs = geo.within_distance(centres, points, 1500)
    c = np.repeat(np.arange(len(centres)), len(points))
    p = np.tile(np.arange(len(points)), len(centres))
    dist = GEOD.inv(centres.geometry.x.values[c], centres.geometry.y.values[c],
                    points.geometry.x.values[p], points.geometry.y.values[p])[2]
    inside = dist <= 1500
    expected = set(zip(centres.index[c[inside]], points.index[p[inside]]))
    assert set(zip(pairs["centre"], pairs["member"])) == expected
    assert len(pairs) == len(expected)
    assert pairs.columns.tolist() == ["centre", "member", "distance_m"]
    assert pairs.groupby("centre", sort=False)["distance_m"].apply(
        lambda d: d.is_monotonic_increasing).all()


def test_within_distance_is_pure_and_deterministic():
    centres, points = _circle_data()
    before = centres.copy(), points.copy()
    first = geo.within_distance(centres, points, 800)
    again = geo.within_distance(centres, points, 800, metric_crs="EPSG:32649")
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(centres, before[0])
    pd.testing.assert_frame_equal(points, before[1])


def test_polygon_around_the_centre_is_at_zero():
    centre = gpd.GeoSeries([shapely.Point(110.29, 25.27)], crs=WGS84)
    square = shapely.box(110.28, 25.26, 110.30, 25.28)
    far = shapely.box(110.40, 25.36, 110.41, 25.37)
    pairs = geo.within_distance(centre, gpd.GeoSeries([square, far], crs=WGS84), 300)
    assert pairs["member"].tolist() == [0] and pairs["distance_m"].tolist() == [0.0]


def test_within_distance_edge_cases():
    centre = gpd.GeoSeries([shapely.Point(110.29, 25.27)], crs=WGS84)
    empty = gpd.GeoSeries([], crs=WGS84)
    assert geo.within_distance(centre, empty, 300).empty
    assert geo.within_distance(empty, centre, 300).empty
    with pytest.raises(ValueError, match="Point"):
        geo.within_distance(gpd.GeoSeries([shapely.box(110, 25, 111, 26)], crs=WGS84),
                            centre, 300)
    with pytest.raises(ValueError, match="geographic"):
        geo.within_distance(centre.to_crs(32649), centre, 300)
    with pytest.raises(ValueError, match="radius_m"):
        geo.within_distance(centre, centre, -1)
    with pytest.raises(ValueError, match="metric_crs"):
        geo.within_distance(centre, centre, 300, metric_crs="EPSG:4326")


def test_nearest_point_one_row_per_point_with_labels():
    centres, points = _circle_data(n=300, k=60)
    result = geo.nearest_point(points, centres, 1000)
    assert result.index.equals(points.index)
    assert result.columns.tolist() == ["target", "distance_m", "matched"]
    assert str(result["target"].dtype) == "Int64"
    matched = result[result["matched"]]
    assert matched["distance_m"].le(1000).all()
    assert result.loc[~result["matched"], "distance_m"].isna().all()
    assert result.loc[~result["matched"], "target"].isna().all()
    # Matches the brute-force geodesic nearest.
    for label, row in matched.head(50).iterrows():
        p = points.geometry[label]
        d = GEOD.inv(np.full(len(centres), p.x), np.full(len(centres), p.y),
                     centres.geometry.x.values, centres.geometry.y.values)[2]
        assert row["target"] == centres.index[np.argmin(d)]
        assert row["distance_m"] == pytest.approx(d.min(), abs=1e-6)


def test_nearest_point_ties_and_misses():
    here = shapely.Point(110.29, 25.27)
    twin = GEOD.fwd(110.29, 25.27, 90.0, 100.0)[:2]
    targets = gpd.GeoSeries([shapely.Point(twin), shapely.Point(twin)], index=["b", "a"],
                            crs=WGS84)
    far = shapely.Point(GEOD.fwd(110.29, 25.27, 0.0, 5000.0)[:2])
    points = gpd.GeoSeries([here, far, None], index=[10, 11, 12], crs=WGS84)
    result = geo.nearest_point(points, targets, 300)
    assert result.loc[10, "target"] == "b"  # the tie goes to the first target
    assert result["matched"].tolist() == [True, False, False]
    assert pd.isna(result.loc[11, "target"]) and np.isnan(result.loc[11, "distance_m"])
    none = geo.nearest_point(points, gpd.GeoSeries([], crs=WGS84), 300)
    assert not none["matched"].any()


def test_nearest_points_to_and_nearest_part():
    centre = shapely.Point(110.29, 25.27)
    plon, plat, onward = _fwd(110.29, 25.27, 30.0, 200.0)
    alley = _member("line", 110.29, 25.27, 30.0, 200.0, size=150.0)
    compound = _member("polygon", 110.29, 25.27, 200.0, 120.0, size=80.0)
    feet = geo.nearest_points_to(gpd.GeoSeries([centre, centre], index=["x", "y"], crs=WGS84),
                                 gpd.GeoSeries([alley, compound], crs=WGS84))
    assert feet.crs.to_epsg() == 4326 and feet.index.tolist() == ["x", "y"]
    assert GEOD.inv(feet["x"].x, feet["x"].y, plon, plat)[2] < 0.01
    assert GEOD.inv(110.29, 25.27, feet["y"].x, feet["y"].y)[2] == pytest.approx(120.0, abs=0.01)
    foot = geo.nearest_part(centre, alley)
    assert foot.equals_exact(feet["x"], 1e-12)
    with pytest.raises(ValueError, match="pair up"):
        geo.nearest_points_to(gpd.GeoSeries([centre], crs=WGS84),
                              gpd.GeoSeries([alley, alley], crs=WGS84))
