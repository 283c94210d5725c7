"""The Planning page with AppTest: the ranked list, a score opened, weights edited, a plan
built, its what-if, a kept plan and the task list; widgets found by key."""

from __future__ import annotations

import json

import pytest
from conftest import run_page

from civmap.config import load_settings
from civmap.planning.inputs import load_planning
from civmap.planning.rank import rank_places
from civmap.planning.score import score_places
from civmap.planning.tables import category_weights, part_coefficients
from civmap.vocab import VOCAB_DIR, load_vocabulary

TIMEOUT = 180


@pytest.fixture
def page(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("CIVMAP_DATA_DIR", str(tmp_path))
    return run_page("planning", {}, timeout=TIMEOUT)  # through the frame, signed in as the demo's office


def _frame(at, key):
    """A table by its key (tables with a selection are widgets) or, for a plain table
    (AppTest keeps no key for it), by a column header it has."""
    found = [d.value for d in at.dataframe if d.key == key or key in d.value.columns]
    assert found, f"no table {key!r}"
    return found[0]


def _expected(demo_store, kind, weights=None):
    settings = load_settings({})
    data = load_planning(demo_store, load_vocabulary(), settings)
    scored = score_places(data.facts, weights or category_weights(VOCAB_DIR), part_coefficients(VOCAB_DIR))
    return rank_places(scored, kind, data.circles, data.members, top=30)


def test_the_ranked_list_matches_the_cli_functions_and_opens_a_score(page, demo_store):
    table = _frame(page, "planning_table")
    expected = _expected(demo_store, "circle")
    assert table["编号"].tolist() == expected["key"].tolist()
    assert table["得分"].tolist() == expected["score"].round(1).tolist()
    parts = _frame(page, "组成部分")
    assert list(parts["组成部分"]) == ["未达标", "反复不达标", "未办结问题", "超期问题", "问题积压时长", "反弹率"]
    assert parts["得分"].sum() == pytest.approx(expected["score"].iloc[0], abs=0.05)

    page.segmented_control(key="planning_kind").set_value("point").run()
    assert not page.exception
    assert _frame(page, "planning_table")["编号"].tolist() == _expected(demo_store, "point")["key"].tolist()


def test_an_edited_weight_reranks_for_the_session_only(page, demo_store):
    weights = category_weights(VOCAB_DIR)
    row = list(weights).index("farmers_market")
    page.session_state["planning_weights"] = {"edited_rows": {row: {"weight": 0.0}}, "added_rows": [],
                                              "deleted_rows": []}
    page.run()
    assert not page.exception
    expected = _expected(demo_store, "circle", {**weights, "farmers_market": 0.0})
    assert _frame(page, "planning_table")["编号"].tolist() == expected["key"].tolist()
    assert category_weights(VOCAB_DIR) == weights  # the configured table is untouched


def test_a_plan_its_what_if_a_kept_plan_and_the_task_list(page, tmp_path):
    page.session_state["planning_table"] = {"selection": {"rows": [0, 1], "columns": []}}
    page.run()
    page.button(key="planning_add").click().run()
    assert not page.exception
    assert any("2 项" in c.value for c in page.caption)
    metrics = {m.label: m.value for m in page.metric}
    assert int(metrics["将销号问题"].replace(",", "")) >= 0 and int(metrics["涉及点位/小巷"]) > 2
    effect = _frame(page, "红黑榜名次")
    assert list(effect.columns) == ["区", "将销号问题", "达标率", "结案率", "按期结案率", "红黑榜名次"]
    assert effect["将销号问题"].sum() == int(metrics["将销号问题"].replace(",", ""))

    page.text_input(key="planning_plan_name").input("三月攻坚").run()
    page.button(key="planning_plan_save").click().run()
    assert not page.exception and [s.value for s in page.success] == ["已保存计划“三月攻坚”。"]
    kept = json.loads((tmp_path / "plans.json").read_text(encoding="utf-8"))
    assert kept["plans"][0]["name"] == "三月攻坚" and len(kept["plans"][0]["items"]) == 2

    page.button(key="planning_plan_clear").click().run()
    assert any("计划还是空的" in i.value for i in page.info)
    page.button(key="planning_plan_load").click().run()
    assert not page.exception and _frame(page, "planning_plan_table").shape[0] == 2
    assert any(c.value.startswith("任务清单共") for c in page.caption)


def test_trends_map_and_gaps_answer(page):
    page.selectbox(key="planning_trend_level").set_value("district").run()
    assert not page.exception
    falling = _frame(page, "变化(百分点)")
    assert falling["变化(百分点)"].is_monotonic_increasing
    page.segmented_control(key="planning_map_mode").set_value("change").run()
    assert not page.exception and any("变好" in c.value for c in page.caption)
    assert any(m.value.startswith("**点位数量低于配额的类别") for m in page.markdown)


def test_english(page):
    page.session_state["lang"] = "en"
    page.run()
    assert not page.exception and page.title[0].value == "Planning"
    assert "Score" in _frame(page, "planning_table").columns
