"""Problem ties: district by containment (one district on a border), place by nearest ground distance."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings, strategies as st

from civmap.config import load_settings
from civmap.circles.ties import assessment_places, tie_problems, tie_summary

GEOD = pyproj.Geod(ellps="WGS84")
WGS84 = "EPSG:4326"


@pytest.fixture(scope="module")
def city(demo_store):
    points, alleys = demo_store.points(), demo_store.alleys()
    return demo_store.districts(), assessment_places(points, alleys), demo_store.problems()


def _problems(xy, ledger_district=None, ledger_point=None) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame({"id": [f"W{i}" for i in range(len(xy))], "district_code": ledger_district,
                             "point_id": ledger_point}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84)


def test_demo_problems_tie_to_their_district_and_a_place_nearby(city):
    districts, places, problems = city
    ties = tie_problems(problems, districts, places, 100)
    assert len(ties) == len(problems) and ties["problem_id"].tolist() == problems["id"].tolist()
    counts = tie_summary(ties)
    assert counts["too_far"] == 0 and counts["outside"] == 0 and counts["district_differs"] == 0
    assert (ties["distance_m"] <= 100).all()
    # The generator put each problem within 50 m of its ledger point; the nearest place is
    # that point or one nearer still.
    ledger = places[places["place_type"] == "point"].set_index("place_id").geometry
    own = ledger.loc[problems["point_id"]].to_crs(32649).reset_index(drop=True)
    to_own = problems.geometry.to_crs(32649).reset_index(drop=True).distance(own)
    assert (ties["distance_m"] <= to_own + 0.5).all()
    assert ((ties["place_id"] == problems["point_id"]) | ties["point_differs"]).all()


def test_a_problem_too_far_from_every_place_is_flagged_not_attached(city):
    districts, places, _ = city
    inside = districts.geometry.iloc[0].representative_point()
    near_place = places.geometry.iloc[0]
    problems = _problems([(near_place.x, near_place.y), (inside.x, inside.y), (120.0, 30.0)],
                         ledger_point=["X", "X", "X"])
    ties = tie_problems(problems, districts, places, 0.5)
    assert ties["too_far"].iloc[0] == False  # noqa: E712 (numpy bool)
    assert ties["place_id"].iloc[0] == places["place_id"].iloc[0]
    far = ties.iloc[2]
    assert far["too_far"] and far["outside"] and pd.isna(far["place_id"]) and np.isnan(far["distance_m"])
    assert not ties["point_differs"].iloc[2]  # untied: flagged as too far, not as a disagreement



def test_flagged_ties_are_listed_with_their_reason_in_the_ui_language(city):
    from civmap.circles.tables import flagged_ties

    districts, places, _ = city
    near_place = places.geometry.iloc[0]
    names = districts.set_index("code")["name"].to_dict()
    by_code = districts.set_index("code").geometry
    own = next(code for code in names if by_code[code].contains(near_place))
    other = next(code for code in names if code != own)
    problems = _problems([(near_place.x, near_place.y), (near_place.x, near_place.y), (120.0, 30.0)],
                         ledger_district=[own, other, None], ledger_point=["X", "X", "X"])
    ties = tie_problems(problems, districts, places, 0.5)
    table = flagged_ties(ties, names, "zh")
    assert table["编号"].tolist() == ["W1", "W2"]  # W0 is only nearer another point: counted, not listed
    assert table["需核查原因"].tolist() == ["所属区与台账不符", "距所有点位过远、不在任何区内"]
    assert table["台账所属区"].iloc[0] == names[other]
    english = flagged_ties(ties, names, "en")
    assert english["What to check"].iloc[1] == "Too far from every place, In no district"

def test_a_problem_beside_an_alley_ties_to_the_alley(city):
    districts, places, _ = city
    alley = places[places["place_type"] == "alley"].iloc[0]
    middle = alley.geometry.interpolate(0.5, normalized=True)
    ties = tie_problems(_problems([(middle.x, middle.y)]), districts, places, 30)
    assert (ties["place_type"].iloc[0], ties["place_id"].iloc[0]) == ("alley", alley["place_id"])
    assert ties["distance_m"].iloc[0] < 0.01


def _shared_vertices(districts):
    """Vertices that lie on two or more district boundaries."""
    out = []
    for i, a in enumerate(districts.geometry):
        for b in districts.geometry.iloc[i + 1:]:
            shared = a.boundary.intersection(b.boundary)
            if not shared.is_empty:
                out.extend(shapely.get_coordinates(shared).tolist())
    return np.unique(np.round(out, 12), axis=0)


def test_points_on_a_district_boundary_go_to_exactly_one_district(city):
    districts, places, _ = city
    vertices = _shared_vertices(districts)
    assert len(vertices) >= 5
    problems = _problems(vertices)
    touching = [districts.code[districts.intersects(shapely.Point(xy))].tolist() for xy in vertices]
    assert all(len(codes) >= 2 for codes in touching)  # truly on a border
    first = tie_problems(problems, districts, places, 100)
    again = tie_problems(problems, districts.iloc[::-1], places, 100)
    assert first["district_code"].notna().all()
    assert first["district_code"].tolist() == [min(codes) for codes in touching]
    assert again["district_code"].tolist() == first["district_code"].tolist()  # order does not matter


def test_a_point_on_an_exact_shared_edge_or_corner_goes_to_one_district():
    # Four squares meeting at (110.3, 25.3); the codes are not in spatial order on purpose.
    squares = {"D04": (110.2, 25.2), "D02": (110.3, 25.2), "D03": (110.2, 25.3), "D01": (110.3, 25.3)}
    districts = gpd.GeoDataFrame({"code": list(squares)},
                                 geometry=[shapely.box(x, y, x + 0.1, y + 0.1) for x, y in squares.values()],
                                 crs=WGS84)
    on_edges = [(110.3, 25.25), (110.25, 25.3), (110.3, 25.3), (110.35, 25.3), (110.3, 25.35)]
    places = gpd.GeoDataFrame({"place_type": ["point"], "place_id": ["P"]},
                              geometry=[shapely.Point(110.3, 25.3)], crs=WGS84)
    ties = tie_problems(_problems(on_edges), districts, places, 50_000)
    assert ties["district_code"].tolist() == ["D02", "D03", "D01", "D01", "D01"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_points_along_a_shared_border_never_fall_between_or_in_two(data, demo_store):
    districts = demo_store.districts()
    pairs = [(a, b) for a in range(len(districts)) for b in range(a + 1, len(districts))
             if districts.geometry.iloc[a].touches(districts.geometry.iloc[b])]
    a, b = data.draw(st.sampled_from(pairs))
    border = districts.geometry.iloc[a].boundary.intersection(districts.geometry.iloc[b].boundary)
    where = data.draw(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20))
    on_border = [border.interpolate(f, normalized=True) for f in where]
    problems = _problems([(p.x, p.y) for p in on_border])
    places = gpd.GeoDataFrame({"place_type": ["point"], "place_id": ["P"]}, geometry=[on_border[0]], crs=WGS84)
    ties = tie_problems(problems, districts, places, 10_000)
    assert ties["district_code"].notna().all()
    for point, code in zip(on_border, ties["district_code"]):
        touching = districts.code[districts.intersects(point)].tolist()
        # On the border of a and b (or at a junction with a third district): one of them, the smallest.
        assert code == min(touching) and code in touching


def test_ties_measure_ground_distance_not_degrees():
    lon, lat = 110.29, 25.27
    east = GEOD.fwd(lon, lat, 90.0, 90.0)[:2]     # 90 m east: fewer metres per degree of longitude
    north = GEOD.fwd(lon, lat, 0.0, 95.0)[:2]     # 95 m north
    places = gpd.GeoDataFrame({"place_type": ["point", "point"], "place_id": ["E", "N"]},
                              geometry=[shapely.Point(*east), shapely.Point(*north)], crs=WGS84)
    districts = gpd.GeoDataFrame({"code": ["D01"]}, geometry=[shapely.box(110, 25, 111, 26)], crs=WGS84)
    ties = tie_problems(_problems([(lon, lat)]), districts, places, 92)
    assert ties["place_id"].iloc[0] == "E"
    assert ties["distance_m"].iloc[0] == pytest.approx(90.0, abs=0.01)
    # In degrees the east point is the farther one (0.000893 vs 0.000858): a degree-based tie would pick N.
    assert abs(east[0] - lon) > abs(north[1] - lat)


def test_tie_distance_is_a_setting_with_a_clear_error():
    assert load_settings({}).tie_distance_m == 100.0
    assert load_settings({"CIVMAP_TIE_DISTANCE_M": "50"}).tie_distance_m == 50.0
    with pytest.raises(ValueError, match="CIVMAP_TIE_DISTANCE_M"):
        load_settings({"CIVMAP_TIE_DISTANCE_M": "far"})
    with pytest.raises(ValueError, match="CIVMAP_TIE_DISTANCE_M"):
        load_settings({"CIVMAP_TIE_DISTANCE_M": "-1"})
