"""Key point-circles: membership by ground distance, circle problems, the state rule."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings, strategies as st

from civmap.circles.state import CircleRule, apply_rule
from civmap.circles.tables import reason_text
from civmap.circles.membership import CircleData, circle_members, circle_problems, load_circle_data, summarise
from civmap.circles.ties import assessment_places, tie_problems
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF

pytestmark = pytest.mark.both_backends

GEOD = pyproj.Geod(ellps="WGS84")
WGS84 = "EPSG:4326"
ALL_KINDS = ("market", "hospital", "transport", "community")


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def demo(demo_store, vocab) -> CircleData:
    return load_circle_data(demo_store, vocab, 300, ALL_KINDS, 100, AS_OF)


# -- the demo city: what the generator placed is what is found ---------------------------
def test_demo_circles_hold_exactly_what_the_generator_placed(demo):
    """353 residential compounds, 40 public toilets and 38 back alleys within 300 m of the 60 centres."""
    assert len(demo.circles) == 60
    groups = demo.members["group"].value_counts()
    assert groups["residential"] == 353
    assert groups["public_toilet"] == 40
    assert groups["back_alley"] == 38
    assert (demo.members["distance_m"] <= 300).all()
    assert not (demo.members["member_id"] == demo.members["centre_id"]).any()


def test_member_coordinates_are_the_nearest_part_at_the_stated_distance(demo):
    members = demo.members
    centres = demo.circles.set_index("id").geometry
    centre = centres.loc[members["circle_id"]]
    measured = GEOD.inv(centre.x.to_numpy(), centre.y.to_numpy(), members["lon"].to_numpy(),
                        members["lat"].to_numpy())[2]
    assert np.allclose(measured, members["distance_m"], atol=0.01)
    # A point member's coordinates are its own; a line member's lie on the line.
    points = members[members.geom_type == "Point"]
    assert np.allclose(points["lon"], points.geometry.x) and np.allclose(points["lat"], points.geometry.y)
    lines = members[members.geom_type == "LineString"]
    assert len(lines) >= 38
    feet = gpd.GeoSeries(gpd.points_from_xy(lines["lon"], lines["lat"]), crs=WGS84).to_crs(32649)
    assert (feet.distance(lines.geometry.to_crs(32649).reset_index(drop=True).set_axis(feet.index)) < 0.01).all()


def test_membership_grows_with_the_radius_and_kinds_choose_circles(demo_store, vocab, demo):
    small = load_circle_data(demo_store, vocab, 150, ALL_KINDS, 100, AS_OF)
    pairs = set(zip(demo.members["circle_id"], demo.members["member_id"]))
    assert set(zip(small.members["circle_id"], small.members["member_id"])) < pairs
    markets = load_circle_data(demo_store, vocab, 300, ("market",), 100, AS_OF)
    assert len(markets.circles) == 32 and set(markets.circles["kind"]) == {"market"}
    assert set(markets.members["circle_id"]) <= set(markets.circles["id"])
    with pytest.raises(ValueError, match="unknown centre kind.*spaceport"):
        load_circle_data(demo_store, vocab, 300, ("spaceport",), 100, AS_OF)
    with pytest.raises(ValueError, match="radius"):
        load_circle_data(demo_store, vocab, 0, ALL_KINDS, 100, AS_OF)


def test_summary_counts_agree_with_the_member_and_problem_tables(demo):
    summary = summarise(demo, CircleRule()).set_index("circle_id")
    per_circle = demo.members.groupby("circle_id").size()
    assert (summary["members"] == per_circle.reindex(summary.index, fill_value=0)).all()
    assert (summary[["n_residential", "n_back_alley", "n_public_toilet", "n_other"]].sum(axis=1)
            == summary["members"]).all()
    open_ = demo.problems[demo.problems["open"]].groupby("circle_id").size()
    assert (summary["open"] == open_.reindex(summary.index, fill_value=0)).all()
    assert (summary["overdue"] <= summary["open"]).all()
    assert set(summary["state"]) == {"met", "not_met"}
    assert (summary.loc[summary["state"] == "met", "reasons"] == ()).all()
    assert (summary.loc[summary["state"] == "not_met", "reasons"].map(len) > 0).all()


def test_a_circles_problems_are_those_tied_to_its_centre_or_members(demo):
    owners = pd.concat([
        pd.DataFrame({"circle_id": demo.circles["id"], "place_id": demo.circles["centre_point_id"]}),
        demo.members[["circle_id", "member_id"]].rename(columns={"member_id": "place_id"}),
    ])
    tied = demo.ties.set_index("problem_id")["place_id"]
    problems = demo.problems
    assert (problems["via"] == "tie").all()  # every demo problem is within 100 m of its point
    pairs = set(zip(owners["circle_id"], owners["place_id"]))
    assert all((c, tied[p]) in pairs for c, p in zip(problems["circle_id"], problems["problem_id"]))


# -- ground truth on synthetic data -------------------------------------------------------
def _fwd(lon, lat, azimuth, metres):
    lon2, lat2, back = GEOD.fwd(lon, lat, azimuth, metres)
    return lon2, lat2, (back + 180.0) % 360.0


def _shape(kind, lon, lat, azimuth, d):
    """A geometry whose nearest part is at geodesic distance ``d`` from (lon, lat)."""
    plon, plat, onward = _fwd(lon, lat, azimuth, d)
    if kind == "point":
        return shapely.Point(plon, plat)
    left = _fwd(plon, plat, onward - 90.0, 120.0)[:2]
    right = _fwd(plon, plat, onward + 90.0, 120.0)[:2]
    if kind == "line":
        return shapely.LineString([left, (plon, plat), right])
    return shapely.Polygon([left, (plon, plat), right, GEOD.fwd(*right, onward, 80.0)[:2],
                            GEOD.fwd(*left, onward, 80.0)[:2]])


def _places(shapes, kinds):
    points = gpd.GeoDataFrame({
        "id": [f"P{i}" for i in range(len(shapes))], "name": "x", "category": "residential",
        "district_code": "D01", "up_to_standard": True,
        "shape": [None if k == "point" else s for s, k in zip(shapes, kinds)],
    }, geometry=[s if k == "point" else s.representative_point() for s, k in zip(shapes, kinds)], crs=WGS84)
    alleys = gpd.GeoDataFrame({"id": [], "name": [], "district_code": [], "state": []},
                              geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return assessment_places(points, alleys)


def _circle(lon, lat):
    return gpd.GeoDataFrame({"id": ["Q1"], "centre_point_id": ["C1"]}, geometry=[shapely.Point(lon, lat)], crs=WGS84)


offsets = st.floats(0.001, 1.0).flatmap(lambda m: st.sampled_from([-m, m]))


@settings(max_examples=120, deadline=None)
@given(lon=st.floats(110.1, 110.5), lat=st.floats(25.1, 25.4), radius=st.sampled_from([150.0, 300.0, 500.0]),
       specs=st.lists(st.tuples(st.sampled_from(["point", "line", "polygon"]), st.floats(0.0, 360.0), offsets),
                      min_size=1, max_size=10))
def test_membership_agrees_with_geodesic_distance_within_a_metre_of_the_radius(lon, lat, radius, specs):
    """Members placed up to a metre inside or outside the ring, anywhere in the city, any shape."""
    shapes = [_shape(kind, lon, lat, az, radius + off) for kind, az, off in specs]
    places = _places(shapes, [k for k, _, _ in specs])
    members = circle_members(_circle(lon, lat), places, radius)
    expected = {f"P{i}" for i, (_, _, off) in enumerate(specs) if off <= 0}
    assert set(members["member_id"]) == expected
    truth = {f"P{i}": radius + off for i, (_, _, off) in enumerate(specs)}
    for member, distance in zip(members["member_id"], members["distance_m"]):
        assert distance == pytest.approx(truth[member], abs=0.01)


def test_an_alley_crossing_the_ring_is_a_member_though_its_ends_are_outside():
    lon, lat = 110.29, 25.27
    near = _fwd(lon, lat, 90.0, 280.0)
    far_a = GEOD.fwd(near[0], near[1], 0.0, 400.0)[:2]
    far_b = GEOD.fwd(near[0], near[1], 180.0, 400.0)[:2]
    line = shapely.LineString([far_a, near[:2], far_b])
    alleys = gpd.GeoDataFrame({"id": ["BJ1"], "name": ["长巷"], "district_code": ["D01"], "state": ["renovated"]},
                              geometry=[line], crs=WGS84)
    points = gpd.GeoDataFrame({"id": ["C1"], "name": ["中心"], "category": ["farmers_market"],
                               "district_code": ["D01"], "up_to_standard": [True], "shape": [None]},
                              geometry=[shapely.Point(lon, lat)], crs=WGS84)
    members = circle_members(_circle(lon, lat), assessment_places(points, alleys), 300)
    assert members["member_id"].tolist() == ["BJ1"]  # the centre is not its own member
    assert members["group"].tolist() == ["back_alley"]
    assert members["distance_m"].iloc[0] == pytest.approx(280.0, abs=0.05)
    assert GEOD.inv(lon, lat, members["lon"].iloc[0], members["lat"].iloc[0])[2] == pytest.approx(280.0, abs=0.05)


def test_a_problem_too_far_from_every_place_still_counts_for_the_ring_it_stands_in(vocab):
    lon, lat = 110.29, 25.27
    circle = _circle(lon, lat)
    places = _places([shapely.Point(lon, lat), shapely.Point(*_fwd(lon, lat, 0.0, 100.0)[:2])], ["point", "point"])
    places.loc[0, "place_id"] = "C1"
    inside_far = _fwd(lon, lat, 180.0, 250.0)[:2]    # in the ring, > 50 m from both places
    near_member = _fwd(lon, lat, 0.0, 110.0)[:2]     # 10 m from the member
    outside = _fwd(lon, lat, 90.0, 600.0)[:2]
    problems = gpd.GeoDataFrame({
        "id": ["W1", "W2", "W3"], "description": "x", "category": "hawking", "source": "street_patrol",
        "status": ["fixing", "fixing", "closed"], "found_on": dt.date(2026, 1, 1),
        "deadline": [dt.date(2000, 1, 1), None, None], "district_code": "D01", "address": None,
        "unit_name": None, "chief_name": None, "point_name": None, "point_id": None,
    }, geometry=[shapely.Point(*inside_far), shapely.Point(*near_member), shapely.Point(*outside)], crs=WGS84)
    problems["lon"], problems["lat"] = problems.geometry.x, problems.geometry.y
    districts = gpd.GeoDataFrame({"code": ["D01"]}, geometry=[shapely.box(110, 25, 111, 26)], crs=WGS84)
    ties = tie_problems(problems, districts, places, 50)
    assert ties["too_far"].tolist() == [True, False, True]
    members = circle_members(circle, places, 300)
    found = circle_problems(circle, members, problems, ties, 300, vocab, AS_OF)
    assert found.set_index("problem_id")["via"].to_dict() == {"W1": "ring", "W2": "tie"}
    assert found.set_index("problem_id")["overdue"].to_dict() == {"W1": True, "W2": False}


# -- the state rule -----------------------------------------------------------------------
def test_rule_parses_prints_and_names_bad_input():
    rule = CircleRule.parse("max_overdue=1; max_open=8, min_standard=85%, alley_states=renovated|renovating")
    assert rule == CircleRule(1, 8, 0.85, ("renovated", "renovating"))
    assert CircleRule.parse(rule.text()) == rule
    assert CircleRule.parse("") == CircleRule()
    with pytest.raises(ValueError, match="CIVMAP_CIRCLE_RULE.*max_open='lots'"):
        CircleRule.parse("max_open=lots", "CIVMAP_CIRCLE_RULE")
    with pytest.raises(ValueError, match="colour"):
        CircleRule.parse("colour=red")
    with pytest.raises(ValueError, match="min_standard"):
        CircleRule.parse("min_standard=1.5")
    with pytest.raises(ValueError, match="max_overdue"):
        CircleRule(max_overdue=-1)
    assert "超期问题不超过 1 个" in rule.describe("zh")
    assert "85%" in rule.describe("en")


def test_rule_decides_each_threshold_and_says_why():
    summary = pd.DataFrame({"overdue": [0, 1, 0, 0, 0], "open": [5, 0, 6, 0, 0],
                            "rated": [10, 10, 10, 10, 0], "up_to_standard": [7, 10, 10, 6, 0]})
    out = apply_rule(summary, CircleRule(max_overdue=0, max_open=5, min_standard=0.7))
    assert out["state"].tolist() == ["met", "not_met", "not_met", "not_met", "met"]
    assert out["reasons"].tolist() == [(), (("overdue", 1, 0),), (("open", 6, 5),), (("standard", 0.6, 0.7),), ()]
    words = [reason_text(r, "zh") for r in out["reasons"]]
    assert words[0] == "" and "超期问题 1 个" in words[1] and "未办结问题 6 个" in words[2] and "60%" in words[3]
    assert "70%" in reason_text(out["reasons"].iloc[3], "en")
    both = reason_text((("overdue", 2, 0), ("open", 9, 5)), "en")
    assert both.count("; ") == 1 and "2" in both and "9" in both
    assert np.isnan(out["standard_share"].iloc[4])  # nothing rated: the share cannot fail


def test_looser_rule_never_fails_more_circles(demo):
    strict = summarise(demo, CircleRule(0, 2, 0.9))
    loose = summarise(demo, CircleRule(3, 10, 0.3))
    assert (strict["state"] == "met").sum() <= (loose["state"] == "met").sum()
    assert ((loose["state"] == "not_met") <= (strict["state"] == "not_met")).all()
