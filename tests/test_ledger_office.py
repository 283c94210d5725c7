"""The office's own reference ledgers: responsible units, key point-circles, inspection results,
and units created from the ledgers that name them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from civmap import clock, ledger
from civmap.storage import make_engine
from civmap.ledger.office import score_rate, yes_no
from civmap.ledger.rowread import unit_code_for
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def scratch(scratch_db_url) -> Store:
    return Store(make_engine(scratch_db_url))


def _issues(checked) -> set[tuple[int, str, str]]:
    return {(i.row, i.field, i.code) for i in checked.issues}


def test_score_rates_and_yes_no_as_offices_write_them():
    assert score_rate(92) == score_rate("0.92") == score_rate("92%") == score_rate("９２％") == 0.92
    assert score_rate(None) is None and score_rate(1) == 1.0 and score_rate("100") == 1.0
    for bad in ("abc", "150%", "-3", "101"):
        with pytest.raises(ValueError):
            score_rate(bad)
    assert [yes_no(v) for v in ("是", "否", "达标", "不达标", "Yes", " no ", None)] == [
        True, False, True, False, True, False, None]
    with pytest.raises(ValueError):
        yes_no("也许")


def test_units_ledger_inserts_updates_by_code_or_name_and_names_bad_rows(scratch):
    street = scratch.areas("street").iloc[0]
    district_name = scratch.district_names("zh")[street.parent_code]
    known = scratch.units().iloc[0]
    rows = [["单位编码", "单位名称", "所属区", "街道", "单位类型", "负责人", "联系电话"],
            ["", "市档案馆创城组", "", "", "行业主管部门", "李局长", "0773-1"],              # 2: city level, code made
            ["NEW-1", "新街道办", street["name"], "", "", "张主任", ""],              # 3: a street in the district column
            ["NEW-2", "区城管局", district_name, "", "District office", "", ""],     # 4: kind by English label
            [known.code, known.name, "", "", "", "王新", "13800000000"],             # 5: update head and phone
            ["NEW-3", "", district_name, "", "", "", ""],                           # 6: no name
            ["NEW-4", "错区单位", "江城县", "", "", "", ""],                           # 7: unknown district
            ["NEW-5", "错类型单位", "", "", "火星局", "", ""],                          # 8: unknown kind
            ["new-1", "大小写", "", "", "", "", ""]]                                 # 9: case-only clash with row 3
    checked = ledger.check_file(xlsx(rows), "单位.xlsx", "units", scratch, VOCAB)
    assert _issues(checked) == {(6, "name", "missing"), (7, "district_code", "unknown_suggest"),
                                (8, "kind", "unknown"), (9, "code", "id_case_clash")}
    made = unit_code_for("市档案馆创城组")
    assert checked.actions == {made: "insert", "NEW-1": "insert", "NEW-2": "insert", known.code: "update"}
    ledger.commit_ledger(scratch, checked, VOCAB)
    units = scratch.units().set_index("code")
    assert units.at[made, "kind"] == "bureau" and pd.isna(units.at[made, "district_code"])
    assert (units.at["NEW-1", "street_code"], units.at["NEW-1", "district_code"]) == (street.code, street.parent_code)
    assert units.at["NEW-1", "kind"] == "street"
    assert units.at["NEW-2", "kind"] == "district" and units.at["NEW-2", "district_code"] == street.parent_code
    assert (units.at[known.code, "head_name"], units.at[known.code, "head_phone"]) == ("王新", "13800000000")

    # Named again without a code, the unit made above is updated, not added twice.
    again = ledger.check_file(xlsx([rows[0], ["", "市档案馆创城组", "", "", "", "赵局长", ""]]), "单位2.xlsx", "units",
                              scratch, VOCAB)
    assert again.actions == {made: "update"}
    ledger.commit_ledger(scratch, again, VOCAB)
    assert scratch.units().set_index("code").at[made, "head_name"] == "赵局长"
    assert (scratch.units()["name"] == "市档案馆创城组").sum() == 1


def test_circles_ledger_checks_centres_and_removes_a_circle_leaving_the_rest(scratch):
    circles = scratch.circles().sort_values("id")
    stored, other = circles.iloc[0], circles.iloc[1]
    points = scratch.points().sort_values("id")
    free = points[~points["id"].isin(circles["centre_point_id"])]
    market = free[free["category"] == "farmers_market"].iloc[0]
    plain = free[free["category"].map(VOCAB.centre_kind_of).isna()].iloc[0]
    rows = [["点位圈编号", "点位圈名称", "中心点位编号", "中心类型", "删除"],
            ["NC1", "", market.id, "", ""],                       # 2: name and kind from the centre
            ["NC2", "新圈", "NOPE", "市场", ""],                    # 3: unknown centre
            ["NC3", "抢中心", other.centre_point_id, "市场", ""],   # 4: centre of another stored circle
            ["NC4", "同中心", market.id, "市场", ""],               # 5: same centre as row 2
            ["NC5", "无类型", plain.id, "", ""],                    # 6: no kind, none implied
            ["NC6", "错类型", plain.id, "火星", ""],                 # 7: unknown kind
            [stored.id, "", "", "", "是"],                        # 8: remove a stored circle
            ["NC7", "接替", stored.centre_point_id, "", ""]]       # 9: its centre anchors a new circle
    checked = ledger.check_file(xlsx(rows), "点位圈.xlsx", "circles", scratch, VOCAB)
    assert _issues(checked) == {(3, "centre_point_id", "unknown"), (4, "centre_point_id", "centre_taken"),
                                (5, "centre_point_id", "centre_taken"), (6, "kind", "missing"),
                                (7, "kind", "unknown")}
    assert checked.actions == {"NC1": "insert", stored.id: "remove", "NC7": "insert"}
    taken = next(i for i in checked.issues if i.row == 4)
    assert other.id in taken.reason("zh") and other.id in taken.reason("en")
    before = {name: len(getattr(scratch, name)()) for name in ("points", "problems", "inspections")}
    result = ledger.commit_ledger(scratch, checked, VOCAB)
    assert (result.inserted, result.removed) == (2, 1)
    after = scratch.circles().set_index("id")
    assert stored.id not in after.index and after.at["NC7", "centre_point_id"] == stored.centre_point_id
    assert after.at["NC1", "name"] == f"{market['name']}点位圈" and after.at["NC1", "kind"] == "market"
    assert {name: len(getattr(scratch, name)()) for name in before} == before
    assert "删除 1 行" in ledger.committed_text(result, "zh")


def test_inspections_ledger_reads_rates_derives_standard_and_updates_by_point_and_day(scratch):
    points = scratch.points().sort_values("id")
    a, b = points.iloc[0].id, points.iloc[1].id
    day = clock.today() - dt.timedelta(days=3)
    rows = [["点位编号", "测评日期", "得分率", "是否达标", "测评人"],
            [a, day.isoformat(), "92%", "", "甲"],                 # 2: derived: up to standard
            [b, day.isoformat(), 79, "", "乙"],                    # 3: derived: not
            [b, (day - dt.timedelta(days=1)).isoformat(), 0.5, "是", ""],  # 4: stated wins
            ["NOPE", day.isoformat(), 90, "", ""],                # 5: unknown point
            [a, (clock.today() + dt.timedelta(days=2)).isoformat(), 90, "", ""],  # 6: a future inspection
            [a, day.isoformat(), 88, "", ""],                     # 7: same point and day as row 2
            [b, "2025-02-01", "很好", "", ""],                      # 8: unreadable rate
            [b, "2025-02-02", 90, "也许", ""]]                       # 9: unreadable 是否达标
    checked = ledger.check_file(xlsx(rows), "测评.xlsx", "inspections", scratch, VOCAB)
    assert _issues(checked) == {(5, "point_id", "unknown"), (6, "date", "future_date"),
                                (2, "point_id", "duplicate_id"), (7, "point_id", "duplicate_id"),
                                (8, "score_rate", "bad_score"), (9, "up_to_standard", "bad_yes_no")}
    assert len(checked.records) == 2
    ledger.commit_ledger(scratch, checked, VOCAB)
    mine = scratch.inspections().query("point_id == @b").sort_values("date").tail(2)
    assert mine["score_rate"].tolist() == [0.5, 0.79] and mine["up_to_standard"].astype(bool).tolist() == [True, False]
    assert scratch.points().set_index("id").at[b, "score_rate"] == 0.79  # the latest shows on the map

    fixed = ledger.check_file(xlsx([rows[0], [b, day.isoformat(), "85", "", "乙"]]), "复测.xlsx", "inspections",
                              scratch, VOCAB)
    assert list(fixed.actions.values()) == ["update"]
    count = len(scratch.inspections())
    ledger.commit_ledger(scratch, fixed, VOCAB)
    assert len(scratch.inspections()) == count
    latest = scratch.points().set_index("id").loc[b]
    assert (latest.score_rate, bool(latest.up_to_standard)) == (0.85, True)


def test_a_scoped_store_refuses_circles_and_inspections_placed_outside_it(scratch):
    """A circle lies where its centre lies, an inspection where its point lies: a district's
    account can neither remove, move nor add them elsewhere, and the refusal names its scope."""
    from civmap.storage.scope import Scope

    circles = scratch.circles().sort_values("id")
    home = circles.iloc[0]["district_code"]
    mine, away = circles.iloc[0], circles[circles["district_code"] != home].iloc[0]
    points = scratch.points().sort_values("id")
    free = points[~points["id"].isin(circles["centre_point_id"])]
    outside = free[(free["district_code"] != home) & (free["category"] == "farmers_market")].iloc[0]
    inside = points[points["district_code"] == home].iloc[0]
    narrow = scratch.within(Scope(districts=(home,)))
    header = ["点位圈编号", "点位圈名称", "中心点位编号", "中心类型", "删除"]
    day = (clock.today() - dt.timedelta(days=2)).isoformat()
    refused_ledgers = {
        "remove a circle elsewhere": (narrow, "circles", [header, [away.id, "", "", "", "是"]]),
        "move its own circle away": (scratch, "circles", [header, [mine.id, "", outside.id, "市场", ""]]),
        "inspect a point elsewhere": (scratch, "inspections", [["点位编号", "测评日期", "得分率"], [outside.id, day, 90]]),
    }
    before = (scratch.circles(), len(scratch.inspections()))
    for what, (checked_by, kind, rows) in refused_ledgers.items():
        checked = ledger.check_file(xlsx(rows), f"{what}.xlsx", kind, checked_by, VOCAB)
        assert checked.records and not checked.issues, what
        with pytest.raises(ledger.LedgerError) as refused:
            ledger.commit_ledger(narrow, checked, VOCAB)
        assert refused.value.code == "out_of_scope", what
        assert scratch.district_names("zh")[home] in refused.value.message("zh"), what
        assert "outside" in refused.value.message("en") and str(rows[1][0]) in refused.value.message("en"), what
    pd.testing.assert_frame_equal(scratch.circles(), before[0])
    assert len(scratch.inspections()) == before[1]

    allowed = ledger.check_file(xlsx([["点位编号", "测评日期", "得分率"], [inside.id, day, 90]]), "本区.xlsx",
                                "inspections", narrow, VOCAB)
    assert ledger.commit_ledger(narrow, allowed, VOCAB).inserted == 1


def test_a_ledger_naming_an_unknown_unit_creates_it_only_when_asked(scratch):
    point = scratch.points().sort_values("id").iloc[0]
    rows = [["问题编号", "问题描述", "问题类别", "所属点位", "发现日期", "责任单位"],
            ["CU1", "井盖缺失", "路面破损", point.id, clock.today().isoformat(), "新成立的创城专班"],
            ["CU2", "牛皮癣", "牛皮癣", point.id, clock.today().isoformat(), "新成立的创城专班"]]
    refused = ledger.check_file(xlsx(rows), "问题.xlsx", "problems", scratch, VOCAB)
    assert {(i.row, i.field) for i in refused.issues} == {(2, "unit_code"), (3, "unit_code")}
    asked = ledger.check_file(xlsx(rows), "问题.xlsx", "problems", scratch, VOCAB,
                              options=ledger.ImportOptions(create_units=True))
    assert not asked.issues and [u["name"] for u in asked.new_units] == ["新成立的创城专班"]
    assert "新成立的创城专班" in ledger.summary_text(asked, "zh")
    result = ledger.commit_ledger(scratch, asked, VOCAB)
    assert result.units_created == ("新成立的创城专班",)
    code = unit_code_for("新成立的创城专班")
    assert set(scratch.problems().query("id in ['CU1', 'CU2']")["unit_code"]) == {code}
    # The next ledger naming it finds it; nothing is created twice.
    again = ledger.check_file(xlsx(rows), "问题.xlsx", "problems", scratch, VOCAB,
                              options=ledger.ImportOptions(create_units=True))
    assert again.new_units == () and not again.issues
    assert (scratch.units()["code"] == code).sum() == 1


def test_a_status_date_dates_the_change_so_past_closings_count_on_their_own_day(scratch):
    point = scratch.points().sort_values("id").iloc[0]
    found, closed = clock.today() - dt.timedelta(days=40), clock.today() - dt.timedelta(days=30)
    rows = [["问题编号", "问题描述", "问题类别", "所属点位", "发现日期", "状态", "状态日期"],
            ["SD1", "已销号的旧问题", "牛皮癣", point.id, found.isoformat(), "已销号", closed.isoformat()],
            ["SD2", "没写状态日期", "牛皮癣", point.id, found.isoformat(), "已销号", ""],
            ["SD3", "状态日期早于发现", "牛皮癣", point.id, found.isoformat(), "已销号",
             (found - dt.timedelta(days=1)).isoformat()]]
    checked = ledger.check_file(xlsx(rows), "历史台账.xlsx", "problems", scratch, VOCAB)
    assert _issues(checked) == {(4, "status_on", "status_before_found")}
    ledger.commit_ledger(scratch, checked, VOCAB, at=dt.datetime.combine(clock.today(), dt.time(9)))
    events = scratch.events().query("problem_id in ['SD1', 'SD2']").sort_values(["problem_id", "at"])
    closing = events[events["to_status"] == "closed"].set_index("problem_id")["at"]
    assert closing["SD1"].date() == closed          # on the day the ledger says
    assert closing["SD2"].date() == clock.today()   # no date given: at the import
    stored = scratch.problems().set_index("id")
    assert stored.at["SD1", "status_since"].date() == closed

    # A later ledger reopening SD1 with a date before its closing keeps the history in order.
    again = [rows[0], ["SD1", "已销号的旧问题", "牛皮癣", point.id, found.isoformat(), "反弹",
                       (closed - dt.timedelta(days=5)).isoformat()]]
    ledger.commit_ledger(scratch, ledger.check_file(xlsx(again), "复查.xlsx", "problems", scratch, VOCAB), VOCAB)
    chain = scratch.events().query("problem_id == 'SD1'").sort_values(["at", "id"])
    assert chain["to_status"].tolist()[-2:] == ["closed", "reopened"]
    assert chain["at"].is_monotonic_increasing
