"""Area assignment, sampling inside a polygon, Voronoi districts."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo

pytestmark = pytest.mark.filterwarnings("error:Geometry is in a geographic CRS:UserWarning")

WGS84 = "EPSG:4326"


@pytest.fixture
def two_squares():
    # Listed with the larger code first, so "first by sorted code" is not "first row".
    return gpd.GeoDataFrame({"code": ["450302", "450301"]},
                            geometry=[shapely.box(110.2, 25.2, 110.3, 25.3),
                                      shapely.box(110.1, 25.2, 110.2, 25.3)], crs=WGS84)


def test_border_point_goes_to_exactly_one_area(two_squares):
    points = gpd.GeoSeries([
        shapely.Point(110.2, 25.25),   # on the shared edge
        shapely.Point(110.2, 25.3),    # shared corner on the outer edge
        shapely.Point(110.25, 25.25),  # inside 450302
        shapely.Point(110.15, 25.25),  # inside 450301
        shapely.Point(110.5, 25.5),    # outside both
        None,
    ], index=list("abcdef"), crs=WGS84)
    result = geo.assign_area(points, two_squares, "code")
    assert result.index.tolist() == list("abcdef") and result.name == "code"
    assert result.iloc[:4].tolist() == ["450301", "450301", "450302", "450301"]
    assert result.iloc[4:].isna().all()
    swapped = two_squares.iloc[::-1].reset_index(drop=True)
    pd.testing.assert_series_equal(geo.assign_area(points, swapped, "code"), result)


def test_integer_codes_stay_integer(two_squares):
    areas = two_squares.assign(code=[2, 1])
    points = gpd.GeoSeries([shapely.Point(110.2, 25.25), shapely.Point(0, 0)], crs=WGS84)
    result = geo.assign_area(points, areas, "code")
    assert str(result.dtype) == "Int64" and result.tolist()[0] == 1 and pd.isna(result[1])


def test_assign_area_checks(two_squares):
    points = gpd.GeoSeries([shapely.Point(110.2, 25.25)], crs=WGS84)
    with pytest.raises(ValueError, match="share a CRS"):
        geo.assign_area(points.to_crs(32649), two_squares, "code")
    with pytest.raises(ValueError, match="no column"):
        geo.assign_area(points, two_squares, "name")
    before = two_squares.copy()
    geo.assign_area(points, two_squares, "code")
    pd.testing.assert_frame_equal(two_squares, before)


OUTLINE = shapely.Polygon([(110.12, 25.12), (110.45, 25.15), (110.48, 25.38),
                           (110.3, 25.41), (110.15, 25.33)])


def test_random_points_in_polygon():
    fresh = shapely.Polygon(OUTLINE.exterior)
    geo.random_points_in(fresh, 10, 0)
    assert not shapely.is_prepared(fresh)  # the caller's polygon is untouched
    pts = geo.random_points_in(OUTLINE, 5000, np.random.default_rng(3))
    assert pts.shape == (5000, 2)
    assert shapely.contains_xy(OUTLINE, pts[:, 0], pts[:, 1]).all()
    assert np.array_equal(pts, geo.random_points_in(OUTLINE, 5000, 3))  # seedable
    # Uniform: the share falling in the west half matches its share of the area.
    west = shapely.intersection(OUTLINE, shapely.box(110, 25, 110.3, 26))
    share = shapely.contains_xy(west, pts[:, 0], pts[:, 1]).mean()
    assert share == pytest.approx(west.area / OUTLINE.area, abs=0.03)
    assert geo.random_points_in(OUTLINE, 0, 1).shape == (0, 2)
    with pytest.raises(ValueError):
        geo.random_points_in(shapely.LineString([(0, 0), (1, 1)]), 5, 1)


def test_voronoi_partitions_the_outline():
    xy = geo.random_points_in(OUTLINE, 12, 7)
    seeds = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                          index=[f"d{i}" for i in range(12)], crs=WGS84)
    cells = geo.voronoi_districts(seeds, OUTLINE)
    assert cells.index.equals(seeds.index) and cells.crs == seeds.crs
    polys = np.asarray(cells.array)
    # Planar areas on purpose: this checks a partition, not a ground area.
    areas = shapely.area(polys)
    assert (areas > 0).all()
    assert areas.sum() == pytest.approx(OUTLINE.area, rel=1e-9)
    union = shapely.union_all(polys)
    assert shapely.area(shapely.symmetric_difference(union, OUTLINE)) < 1e-9 * OUTLINE.area
    assert shapely.contains(polys, np.asarray(seeds.array)).all()  # each seed in its own cell


def test_voronoi_cells_follow_ground_distance():
    # Two seeds 0.1 degrees apart east-west; with cos(latitude) scaling the dividing
    # line sits midway, and a point just east of it is in the eastern cell.
    seeds = gpd.GeoSeries([shapely.Point(110.2, 25.25), shapely.Point(110.3, 25.25)], crs=WGS84)
    cells = geo.voronoi_districts(seeds, OUTLINE)
    assert cells.iloc[1].contains(shapely.Point(110.2501, 25.25))
    assert cells.iloc[0].contains(shapely.Point(110.2499, 25.25))


def test_voronoi_plain_arrays_and_checks():
    square = shapely.box(0, 0, 10, 10)
    cells = geo.voronoi_districts([(2, 2), (8, 8), (2, 8)], square)
    assert cells.crs is None and len(cells) == 3
    assert shapely.area(np.asarray(cells.array)).sum() == pytest.approx(100.0)
    assert geo.voronoi_districts([(5, 5)], square).iloc[0].equals(square)
    with pytest.raises(ValueError, match="distinct"):
        geo.voronoi_districts([(2, 2), (2, 2)], square)
