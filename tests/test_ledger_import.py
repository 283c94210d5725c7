"""Importing ledgers made here, row by row: every kind of bad row, commit, re-import,
status events, coordinate conversion, and an interrupted import that leaves no trace."""

import datetime as dt
import io

import openpyxl
import pandas as pd
import pyproj
import pytest
import shapely

from civmap import clock
from civmap import ledger
from civmap.storage import make_engine
from civmap.ledger.validate import NEAREST_POINT_M
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from geo import wgs84_to_bd09, wgs84_to_gcj02

pytestmark = pytest.mark.both_backends

GEOD = pyproj.Geod(ellps="WGS84")
VOCAB = load_vocabulary()
HEADER = ["序号", "问题编号", "问题描述", "问题类别", "所属区", "经纬度", "发现日期", "整改时限", "整改状态", "所属点位"]


def xlsx(rows, title: str | None = "XX市创城问题台账") -> bytes:
    """A workbook as offices make them: a merged title row, the rows, blank rows after."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(row)
    for _ in range(3):
        ws.append([None] * len(rows[0]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pair(lon, lat) -> str:
    return f"{float(lon):.7f},{float(lat):.7f}"


def make_city(demo_store) -> dict:
    """District names, points, and a place inside the city's box but in no district."""
    districts = demo_store.districts()
    points = demo_store.points().sort_values("id").reset_index(drop=True)
    union = districts.union_all()
    west, south, east, north = districts.total_bounds
    nowhere = next((x, y) for x, y in ((west + 0.001, south + 0.001), (east - 0.001, south + 0.001),
                                       (west + 0.001, north - 0.001), (east - 0.001, north - 0.001))
                   if not union.contains(shapely.Point(x, y)))
    return {"districts": districts.set_index("code")["name"].to_dict(), "points": points, "nowhere": nowhere}


@pytest.fixture(scope="module")
def city(demo_store):
    return make_city(demo_store)


def problem_ledger(city):
    """Good rows in many forms, then one bad row of every kind; returns (bytes, expected)."""
    points = city["points"]
    p, q = points.iloc[10], points.iloc[11]
    d_p = city["districts"][p.district_code]
    other = next(name for code, name in city["districts"].items() if code != p.district_code)
    found = dt.date(2024, 3, 5)
    full_width = pair(p.lon, p.lat).translate(str.maketrans("0123456789.,", "０１２３４５６７８９．，"))
    rows = [HEADER,
            [1, "T001", "占道经营", "占道经营", d_p, pair(p.lon, p.lat), "2024/3/5", "2024-03-08", "整改中", ""],
            [2, "T002", "乱停乱放", "乱停乱放", "", full_width, "2024-03-05", "", "", ""],
            [3, "T003", "牛皮癣", "illegal_flyers", "", pair(p.lon, p.lat), "2024年3月5日", found, "assigned", p.id],
            [4, "T004", "蜘蛛网", "蜘蛛网", "", "", found, 45360, "已销号", q.id],  # position from its point
            [5, "T005", "卫生死角", "卫生死角", d_p[:-1], pair(p.lon, p.lat), 45356, "", "", ""],
            # the bad rows: row number in the sheet -> (column header, reason code)
            [6, "T006", "无坐标", "牛皮癣", "", "", found, "", "", ""],
            [7, "T007", "坐标写错", "牛皮癣", "", "110.3;北纬", found, "", "", ""],
            [8, "T008", "外市", "牛皮癣", "", "108.366,22.817", found, "", "", ""],
            [9, "T009", "不在区内", "牛皮癣", "", pair(*city["nowhere"]), found, "", "", ""],
            [10, "T010", "区名写错", "牛皮癣", d_p[:-1] + "县", pair(p.lon, p.lat), found, "", "", ""],
            [11, "T011", "类别写错", "牛皮廯", "", pair(p.lon, p.lat), found, "", "", ""],
            [12, "T012", "日期写错", "牛皮癣", "", pair(p.lon, p.lat), "2024年13月5日", "", "", ""],
            [13, "T013", "时限倒挂", "牛皮癣", "", pair(p.lon, p.lat), found, "2024-03-01", "", ""],
            [14, "T014", "重复甲", "牛皮癣", "", pair(p.lon, p.lat), found, "", "", ""],
            [15, "T014", "重复乙", "牛皮癣", "", pair(p.lon, p.lat), found, "", "", ""],
            [16, "T016", "区县不符", "牛皮癣", other, pair(p.lon, p.lat), found, "", "", ""],
            [17, "T017", "状态写错", "牛皮癣", "", pair(p.lon, p.lat), found, "", "已整该", ""],
            [18, "T018", "未来", "牛皮癣", "", pair(p.lon, p.lat), clock.today() + dt.timedelta(days=3), "", "", ""],
            [19, "T019", "点位写错", "牛皮癣", "", "", found, "", "", "CP99999"]]
    expected = {
        (8, "经纬度", "missing_coords"), (9, "经纬度", "bad_coords"), (10, "经纬度", "outside_city"),
        (11, "经纬度", "no_district"), (12, "所属区", "unknown_suggest"), (13, "问题类别", "unknown_suggest"),
        (14, "发现日期", "bad_date"), (15, "整改时限", "deadline_before_found"), (16, "问题编号", "duplicate_id"),
        (17, "问题编号", "duplicate_id"), (18, "所属区", "district_mismatch"), (19, "整改状态", "unknown_suggest"),
        (20, "发现日期", "future_date"), (21, "所属点位", "unknown"), (21, "经纬度", "missing_coords"),
    }
    return xlsx(rows), expected


@pytest.fixture
def scratch(scratch_db_url):
    return Store(make_engine(scratch_db_url))


def test_every_bad_row_is_rejected_with_its_row_field_and_reason(demo_store, city):
    data, expected = problem_ledger(city)
    checked = ledger.check_file(data, "问题台账.xlsx", "problems", demo_store, VOCAB)
    assert {(i.row, i.header, i.code) for i in checked.issues} == expected
    assert [r.row for r in checked.records] == [3, 4, 5, 6, 7]
    summary = checked.summary()
    assert summary == {"rows": 19, "good": 5, "bad": 14, "insert": 5, "update": 0, "same": 0, "remove": 0}
    reasons = {i.row: i.reason("zh") for i in checked.issues}
    district = city["districts"][city["points"].iloc[10].district_code]
    assert district in reasons[12] and "牛皮癣" in reasons[13]  # the closest known names are suggested
    assert "已整改待复核" in reasons[19]
    assert "2024-03-01" in reasons[15] and "2024-03-05" in reasons[15]
    assert "16、17" in reasons[16]
    english = {i.row: i.reason("en") for i in checked.issues}
    assert "closest known" in english[12] and "outside the city" in english[10]


def test_good_rows_read_every_date_and_coordinate_form(demo_store, city):
    data, _ = problem_ledger(city)
    checked = ledger.check_file(data, "问题台账.xlsx", "problems", demo_store, VOCAB)
    rows = {r.key: r.for_insert() for r in checked.records}
    p, q = city["points"].iloc[10], city["points"].iloc[11]
    assert all(r["found_on"] == dt.date(2024, 3, 5) for r in rows.values())
    assert rows["T001"]["deadline"] == dt.date(2024, 3, 8) and rows["T004"]["deadline"] == dt.date(2024, 3, 9)
    # a blank deadline is the category's time limit; a blank status the first open one
    assert rows["T002"]["deadline"] == dt.date(2024, 3, 5) + dt.timedelta(VOCAB.time_limit_days("disorderly_parking"))
    assert rows["T002"]["status"] == "found" and rows["T003"]["status"] == "assigned"
    assert rows["T002"]["lon"] == pytest.approx(p.lon) and rows["T002"]["district_code"] == p.district_code
    # a row without coordinates takes its named point's, and its unit and chief
    assert (rows["T004"]["lon"], rows["T004"]["lat"]) == (q.lon, q.lat) and rows["T004"]["point_id"] == q.id
    assert rows["T004"]["unit_code"] == q.unit_code
    # a row without a point is tied to the nearest one within NEAREST_POINT_M
    assert rows["T001"]["point_id"] == p.id and NEAREST_POINT_M >= 50


def test_commit_imports_the_good_rows_and_reimport_updates_without_duplicates(scratch, city):
    before = len(scratch.problems())
    data, _ = problem_ledger(city)
    checked = ledger.check_file(data, "问题台账.xlsx", "problems", scratch, VOCAB)
    result = ledger.commit_ledger(scratch, checked, VOCAB, at=dt.datetime(2024, 3, 20, 9, 0))
    assert (result.inserted, result.updated, result.rejected) == (5, 0, 14)
    problems = scratch.problems().set_index("id")
    assert len(problems) == before + 5
    assert problems.at["T004", "status"] == "closed"
    events = scratch.events()
    mine = events[events["problem_id"].isin(["T001", "T003", "T004"])]
    assert set(mine["actor"]) == {"台账导入 问题台账.xlsx"}
    assert mine.groupby("problem_id")["to_status"].apply(list).to_dict() == {
        "T001": ["found", "fixing"], "T003": ["found", "assigned"], "T004": ["found", "closed"]}

    # the corrected ledger: T001 now reported fixed; same file again otherwise
    rows = [HEADER, [1, "T001", "占道经营", "占道经营", "", pair(city["points"].iloc[10].lon,
                                                          city["points"].iloc[10].lat),
                     "2024/3/5", "2024-03-08", "已整改待复核", ""],
            [2, "T003", "牛皮癣", "牛皮癣", "", pair(city["points"].iloc[10].lon, city["points"].iloc[10].lat),
             "2024-03-05", "2024-03-05", "已交办", city["points"].iloc[10].id]]
    again = ledger.check_file(xlsx(rows), "问题台账-更正.xlsx", "problems", scratch, VOCAB)
    assert again.summary()["update"] == 1 and again.summary()["same"] == 1
    result = ledger.commit_ledger(scratch, again, VOCAB, at=dt.datetime(2024, 3, 25, 9, 0))
    assert (result.inserted, result.updated, result.unchanged, result.events) == (0, 1, 1, 1)
    assert len(scratch.problems()) == before + 5
    change = scratch.events().query("problem_id == 'T001'").iloc[-1]
    assert (change.from_status, change.to_status, change.actor) == ("fixing", "reported", "台账导入 问题台账-更正.xlsx")
    assert change["at"] == pd.Timestamp("2024-03-25 09:00")
    assert scratch.problems().set_index("id").at["T001", "status_since"] == pd.Timestamp("2024-03-25 09:00")


def test_an_existing_problems_status_change_is_an_event_and_blank_cells_keep_values(scratch):
    problem = scratch.problems().query("status == 'fixing'").sort_values("id").iloc[0]
    rows = [["问题编号", "问题描述", "问题类别", "经度", "纬度", "发现日期", "状态", "来源"],
            [problem.id, problem.description, problem.category, problem.lon, problem.lat,
             problem.found_on, "已整改待复核", ""]]
    checked = ledger.check_file(xlsx(rows, title=None), "复核.xlsx", "problems", scratch, VOCAB)
    assert checked.actions == {problem.id: "update"}
    ledger.commit_ledger(scratch, checked, VOCAB)
    after = scratch.problems().set_index("id").loc[problem.id]
    assert after.status == "reported" and after.source == problem.source  # blank source kept
    assert after.deadline == problem.deadline
    last = scratch.events().query("problem_id == @problem.id").iloc[-1]
    assert (last.from_status, last.to_status, last.actor) == ("fixing", "reported", "台账导入 复核.xlsx")


def _snapshot(store: Store) -> tuple:
    problems = store.problems().drop(columns="geometry").sort_values("id").reset_index(drop=True)
    return store.data_version(), len(store.events()), problems


def test_an_interrupted_import_leaves_the_store_unchanged(scratch, city):
    existing = scratch.problems().query("status == 'fixing'").sort_values("id").head(3)
    p = city["points"].iloc[10]
    rows = [["问题编号", "问题描述", "问题类别", "坐标", "发现日期", "状态"]]
    rows += [[f"N{i:04d}", "新问题", "牛皮癣", pair(p.lon, p.lat), "2024-03-05", "整改中"] for i in range(1200)]
    rows += [[r.id, r.description, r.category, pair(r.lon, r.lat), r.found_on, "已销号"] for r in existing.itertuples()]
    checked = ledger.check_file(xlsx(rows), "大台账.xlsx", "problems", scratch, VOCAB)
    assert checked.summary()["insert"] == 1200 and checked.summary()["update"] == 3
    before = _snapshot(scratch)
    seen = []

    def interrupt(done, total):
        seen.append(done)
        if done >= 1000:  # two batches of new rows are in, the updates and events are not
            raise KeyboardInterrupt("operator pressed Ctrl-C")

    with pytest.raises(KeyboardInterrupt):
        ledger.commit_ledger(scratch, checked, VOCAB, on_progress=interrupt)
    assert seen == [500, 1000]
    after = _snapshot(scratch)
    assert after[:2] == before[:2]
    pd.testing.assert_frame_equal(after[2], before[2])


def test_a_failure_at_the_last_step_rolls_everything_back(scratch, city, monkeypatch):
    import civmap.storage.writes

    data, _ = problem_ledger(city)
    checked = ledger.check_file(data, "问题台账.xlsx", "problems", scratch, VOCAB)
    before = _snapshot(scratch)

    def broken(conn):
        raise RuntimeError("disk full")

    monkeypatch.setattr(civmap.storage.writes, "bump_version", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        ledger.commit_ledger(scratch, checked, VOCAB)
    after = _snapshot(scratch)
    assert after[:2] == before[:2]
    pd.testing.assert_frame_equal(after[2], before[2])


@pytest.mark.parametrize("crs, forward", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_amap_and_baidu_coordinates_land_within_a_metre_of_the_truth(demo_store, city, crs, forward):
    truth = city["points"].iloc[::97].head(40)
    lon, lat = forward(truth["lon"].to_numpy(), truth["lat"].to_numpy())
    rows = [["编号", "名称", "类别", "经度", "纬度"]]
    rows += [[f"G{i:03d}", "转换测试", "医院", float(x), float(y)] for i, (x, y) in enumerate(zip(lon, lat))]
    checked = ledger.check_file(xlsx(rows), "高德.xlsx", "points", demo_store, VOCAB, crs=crs)
    assert not checked.issues
    got = pd.DataFrame([r.values for r in checked.records])
    _, _, metres = GEOD.inv(got["lon"].to_numpy(), got["lat"].to_numpy(), truth["lon"].to_numpy(),
                            truth["lat"].to_numpy())
    assert metres.max() < 1.0
    # and without conversion the same numbers are hundreds of metres off
    _, _, raw_offset = GEOD.inv(lon, lat, truth["lon"].to_numpy(), truth["lat"].to_numpy())
    assert raw_offset.min() > 100
    assert checked.summary()["insert"] == len(truth)
    assert set(got["district_code"]) <= set(city["districts"])


def test_points_ledger_fills_a_blank_district_and_rejects_a_wrong_one(scratch, city):
    p = city["points"].iloc[3]
    other = next(name for code, name in city["districts"].items() if code != p.district_code)
    rows = [["点位编号", "点位名称", "点位类别", "区县", "街道", "经度", "纬度", "点位长", "联系电话", "责任单位"],
            ["NP1", "新市场", "农贸市场", "", "", p.lon, p.lat, "张三", 13800000000, ""],
            ["NP2", "新市场", "农贸市场", other, "", p.lon, p.lat, "", "", ""],
            ["NP3", "新市场", "农贸市场", "", "不存在街道", p.lon, p.lat, "", "", ""],
            ["NP4", "新市场", "农贸市场", "", "", p.lon, p.lat, "", "", "市城管局"],
            ["NP5", "新市场", "农贸市场", "", "", p.lon, p.lat, "", "", "市城官局"],
            [p.id, p.name, "社区" if p.category == "community" else p.category, "", "", p.lon, p.lat, "新点位长", "", ""]]
    checked = ledger.check_file(xlsx(rows), "点位.xlsx", "points", scratch, VOCAB)
    assert {(i.row, i.code) for i in checked.issues} == {(4, "district_mismatch"), (5, "unknown"),
                                                          (7, "unknown_suggest")}
    result = ledger.commit_ledger(scratch, checked, VOCAB)
    assert (result.inserted, result.updated) == (2, 1)
    points = scratch.points().set_index("id")
    assert points.at["NP1", "district_code"] == p.district_code and points.at["NP1", "street_code"] == p.street_code
    assert points.at["NP1", "chief_phone"] == "13800000000"
    assert points.at["NP1", "authority"] == VOCAB.point_categories.at["farmers_market", "authority"]
    assert points.at["NP4", "unit_code"] == "B09"
    assert points.at[p.id, "chief_name"] == "新点位长" and points.at[p.id, "address"] == p.address


def test_alleys_need_a_line_and_get_their_length(scratch, city):
    a = scratch.alleys().sort_values("id").iloc[0]
    start, end = a.geometry.coords[0], a.geometry.coords[-1]
    rows = [["巷道编号", "巷道名称", "改造状态", "起点坐标", "终点坐标", "几何(WKT)", "长度(米)"],
            ["NA1", "新巷", "改造中", pair(*start), pair(*end), "", ""],
            ["NA2", "新巷二", "", "", "", a.geometry.wkt, "88米"],
            ["NA3", "无线巷", "", "", "", "", ""],
            ["NA4", "坏线巷", "", "", "", "LINESTRING (110.3 25.2,", ""]]
    checked = ledger.check_file(xlsx(rows), "小巷.xlsx", "alleys", scratch, VOCAB)
    assert {(i.row, i.code) for i in checked.issues} == {(5, "need_line"), (6, "bad_geometry")}
    rows_in = {r.key: r.for_insert() for r in checked.records}
    _, _, straight = GEOD.inv(start[0], start[1], end[0], end[1])
    assert rows_in["NA1"]["length_m"] == pytest.approx(straight, abs=0.1)
    assert rows_in["NA1"]["state"] == "renovating" and rows_in["NA2"]["state"] == "unrenovated"
    assert rows_in["NA2"]["length_m"] == 88.0 and rows_in["NA2"]["district_code"] == a.district_code
    ledger.commit_ledger(scratch, checked, VOCAB)
    assert {"NA1", "NA2"} <= set(scratch.alleys()["id"])


def test_a_deadline_change_alone_is_an_event_that_keeps_history(scratch):
    """An extension (延期) moves the deadline from today on; the days before stay as they were."""
    from civmap.progress import figures as progress

    as_of = scratch.as_of()
    yesterday = as_of - dt.timedelta(days=1)
    problems = scratch.problems()
    late = problems[(problems["status"] == "fixing") & (pd.to_datetime(problems["deadline"]).dt.date < yesterday)]
    problem = late.sort_values("id").iloc[0]
    new_deadline = as_of + dt.timedelta(days=10)

    def overdue_on(day):
        daily = progress.daily_counts(scratch.problems(), scratch.events(), VOCAB, day, day)
        return int(daily["overdue"].iloc[0])

    before = overdue_on(yesterday), overdue_on(as_of)
    rows = [["问题编号", "问题描述", "问题类别", "经度", "纬度", "发现日期", "整改时限", "状态"],
            [problem.id, problem.description, problem.category, problem.lon, problem.lat,
             problem.found_on, new_deadline.isoformat(), "整改中"]]
    checked = ledger.check_file(xlsx(rows, title=None), "延期.xlsx", "problems", scratch, VOCAB)
    assert checked.actions == {problem.id: "update"}
    ledger.commit_ledger(scratch, checked, VOCAB)
    last = scratch.events().query("problem_id == @problem.id").iloc[-1]
    assert (last.from_status, last.to_status) == ("fixing", "fixing")
    assert pd.Timestamp(last.deadline).date() == new_deadline
    assert last.note == "整改时限调整"
    assert pd.Timestamp(scratch.problems().set_index("id").loc[problem.id, "deadline"]).date() == new_deadline
    # Yesterday it was overdue under its old deadline and still is; from today it is not.
    assert (overdue_on(yesterday), overdue_on(as_of)) == (before[0], before[1] - 1)


def test_a_scoped_store_refuses_a_ledger_reaching_outside_its_scope(scratch, city):
    from civmap.storage.scope import Scope

    data, _ = problem_ledger(city)
    street = scratch.problems()["street_code"].dropna().iloc[0]
    narrow = scratch.within(Scope(streets=(street,)))
    checked = ledger.check_file(data, "问题台账.xlsx", "problems", narrow, VOCAB)
    assert checked.records, "the ledger's rows are good; only the scope refuses them"
    before = _snapshot(scratch)
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.commit_ledger(narrow, checked, VOCAB)
    assert refused.value.code == "out_of_scope"
    after = _snapshot(scratch)
    assert after[:2] == before[:2]
    pd.testing.assert_frame_equal(after[2], before[2])
