"""WGS-84 / GCJ-02 / BD-09 conversions against published vectors and round trips."""

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

import geo

pytestmark = pytest.mark.filterwarnings("error:Geometry is in a geographic CRS:UserWarning")

GEOD = pyproj.Geod(ellps="WGS84")

# Test vectors of googollee/eviltransform, python/test.py (TESTS: wgsLat, wgsLng, gcjLat,
# gcjLng), reordered here to lon, lat. That project asserts them to 6 decimals.
EVILTRANSFORM_WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

# Results printed in wandergis/coordtransform, test/app.js, for input (116.404, 39.915);
# that project uses the same Krasovsky constants (a=6378245.0, ee=0.00669342...).
COORDTRANSFORM_IN = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)
COORDTRANSFORM_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)  # one step only


def _metres(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("wgs, gcj", EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform(wgs, gcj):
    lon, lat = geo.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-6)
    assert lat == pytest.approx(gcj[1], abs=1e-6)


@pytest.mark.parametrize("wgs, gcj", EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_recovers_eviltransform_input(wgs, gcj):
    # eviltransform's own "exact" inverse promises 0.5 m; ours is far tighter.
    assert _metres(geo.gcj02_to_wgs84(*gcj), wgs) < 0.01


def test_forward_formulas_match_coordtransform():
    assert geo.wgs84_to_gcj02(*COORDTRANSFORM_IN) == pytest.approx(
        COORDTRANSFORM_WGS84_TO_GCJ02, abs=1e-9)
    assert geo.gcj02_to_bd09(*COORDTRANSFORM_IN) == pytest.approx(
        COORDTRANSFORM_GCJ02_TO_BD09, abs=1e-9)


def test_inverses_near_coordtransform_approximations():
    # coordtransform's inverses are the one-shot approximations (BD-09 closed form,
    # a single GCJ-02 step); ours are refined, so agreement is to their error only.
    assert _metres(geo.bd09_to_gcj02(*COORDTRANSFORM_IN), COORDTRANSFORM_BD09_TO_GCJ02) < 0.3
    assert _metres(geo.gcj02_to_wgs84(*COORDTRANSFORM_IN), COORDTRANSFORM_GCJ02_TO_WGS84) < 5
    # ... and ours are exact inverses of the forward formulas.
    back = geo.gcj02_to_bd09(*geo.bd09_to_gcj02(*COORDTRANSFORM_IN))
    assert _metres(back, COORDTRANSFORM_IN) < 1e-3


def test_guilin_offset_is_about_550_m():
    assert 500 < _metres(geo.wgs84_to_gcj02(110.29, 25.27), (110.29, 25.27)) < 600


@pytest.fixture(scope="module")
def china_grid():
    lon, lat = np.meshgrid(np.arange(73.5, 135.0, 0.5), np.arange(18.0, 53.5, 0.5))
    return lon.ravel(), lat.ravel()


@pytest.mark.parametrize("there, back", [
    (geo.wgs84_to_gcj02, geo.gcj02_to_wgs84),
    (geo.wgs84_to_bd09, geo.bd09_to_wgs84),
    (geo.gcj02_to_bd09, geo.bd09_to_gcj02),
])
def test_round_trip_across_china_well_under_half_a_metre(china_grid, there, back):
    lon, lat = china_grid
    moved = there(lon, lat)
    assert _metres(moved, (lon, lat)).min() > 1  # the offset is really applied
    error = _metres(back(*moved), (lon, lat))
    assert error.max() < 0.005  # brief: < 0.5 m; measured ~0.2 mm


@pytest.mark.parametrize("lon, lat", [(2.35, 48.85), (-74.0, 40.7), (139.69, 35.69),
                                      (151.2, -33.9), (72.0, 30.0), (120.0, 0.5)])
def test_outside_china_gcj02_is_wgs84(lon, lat):
    assert geo.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert geo.gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_scalars_and_arrays_keep_their_shape():
    lon, lat = geo.wgs84_to_gcj02(110.29, 25.27)
    assert lon.shape == () and lat.shape == ()
    lon, lat = geo.bd09_to_wgs84(np.full((2, 3), 110.29), np.full((2, 3), 25.27))
    assert lon.shape == (2, 3) and lat.shape == (2, 3)
    lon, lat = geo.wgs84_to_gcj02([110.29, 2.35], 25.27)  # broadcast
    assert lon.shape == (2,)


def test_inputs_are_not_modified():
    lon, lat = np.array([110.29, 110.3]), np.array([25.27, 25.28])
    before = lon.copy(), lat.copy()
    for src in geo.SYSTEMS:
        for dst in geo.SYSTEMS:
            geo.convert(lon, lat, src, dst)
    assert np.array_equal(lon, before[0]) and np.array_equal(lat, before[1])


def test_convert_dispatches_and_copies():
    lon, lat = np.array([110.29]), np.array([25.27])
    assert np.allclose(geo.convert(lon, lat, "wgs84", "bd09"), geo.wgs84_to_bd09(lon, lat))
    assert np.allclose(geo.convert(lon, lat, "BD-09", "WGS84"), geo.bd09_to_wgs84(lon, lat))
    same = geo.convert(lon, lat, "gcj02", "gcj02")
    assert np.array_equal(same[0], lon) and same[0] is not lon


@pytest.mark.parametrize("src, dst, bad", [("wgs", "gcj02", "wgs"), ("gcj02", "baidu", "baidu")])
def test_convert_names_the_bad_system(src, dst, bad):
    with pytest.raises(ValueError, match=repr(bad)):
        geo.convert(110.0, 25.0, src, dst)


def test_convert_geometry_every_type():
    geoms = gpd.GeoSeries([
        shapely.Point(110.29, 25.27),
        shapely.Point(110.29, 25.27, 150.0),
        shapely.LineString([(110.28, 25.26), (110.30, 25.28)]),
        shapely.Polygon([(110.2, 25.2), (110.3, 25.2), (110.3, 25.3)], holes=[
            [(110.28, 25.21), (110.29, 25.21), (110.29, 25.22)]]),
        shapely.MultiPoint([(110.2, 25.2), (2.35, 48.85)]),
        None,
    ], index=list("abcdef"), crs="EPSG:4326")
    frame = gpd.GeoDataFrame({"code": range(6)}, geometry=geoms, index=geoms.index)
    snapshot = geoms.copy()
    out = geo.convert_geometry(frame, "wgs84", "gcj02")
    assert geoms.geom_equals_exact(snapshot, 0).iloc[:5].all()  # input untouched
    assert list(out.columns) == ["code", "geometry"] and list(out.index) == list("abcdef")
    assert out.crs == frame.crs
    coords_in = shapely.get_coordinates(np.asarray(geoms.array), include_z=True)
    coords_out = shapely.get_coordinates(np.asarray(out.geometry.array), include_z=True)
    expected = np.column_stack(geo.wgs84_to_gcj02(coords_in[:, 0], coords_in[:, 1]))
    assert np.allclose(coords_out[:, :2], expected, rtol=0, atol=1e-12)
    assert out.geometry.iloc[1].has_z and out.geometry.iloc[1].z == 150.0
    assert out.geometry.iloc[5] is None
    back = geo.convert_geometry(out.geometry, "gcj02", "wgs84")
    assert isinstance(back, gpd.GeoSeries)
    assert back.iloc[:5].geom_equals_exact(geoms.iloc[:5], 1e-8).all()


def test_convert_geometry_refuses_projected_data():
    metric = gpd.GeoSeries([shapely.Point(500000, 2800000)], crs="EPSG:32649")
    with pytest.raises(ValueError, match="projected"):
        geo.convert_geometry(metric, "gcj02", "wgs84")
