"""The demo city: the scale of the source reports, and geometry that tells the truth."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from civmap.demo import generate_city
from civmap.demo.names import pick
from civmap.vocab import load_vocabulary
from geo import within_distance
from tests.conftest import AS_OF, SEED

GEOD = Geod(ellps="WGS84")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def city(demo_store):
    """The tables as the store holds them (what users see), read back once."""
    return {
        "districts": demo_store.districts(),
        "streets": demo_store.areas("street"),
        "points": demo_store.points(),
        "circles": demo_store.circles(),
        "alleys": demo_store.alleys(),
        "problems": demo_store.problems(),
        "events": demo_store.events(),
    }


def test_scale_matches_the_source_reports(city):
    vocab = load_vocabulary()
    assert len(city["districts"]) >= 5
    assert len(vocab.point_categories) >= 38
    assert city["points"]["category"].nunique() >= 35
    assert 3800 <= len(city["points"]) <= 4300
    assert len(city["circles"]) == 60
    assert city["circles"]["kind"].value_counts().to_dict() == {
        "market": 32, "community": 18, "hospital": 5, "transport": 5}
    assert len(city["alleys"]) >= 60
    assert 10_000 <= len(city["problems"]) <= 11_500


def test_every_point_lies_in_its_own_district(city):
    joined = gpd.sjoin(city["points"][["id", "district_code", "geometry"]],
                       city["districts"][["code", "geometry"]], predicate="intersects")
    assert set(joined["id"]) == set(city["points"]["id"])
    agree = joined.groupby("id").apply(lambda g: (g["district_code"] == g["code"]).any())
    assert agree.all()


def test_problems_lie_near_their_points_and_in_their_districts(city):
    problems = city["problems"]
    points = city["points"].set_index("id").loc[problems["point_id"]]
    _, _, dist = GEOD.inv(problems["lon"].to_numpy(), problems["lat"].to_numpy(),
                          points["lon"].to_numpy(), points["lat"].to_numpy())
    assert dist.max() < 60
    inside = gpd.sjoin(problems[["id", "district_code", "geometry"]], city["districts"][["code", "geometry"]],
                       predicate="intersects")
    assert set(inside["id"]) == set(problems["id"])
    assert inside.groupby("id").apply(lambda g: (g["district_code"] == g["code"]).any()).all()


def test_circle_neighbourhoods_hold_the_reported_members(city):
    centres = city["points"].set_index("id").loc[city["circles"]["centre_point_id"]].reset_index()
    members = city["points"][~city["points"]["id"].isin(centres["id"])].reset_index(drop=True)
    pairs = within_distance(centres, members, 300)
    inside = members.loc[pairs["member"].unique(), "category"].value_counts()
    assert inside["residential"] == 353
    assert inside["public_toilet"] == 40
    alley_pairs = within_distance(centres, city["alleys"].reset_index(drop=True), 300)
    assert alley_pairs["member"].nunique() == 38
    # and they are truly within 300 m on the ground
    c = centres.loc[pairs["centre"]]
    m = members.loc[pairs["member"]]
    _, _, dist = GEOD.inv(c["lon"].to_numpy(), c["lat"].to_numpy(), m["lon"].to_numpy(), m["lat"].to_numpy())
    assert (dist <= 300.0).all()


def test_histories_are_whole_and_consistent(city):
    vocab = load_vocabulary()
    events = city["events"].sort_values(["problem_id", "at", "id"])
    first = events.groupby("problem_id").head(1)
    assert first["from_status"].isna().all() and (first["to_status"] == "found").all()
    chained = events["from_status"].iloc[1:].to_numpy() == events["to_status"].iloc[:-1].to_numpy()
    same_problem = events["problem_id"].iloc[1:].to_numpy() == events["problem_id"].iloc[:-1].to_numpy()
    assert chained[same_problem].all(), "each event starts where the previous one ended"
    last = events.groupby("problem_id").tail(1).set_index("problem_id")["to_status"]
    problems = city["problems"].set_index("id")
    assert (problems.loc[last.index, "status"] == last).all()
    assert set(problems["status"]) <= set(vocab.statuses.index)
    assigned = events[events["to_status"] == "assigned"]
    assert assigned["deadline"].notna().all()
    statuses = set(problems["status"])
    assert {"closed", "fixing", "reported"} <= statuses
    assert (events["to_status"] == "reopened").any(), "some problems come back (反弹)"
    assert ((events["from_status"] == "reported") & (events["to_status"] == "fixing")).any(), "some checks fail"
    deadline = pd.to_datetime(problems["deadline"])
    overdue = problems["status"].isin(vocab.statuses_of_type("open")) & (deadline < pd.Timestamp(AS_OF))
    assert overdue.sum() > 50


def test_names_are_chinese(city):
    for frame, column in ((city["points"], "name"), (city["alleys"], "name"), (city["districts"], "name"),
                          (city["problems"], "description"), (city["points"], "chief_name")):
        assert frame[column].map(lambda s: bool(HAN.search(str(s)))).all(), column


def test_alleys_are_lines_along_the_city(city):
    assert (city["alleys"].geom_type == "LineString").all()
    assert city["alleys"]["length_m"].between(100, 600).all()


def test_same_seed_same_city():
    a = generate_city(seed=7, scale=0.05, as_of=AS_OF)
    b = generate_city(seed=7, scale=0.05, as_of=AS_OF)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    c = generate_city(seed=8, scale=0.05, as_of=AS_OF)
    assert not a.tables["points"]["lon"].equals(c.tables["points"]["lon"])


def test_a_pick_is_the_draw_rng_choice_makes():
    """``pick`` replaced ``rng.choice`` for speed: a seed must still give the city it gave."""
    for options in (["一"], ["一", "二"], list("东南西北中"), list(range(250)), (3, 5, 7, 8, 9)):
        a, b = np.random.default_rng(11), np.random.default_rng(11)
        assert [pick(a, options) for _ in range(500)] == [b.choice(options) for _ in range(500)]
        assert a.random() == b.random()  # and the stream goes on the same


def test_scale_multiplies_points_and_problems():
    small = generate_city(seed=SEED, scale=0.1, as_of=AS_OF)
    assert 800 <= len(small.tables["points"]) <= 900   # centres and circle members stay; the rest scale
    assert len(small.tables["problems"]) == 1069
    with pytest.raises(ValueError, match="scale"):
        generate_city(scale=0)
