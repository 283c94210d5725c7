"""Named plans kept in a file, and a plan's task list as an Excel workbook."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from civmap.config import load_settings
from civmap.planning.inputs import load_planning
from civmap.planning.plans import delete_plan, load_plans, save_plan
from civmap.planning.tasks import RENOVATION_DAYS, task_rows, task_workbook
from civmap.planning.whatif import item_names, known_items, what_if
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
AT = dt.datetime(2026, 12, 1, 9, 30)


def test_plans_are_kept_by_name_replaced_and_deleted(tmp_path):
    path = tmp_path / "plans.json"
    assert load_plans(path) == {}
    assert save_plan(path, "  三月  计划 ", [("circle", "QY001"), ("point", "CP1")], AT) == "三月 计划"
    save_plan(path, "B", [("category", "D01/school")], AT)
    save_plan(path, "三月 计划", [("alley", "BJ1")], AT)
    plans = load_plans(path)
    assert list(plans) == ["三月 计划", "B"] and plans["三月 计划"]["items"] == [("alley", "BJ1")]
    assert plans["B"]["saved_at"] == "2026-12-01T09:30:00"
    delete_plan(path, "B")
    assert list(load_plans(path)) == ["三月 计划"]
    for name, items, message in (("", [("point", "x")], "needs a name"), ("x" * 61, [("point", "x")], "at most"),
                                 ("C", [], "empty"), ("C", [("street", "x")], "kind")):
        with pytest.raises(ValueError, match=message):
            save_plan(path, name, items, AT)
    with pytest.raises(KeyError):
        delete_plan(path, "B")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a plans file"):
        load_plans(path)
    path.write_text(json.dumps({"plans": [{"name": "D", "items": [["circle", 3]]}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="item 1"):
        load_plans(path)


@pytest.fixture(scope="module")
def data(demo_store):
    return load_planning(demo_store, VOCAB, load_settings({}))


def test_the_task_list_names_what_to_fix_who_and_by_when(data):
    items = [("circle", data.circles["id"].iloc[0]), ("point", "NO-SUCH-POINT")]
    known, unknown = known_items(items, data)
    assert known == items[:1] and unknown == items[1:]
    names = item_names(known, data)
    assert names[items[0]][0] == data.circles["name"].iloc[0]
    effect = what_if(known, data, VOCAB, dt.datetime.combine(data.as_of, dt.time(10)))
    assessment = data.as_of + dt.timedelta(days=20)
    rows = task_rows(effect.places, effect.problems, data, VOCAB, assessment)
    facts = data.facts.merge(effect.places, on=["place_type", "place_id"])
    expected = set(facts.loc[facts["below"], "place_id"]) | set(effect.problems["place_id"])
    assert set(rows["place_id"]) == expected and len(rows) > 0
    assert sum(sum(p.values()) for p in rows["problems"]) == effect.closes_open
    assert (rows["deadline"] >= data.as_of).all() and (rows["deadline"] <= assessment - dt.timedelta(days=1)).all()
    only_below = rows[rows["problems"].map(len) == 0]
    far = data.as_of + dt.timedelta(days=RENOVATION_DAYS)
    assert (only_below["deadline"] == min(far, assessment - dt.timedelta(days=1))).all()

    hostile = rows.assign(unit_name="=HYPERLINK(\"http://x\")")
    book = load_workbook(io.BytesIO(task_workbook(hostile, VOCAB, {"D01": "江城区"}, "zh", "三月计划", data.as_of)))
    sheet = book.active
    assert sheet.title == "整治任务清单" and "三月计划" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    assert header[:8] == ["点位/地点", "类别", "区", "整改内容", "责任单位", "点位长", "联系电话", "建议完成期限"]
    assert sheet.max_row == 2 + len(rows)
    assert sheet.cell(row=3, column=5).value == "=HYPERLINK(\"http://x\")" and sheet.cell(row=3, column=5).data_type == "s"
    fixes = [sheet.cell(row=r, column=4).value for r in range(3, sheet.max_row + 1)]
    assert all(fixes) and any("未办结问题" in f or "未达标" in f for f in fixes)
    english = load_workbook(io.BytesIO(task_workbook(rows, VOCAB, {}, "en", "March", data.as_of))).active
    assert english.cell(row=2, column=4).value == "What to fix"
