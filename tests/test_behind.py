"""Who is behind: the wall's one ranking, checked against answers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from civmap.progress.behind import (DEFAULT_WEIGHTS, city_shares, district_shares, read_weights, score, standing,
                                    verdict)
from civmap.wall.html import rule_text, verdict_text

NAMES = {"A": "甲区", "B": "乙区", "C": "丙区"}
# Worked by hand with the default weights 35/25/20/20:
#   A: 35×.60 + 25×(1−.10) + 20×.90 + 20×.50 = 21 + 22.5 + 18 + 10 = 71.5
#   B: 35×.40 + 25×(1−.40) + 20×.95 + 20×.80 = 14 + 15 + 19 + 16 = 64.0
#   C: no circles, so its score rests on the other three: (17.5 + 20 + 18.4) / 80 × 100 = 69.875
# B closes the largest share of all (95 %) and still ranks last: the score is not the closing rate.
SHARES = pd.DataFrame({
    "code": ["A", "B", "C"], "name": list(NAMES.values()),
    "on_time_rate": [0.60, 0.40, 0.50], "overdue_share": [0.10, 0.40, 0.20],
    "closing_rate": [0.90, 0.95, 0.92], "standard_rate": [0.50, 0.80, math.nan],
})
CITY = {"on_time_rate": 0.50, "overdue_share": 0.25, "closing_rate": 0.92, "standard_rate": 0.60}


def test_the_default_weights_are_the_shipped_file():
    from civmap.config import ROOT

    assert read_weights(ROOT / "data" / "vocab") == DEFAULT_WEIGHTS


def test_the_standing_matches_the_hand_worked_scores():
    table = standing(SHARES, DEFAULT_WEIGHTS)
    assert list(table["code"]) == ["A", "C", "B"]
    assert table["score"].tolist() == pytest.approx([71.5, 69.875, 64.0])
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["mark"].tolist() == ["red", None, "black"]


def test_the_verdict_names_the_last_and_the_share_that_pulls_it_down_most():
    # B against the city, weighted: on time 35×(.50−.40) = 3.5, overdue 25×(.40−.25) = 3.75,
    # closing and circles above the city: the overdue share is its weakest point.
    found = verdict(standing(SHARES, DEFAULT_WEIGHTS), CITY, DEFAULT_WEIGHTS)
    assert found.codes == ("B",) and found.score == pytest.approx(64.0) and found.ranked == 3
    assert found.city_score == pytest.approx(17.5 + 18.75 + 18.4 + 12)
    assert (found.measure, found.value, found.city_value) == ("overdue", 0.40, 0.25)
    assert verdict_text(found, NAMES, "zh") == "落后：乙区 — 综合得分 64.0（全市 66.7）；短板 超期占比 40.0%（全市 25.0%）"
    assert verdict_text(found, {"B": "Yi"}, "en") == \
        "Behind: Yi — score 64.0 (city 66.7); weakest: overdue share 40.0% (city 25.0%)"


def test_weights_are_data_and_change_the_answer():
    only_closing = {"on_time": 0, "overdue": 0, "closing": 1, "standard": 0}
    table = standing(SHARES, only_closing)
    assert list(table["code"]) == ["B", "C", "A"]
    assert verdict(table, CITY, only_closing).codes == ("A",)
    assert rule_text(only_closing, "zh") == "排名规则：综合得分（百分制）= 结案率×100%"
    assert rule_text(DEFAULT_WEIGHTS, "zh") == \
        "排名规则：综合得分（百分制）= 按期结案率×35% + (1−超期占比)×25% + 结案率×20% + 点位圈达标率×20%"


def test_ties_share_the_rank_and_both_are_named_behind():
    tied = SHARES.assign(on_time_rate=[0.60, 0.40, 0.40], overdue_share=[0.10, 0.40, 0.40],
                         closing_rate=[0.90, 0.95, 0.95], standard_rate=[0.50, 0.80, 0.80])
    table = standing(tied, DEFAULT_WEIGHTS)
    assert table["rank"].tolist() == [1, 2, 2]
    assert verdict(table, CITY, DEFAULT_WEIGHTS).codes == ("B", "C")
    assert verdict_text(verdict(table, CITY, DEFAULT_WEIGHTS), NAMES, "zh").startswith("落后：乙区、丙区 — ")


def test_a_district_without_any_share_is_unranked_and_one_alone_gives_no_verdict():
    empty = SHARES.assign(on_time_rate=[0.6, math.nan, math.nan], closing_rate=[0.9, math.nan, math.nan],
                          standard_rate=[0.5, math.nan, math.nan], overdue_share=[0.1, math.nan, math.nan])
    table = standing(empty, DEFAULT_WEIGHTS)
    assert table["rank"].isna().tolist() == [False, True, True]
    assert verdict(table, CITY, DEFAULT_WEIGHTS) is None
    assert verdict_text(None, NAMES, "zh") == "尚无排名：区县的数据还不够"
    assert math.isnan(score({}, DEFAULT_WEIGHTS))


def test_shares_are_counted_from_the_wall_figures():
    names = {**NAMES, "D": "丁区"}
    ranked = pd.DataFrame({"code": ["A", "B", "C", "D"], "on_time_rate": [0.6, 0.4, 1.0, None],
                           "on_time": [6, 4, 1, 0], "closed": [8, 6, 1, 0], "overdue": [2, 4, 0, 0]})
    rates = pd.DataFrame({"code": ["A", "B", "C", "D"], "problems": [20, 20, 5, 0], "closed": [18, 19, 5, 0],
                          "open": [2, 1, 0, 0], "overdue": [1, 1, 0, 0], "closing_rate": [0.9, 0.95, 1.0, None]})
    states = pd.DataFrame({"district_code": ["A", "A", "B"], "state": ["met", "not_met", "met"]})
    shares = district_shares(names, ranked, rates, states).set_index("code")
    assert shares.loc["A", ["on_time_rate", "overdue_share", "closing_rate", "standard_rate"]].tolist() == \
        [0.6, 0.5, 0.9, 0.5]
    assert shares.loc["B", "standard_rate"] == 1.0
    assert shares.loc["C", "overdue_share"] == 0.0  # all closed: nothing can be overdue
    assert math.isnan(shares.loc["C", "standard_rate"])  # no circles
    assert shares.loc["D", ["on_time_rate", "overdue_share", "closing_rate", "standard_rate"]].isna().all()
    assert standing(shares.reset_index(), DEFAULT_WEIGHTS).set_index("code")["rank"].isna().tolist() == \
        [False, False, False, True]  # a district with nothing yet is not ranked first
    city = city_shares(ranked, rates, states)
    assert city == pytest.approx({"on_time_rate": 11 / 21, "overdue_share": 2 / 3, "closing_rate": 42 / 45,
                                  "standard_rate": 2 / 3})
    assert district_shares(NAMES, ranked, rates, None)["standard_rate"].isna().all()


@pytest.mark.parametrize("text, message", [
    ("measure,weight\non_time,35\noverdue,25\nclosing,20\n", "missing measure(s) standard"),
    ("measure,weight\non_time,x\noverdue,25\nclosing,20\nstandard,1\n", "row 2 (on_time): weight 'x'"),
    ("measure,weight\non_time,-1\noverdue,25\nclosing,20\nstandard,1\n", "row 2 (on_time): weight '-1'"),
    ("measure,weight\npace,1\n", "row 2: unknown measure 'pace'"),
    ("measure,weight\non_time,1\non_time,2\n", "row 3: measure 'on_time' is listed twice"),
    ("measure,weight\non_time,0\noverdue,0\nclosing,0\nstandard,0\n", "every weight is 0"),
    ("code,weight\non_time,1\n", "missing column 'measure'"),
])
def test_a_bad_weights_file_is_named_row_by_row(tmp_path, text, message):
    (tmp_path / "behind_weights.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re_escape(message)):
        read_weights(tmp_path)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)
