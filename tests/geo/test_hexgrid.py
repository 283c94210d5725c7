"""The hexagon grid: cells by rounding agree with a brute-force polygon count, in metres."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo


def test_each_point_falls_in_its_own_hexagon_and_counts_match_brute_force():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-3000, 3000, 4000), rng.uniform(-2000, 2000, 4000)
    size = 500.0
    q, r = geo.hex_index(x, y, size)
    cells = sorted(set(zip(q.tolist(), r.tolist())))
    polygons = geo.hex_polygons([c[0] for c in cells], [c[1] for c in cells], size)
    brute = [int(shapely.covers(polygon, shapely.points(x, y)).sum()) for polygon in polygons]
    counted = {cell: 0 for cell in cells}
    for cell in zip(q.tolist(), r.tolist()):
        counted[cell] += 1
    assert [counted[c] for c in cells] == brute  # no point lies on an edge with random floats
    assert sum(brute) == len(x)
    # the nearest centre, brute force, is the cell's centre
    cx, cy = geo.hex_centres(q, r, size)
    for i in range(0, 4000, 97):
        near_q, near_r = np.meshgrid(np.arange(q[i] - 2, q[i] + 3), np.arange(r[i] - 2, r[i] + 3))
        ax, ay = geo.hex_centres(near_q.ravel(), near_r.ravel(), size)
        best = np.argmin((ax - x[i]) ** 2 + (ay - y[i]) ** 2)
        assert (near_q.ravel()[best], near_r.ravel()[best]) == (q[i], r[i])
        assert np.hypot(cx[i] - x[i], cy[i] - y[i]) <= size / np.sqrt(3) + 1e-9


def test_size_is_the_distance_between_neighbouring_centres():
    cx, cy = geo.hex_centres([0, 1, 0], [0, 0, 1], 300)
    assert np.hypot(cx[1] - cx[0], cy[1] - cy[0]) == pytest.approx(300)
    assert np.hypot(cx[2] - cx[0], cy[2] - cy[0]) == pytest.approx(300)
    hexagon = geo.hex_polygons([0], [0], 300)[0]
    assert hexagon.area == pytest.approx(np.sqrt(3) / 2 * 300 ** 2)  # a hexagon of width w has area √3/2·w²


def test_hex_counts_on_the_ground_in_wgs84():
    centre = (110.29, 25.27)
    crs = geo.metric_crs(centre)
    rng = np.random.default_rng(3)
    metric = gpd.GeoSeries(gpd.points_from_xy(rng.uniform(-2000, 2000, 500), rng.uniform(-2000, 2000, 500)), crs=crs)
    base = gpd.GeoSeries.from_xy([centre[0]], [centre[1]], crs=geo.WGS84).to_crs(crs)
    shifted = metric.translate(base.x.iloc[0], base.y.iloc[0]).to_crs(geo.WGS84)
    points = gpd.GeoDataFrame({"kind": ["a", "b"] * 250}, geometry=shifted, crs=geo.WGS84)
    cells = geo.hex_counts(points, 800, crs=crs, by="kind")
    assert cells.crs == geo.WGS84 and int(cells["count"].sum()) == 500
    assert (cells["count_a"] + cells["count_b"] == cells["count"]).all()
    inside = gpd.sjoin(points, cells[["geometry"]], predicate="within")
    assert len(inside) >= 495  # edges of reprojected hexagons differ by centimetres
    assert len(geo.hex_counts(points.iloc[:0], 800)) == 0
    with pytest.raises(ValueError, match="degrees"):
        geo.hex_counts(points.to_crs(crs), 800)
    with pytest.raises(ValueError, match="positive"):
        geo.hex_index([0], [0], 0)
