"""The circle map as built in Python, and the GCJ-02 shift of every map for AMap tiles."""

import json
import re

import numpy as np
import pyproj
import pytest

import geo
from civmap.circles.map import CircleView, build_circle_map
from civmap.circles.membership import load_circle_data
from civmap.maps.folium_map import MapLayers, TileConfig, build_map, render_html
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF

GEOD = pyproj.Geod(ellps="WGS84")
ALL_KINDS = ("market", "hospital", "transport", "community")


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def city(demo_store, vocab):
    data = load_circle_data(demo_store, vocab, 300, ALL_KINDS, 100, AS_OF)
    return demo_store.districts(), demo_store.points(), demo_store.alleys(), data


def _view(city, circle_id) -> CircleView:
    districts, points, alleys, data = city
    members = data.members[data.members["circle_id"] == circle_id]
    problems = data.problems[(data.problems["circle_id"] == circle_id) & data.problems["open"]]
    return CircleView(districts, data.circles[data.circles["id"] == circle_id], members,
                      points[points["id"].isin(members["member_id"])], alleys[alleys["id"].isin(members["member_id"])],
                      problems)


def _with_alleys(city) -> str:
    members = city[3].members
    return members.loc[members["place_type"] == "alley", "circle_id"].iloc[0]


def _batches(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"civmapDraw\([\w_]+, [\w_]+, (\{.*?\})\);\n", html)]


def test_circle_map_draws_ring_centre_members_and_open_problems(city, vocab):
    view = _view(city, _with_alleys(city))
    html = render_html(build_circle_map(view, vocab, "zh", AS_OF, "/app/static"))
    batches = _batches(html)
    rings = [b for b in batches if b["kind"] == "circle"]
    assert len(rings) == 1 and len(rings[0]["rows"]) == 1 and rings[0]["circleRadius"] == 300
    lines = [b for b in batches if b["kind"] == "line"]
    is_line = view.members.geom_type == "LineString"
    assert sum(len(b["rows"]) for b in lines) == is_line.sum() > 0
    point_rows = sorted(len(b["rows"]) for b in batches if b["kind"] == "point")
    assert point_rows == sorted([1, (~is_line).sum(), len(view.problems)] if len(view.problems) else
                                [1, (~is_line).sum()])
    assert "半径 300 米" in html and "圈内成员" in html
    assert not re.findall(r"""(?:src|href)=["']https?://""", html)
    assert "flyToBounds" in html


def test_members_are_coloured_by_kind(city, vocab):
    view = _view(city, _with_alleys(city))
    batches = _batches(render_html(build_circle_map(view, vocab, "zh", AS_OF, "/app/static")))
    colors = vocab.colors("point_categories")
    lines = next(b for b in batches if b["kind"] == "line")
    assert lines["styles"][lines["rows"][0][1]]["color"] in {colors["back_alley"], colors["arterial_road"],
                                                            colors["commercial_street"]}
    alley_style = list(colors).index("back_alley")
    assert lines["styles"][alley_style]["color"] == colors["back_alley"]


def _first_ring_centre(html: str) -> tuple[float, float]:
    ring = next(b for b in _batches(html) if b["kind"] == "circle")
    lat, lon = ring["rows"][0][0]
    return lon, lat


def _first_point(html: str, n_rows: int) -> tuple[float, float]:
    batch = next(b for b in _batches(html) if b["kind"] == "point" and len(b["rows"]) == n_rows)
    lat, lon = batch["rows"][0][0]
    return lon, lat


@pytest.mark.parametrize("provider,shifted", [("amap", True), ("osm", False), ("tianditu", False), ("none", False)])
def test_circle_map_is_shifted_onto_gcj02_tiles_only(city, vocab, provider, shifted):
    view = _view(city, "QY001")
    centre = view.circle.geometry.iloc[0]
    html = render_html(build_circle_map(view, vocab, "zh", AS_OF, "/app/static",
                                        tiles=TileConfig(provider, key="k"), fly=False))
    drawn = _first_ring_centre(html)
    expected = geo.wgs84_to_gcj02(centre.x, centre.y) if shifted else (centre.x, centre.y)
    assert drawn == pytest.approx((round(float(expected[0]), 6), round(float(expected[1]), 6)), abs=2e-6)
    moved = GEOD.inv(centre.x, centre.y, *drawn)[2]
    assert (moved > 100) if shifted else (moved < 0.2)


@pytest.mark.parametrize("provider,shifted", [("amap", True), ("osm", False), ("tianditu", False)])
def test_city_map_layers_are_shifted_onto_gcj02_tiles_only(demo_store, vocab, provider, shifted):
    points = demo_store.points().head(50)
    layers = MapLayers(demo_store.districts(), points, demo_store.circles().head(3), demo_store.alleys().head(3),
                       demo_store.problems().head(0))
    html = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static", tiles=TileConfig(provider, key="k")))
    lon, lat = points.geometry.iloc[0].x, points.geometry.iloc[0].y
    drawn = _first_point(html, len(points))
    gcj = tuple(float(v) for v in geo.wgs84_to_gcj02(lon, lat))
    offset = GEOD.inv(lon, lat, *gcj)[2]
    assert 100 < offset < 1000  # the GCJ-02 offset here is a few hundred metres
    expected = gcj if shifted else (lon, lat)
    assert np.allclose(drawn, expected, atol=2e-6)


def test_a_circle_map_needs_exactly_one_circle(city, vocab):
    view = _view(city, "QY001")
    empty = CircleView(view.districts, view.circle.iloc[:0], view.members, view.points, view.alleys, view.problems)
    with pytest.raises(ValueError, match="one circle"):
        build_circle_map(empty, vocab, "zh", AS_OF, "/app/static")
