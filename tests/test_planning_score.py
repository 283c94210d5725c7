"""The priority score and each of its parts, on small hand-made frames with known answers."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from civmap.planning.facts import place_facts, problem_rounds, repeat_failures
from civmap.planning.rank import places_of, rank_places
from civmap.planning.score import breakdown, score_places
from civmap.planning.tables import PARTS, category_weights, check_weights, district_quotas, part_coefficients
from civmap.progress.timeline import build_timeline
from civmap.vocab import VOCAB_DIR, load_vocabulary

VOCAB = load_vocabulary()
AS_OF = dt.date(2026, 6, 30)
COEFFICIENTS = {"standard": 10, "repeat": 10, "open": 1, "overdue": 2, "age": 1, "rebound": 5}
WEIGHTS = {"farmers_market": 2.0}


def _points():
    return pd.DataFrame({
        "id": ["P1", "P2", "P3"], "name": ["菜市场", "小区", "学校"],
        "category": ["farmers_market", "residential", "school"], "district_code": ["D01", "D01", "D02"],
        "unit_code": ["U1", "U1", None], "unit_name": ["一街道", "一街道", None],
        "chief_name": ["甲", "乙", None], "chief_phone": ["1", "2", None],
        "score_rate": [0.6, 0.9, np.nan], "up_to_standard": pd.array([False, True, pd.NA], dtype="boolean"),
    })


def _alleys():
    return pd.DataFrame({"id": ["A1", "A2"], "name": ["一巷", "二巷"], "district_code": ["D01", "D02"],
                         "state": ["unrenovated", "renovated"], "unit_code": ["U1", "U2"],
                         "unit_name": ["一街道", "二街道"], "chief_name": ["丙", "丁"], "chief_phone": ["3", "4"]})


def _inspections():
    return pd.DataFrame({
        "point_id": ["P1", "P1", "P1", "P2"],
        "date": [dt.date(2025, 10, 1), dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 2)],
        "score_rate": [0.7, 0.85, 0.6, 0.9], "up_to_standard": [False, True, False, True]})


def _problems():
    return pd.DataFrame({
        "id": ["q1", "q2", "q3", "q4"], "status": ["assigned", "closed", "fixing", "found"],
        "found_on": [dt.date(2026, 6, 15), dt.date(2026, 1, 1), dt.date(2025, 12, 1), dt.date(2026, 6, 1)],
        "deadline": [dt.date(2026, 6, 20), None, None, None], "district_code": ["D01", "D01", "D01", "D02"],
        "category": ["street_vending"] * 4})


def _events():
    rows = [("q1", "2026-06-15 09:00", "found"), ("q1", "2026-06-15 10:00", "assigned"),
            ("q2", "2026-01-01 09:00", "found"), ("q2", "2026-01-05 09:00", "closed"),
            ("q2", "2026-02-01 09:00", "reopened"), ("q2", "2026-02-03 09:00", "closed"),
            ("q3", "2025-12-01 09:00", "found"), ("q3", "2025-12-02 09:00", "fixing"),
            ("q4", "2026-06-01 09:00", "found")]
    frame = pd.DataFrame(rows, columns=["problem_id", "at", "to_status"])
    frame["at"] = pd.to_datetime(frame["at"])
    frame["deadline"] = [None, dt.date(2026, 6, 20), None, None, None, None, None, None, None]
    return frame


def _ties():
    return pd.DataFrame({"place_type": ["point", "point", "alley", None], "place_id": ["P1", "P1", "A1", None]})


def _facts():
    rounds = problem_rounds(build_timeline(_problems(), _events(), VOCAB))
    return place_facts(_points(), _alleys(), _inspections(), _problems(), _ties(), rounds, VOCAB, AS_OF, 0.8)


def test_repeat_failures_count_the_last_inspections_only():
    frame = pd.DataFrame({"point_id": ["P1"] * 5 + ["P2"],
                          "date": pd.date_range("2025-01-01", periods=5, freq="90D").tolist() + [pd.Timestamp("2025-03-01")],
                          "up_to_standard": [False, True, False, False, True, False]})
    out = repeat_failures(frame.sample(frac=1, random_state=1), last_n=4)  # order of rows does not matter
    assert out.loc["P1"].to_dict() == {"recent": 4, "failed": 2, "repeat_rate": 0.5}
    assert out.loc["P2"].to_dict() == {"recent": 1, "failed": 1, "repeat_rate": 1.0}
    assert repeat_failures(frame, last_n=1).loc["P1", "failed"] == 0
    with pytest.raises(ValueError, match="last_n"):
        repeat_failures(frame, last_n=0)


def test_rebounds_are_reopenings_out_of_closings():
    rounds = problem_rounds(build_timeline(_problems(), _events(), VOCAB)).set_index("id")
    assert rounds.loc["q2"].to_dict() == {"closings": 2, "reopenings": 1}
    assert rounds.loc["q1"].to_dict() == {"closings": 0, "reopenings": 0}


def test_each_fact_of_each_place():
    facts = _facts().set_index("place_id")
    p1 = facts.loc["P1"]
    assert bool(p1["below"]) and p1["depth"] == pytest.approx(0.25)  # (0.8 - 0.6) / 0.8
    assert (p1["recent"], p1["failed"]) == (3, 2) and p1["repeat_rate"] == pytest.approx(2 / 3)
    assert (p1["open"], p1["overdue"]) == (1, 1)  # q1 is past 20 June; q2 is closed
    assert p1["age_months"] == pytest.approx(0.5)  # 15 days open
    assert (p1["closings"], p1["reopenings"], p1["rebound_rate"]) == (2, 1, 0.5)
    a1 = facts.loc["A1"]
    assert bool(a1["below"]) and a1["depth"] == 0  # not renovated
    assert (a1["open"], a1["overdue"], a1["age_months"]) == (1, 0, 3.0)  # 211 days, capped at 3 months
    assert not facts.loc["A2", "below"] and not facts.loc["P2", "below"]
    p3 = facts.loc["P3"]  # never inspected, no problem: nothing counts against it
    assert not p3["below"] and p3["recent"] == 0 and p3[["open", "overdue", "closings"]].sum() == 0
    assert facts.loc["P1", "unit_name"] == "一街道" and facts.loc["A1", "category"] == "back_alley"
    assert len(facts) == 5  # q4, tied to no place, belongs to none


def test_the_score_is_the_sum_of_its_parts():
    scored = score_places(_facts(), WEIGHTS, COEFFICIENTS).set_index("place_id")
    p1 = scored.loc["P1"]
    expected = {"standard": 10 * 2 * 1.25, "repeat": 10 * 2 * 2 / 3, "open": 2, "overdue": 4, "age": 1.0,
                "rebound": 5 * 2 * 0.5}
    for part, points in expected.items():
        assert p1[f"part_{part}"] == pytest.approx(points), part
    assert p1["score"] == pytest.approx(sum(expected.values()))
    assert scored.loc["A1", "score"] == pytest.approx(10 + 1 + 3)  # weight 1: not in the table
    assert scored.loc["P2", "score"] == 0
    heavier = score_places(_facts(), {"farmers_market": 4.0}, COEFFICIENTS).set_index("place_id")
    assert heavier.loc["P1", "score"] == pytest.approx(2 * p1["score"])
    with pytest.raises(ValueError, match="rebound"):
        score_places(_facts(), WEIGHTS, {k: v for k, v in COEFFICIENTS.items() if k != "rebound"})


def test_breakdown_lists_every_part_with_its_fact():
    row = rank_places(score_places(_facts(), WEIGHTS, COEFFICIENTS), "point").iloc[0]
    parts = breakdown(row).set_index("part")
    assert list(parts.index) == list(PARTS)
    assert parts.loc["repeat", ["value", "of"]].tolist() == [2, 3]
    assert parts.loc["rebound", ["value", "of"]].tolist() == [1, 2]
    assert parts["points"].sum() == pytest.approx(row["score"]) and parts["share"].sum() == pytest.approx(1)


def test_circles_and_categories_sum_their_places():
    scored = score_places(_facts(), WEIGHTS, COEFFICIENTS)
    circles = pd.DataFrame({"id": ["C1", "C2"], "name": ["一圈", "二圈"], "kind": ["market", "community"],
                            "district_code": ["D01", "D02"], "centre_point_id": ["P2", "P3"],
                            "unit_name": ["一街道", None], "chief_name": ["乙", None]})
    members = pd.DataFrame({"circle_id": ["C1", "C1"], "place_type": ["point", "alley"], "member_id": ["P1", "A1"]})
    ranked = rank_places(scored, "circle", circles, members)
    assert ranked["key"].tolist() == ["C1", "C2"] and ranked["rank"].tolist() == [1, 2]
    c1 = ranked.iloc[0]
    assert c1["score"] == pytest.approx(sum([25, 20 / 1.5, 2, 4, 1, 5]) + 14)
    assert (c1["places"], c1["below"], c1["open"], c1["overdue"]) == (3, 2, 2, 1)
    assert c1["repeat_rate"] == pytest.approx(2 / 4)  # P1 2 of 3, P2 0 of 1
    assert ranked.iloc[1]["score"] == 0 and ranked.iloc[1]["places"] == 1
    categories = rank_places(scored, "category")
    assert categories.iloc[0]["key"] == "D01/farmers_market" and len(categories) == 3
    assert rank_places(scored, "point", districts=("D02",))["key"].tolist() == ["P3"]
    assert len(rank_places(scored, "point", top=2)) == 2
    assert rank_places(scored, "alley")["key"].tolist() == ["A1", "A2"]
    assert places_of("circle", "C1", scored, circles, members)["place_id"].tolist() == ["P2", "P1", "A1"]
    assert places_of("category", "D01/residential", scored)["place_id"].tolist() == ["P2"]
    with pytest.raises(ValueError, match="kind"):
        rank_places(scored, "street")


def test_tables_are_data_and_bad_rows_are_named(tmp_path):
    assert set(part_coefficients(VOCAB_DIR)) == set(PARTS)
    weights = category_weights(VOCAB_DIR)
    assert set(weights) <= set(VOCAB.codes("point_categories")) and weights["farmers_market"] > 1
    assert set(district_quotas(VOCAB_DIR)) <= set(VOCAB.codes("point_categories"))
    # an office folder without the tables falls back to civmap's own
    assert category_weights(tmp_path) == weights
    (tmp_path / "assessment_weights.csv").write_text("category,weight\nschool,2\nbank,很多\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 3 \(bank\)"):
        category_weights(tmp_path)
    (tmp_path / "priority_parts.csv").write_text("part,coefficient\nstandard,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing repeat"):
        part_coefficients(tmp_path)
    good, problems = check_weights(pd.DataFrame({"category": ["school", "bank", "hotel"],
                                                 "weight": ["2", "-1", "1.5"]}))
    assert good == {"school": 2.0, "hotel": 1.5}
    assert len(problems) == 1 and "row 2 (bank)" in problems[0]


def test_trends_per_round_and_the_categories_that_fell_most():
    from civmap.planning.trends import falling_categories, round_of, trend

    frame = pd.DataFrame({
        "point_id": ["P1", "P2", "P1", "P2", "P3", "P3"],
        "date": [dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 4, 5), dt.date(2026, 5, 5),
                 dt.date(2026, 2, 1), dt.date(2026, 5, 1)],
        "score_rate": [0.9, 0.7, 0.6, 0.8, 0.85, 0.9], "up_to_standard": [True, False, False, True, True, True],
        "district_code": ["D01", "D01", "D01", "D01", "D02", "D02"],
        "category": ["farmers_market", "farmers_market", "farmers_market", "farmers_market", "school", "school"]})
    assert round_of(frame["date"]).tolist()[:3] == ["2026Q1", "2026Q1", "2026Q2"]
    market = trend(frame, "category", "D01/farmers_market")
    assert market["round"].tolist() == ["2026Q1", "2026Q2"]
    assert market["score_rate"].tolist() == pytest.approx([0.8, 0.7])
    assert market["standard_share"].tolist() == [0.5, 0.5]
    assert trend(frame, "point", "P1")["standard_share"].tolist() == [1.0, 0.0]
    assert trend(frame, "district", "D02")["inspections"].tolist() == [1, 1]
    circle = pd.DataFrame({"circle_id": ["C1", "C1"], "place_id": ["P1", "P3"]})
    assert trend(frame, "circle", "C1", circle)["up"].tolist() == [2, 1]
    fell = falling_categories(frame.assign(up_to_standard=[True, True, False, True, True, True]))
    assert fell["category"].tolist() == ["farmers_market", "school"]
    assert fell["change"].tolist() == pytest.approx([-0.5, 0.0])
    assert (fell["previous_round"].iloc[0], fell["latest_round"].iloc[0]) == ("2026Q1", "2026Q2")
    assert falling_categories(frame, districts=("D02",))["category"].tolist() == ["school"]


def test_coverage_gaps():
    from civmap.planning.gaps import alleys_without_state, quota_shortfalls, unmanned_places

    facts = _facts()
    circles = pd.DataFrame({"id": ["C1"], "name": ["一圈"], "centre_point_id": ["P3"]})
    members = pd.DataFrame({"circle_id": ["C1", "C1"], "place_type": ["point", "alley"], "member_id": ["P1", "A1"]})
    gaps = unmanned_places(circles, members, facts.assign(chief_name=facts["chief_name"].where(
        facts["place_id"] != "A1", "  ")))
    assert gaps["place_id"].tolist() == ["A1", "P3"]  # A1: blank chief; P3 (the centre): neither
    assert gaps.set_index("place_id").loc["P3", ["no_chief", "no_unit"]].tolist() == [True, True]
    assert gaps.set_index("place_id").loc["A1", ["no_chief", "no_unit"]].tolist() == [True, False]
    short = quota_shortfalls(_points(), {"farmers_market": 2, "school": 1}, ["D01", "D02", "D03"])
    assert short[["district_code", "category", "have", "short"]].values.tolist() == [
        ["D02", "farmers_market", 0, 2], ["D03", "farmers_market", 0, 2], ["D01", "farmers_market", 1, 1],
        ["D01", "school", 0, 1], ["D03", "school", 0, 1]]
    alleys = _alleys().assign(state=["", "demolished"])
    assert alleys_without_state(pd.concat([alleys, _alleys()]), VOCAB.codes("alley_states"))["id"].tolist() == \
        ["A1", "A2"]
