"""The Circles page (AppTest) and ``python -m civmap circles``: the same membership, cached once."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyproj
import pytest
from streamlit.testing.v1 import AppTest

import civmap.circles.membership
from civmap.cli import main

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
GEOD = pyproj.Geod(ellps="WGS84")


def _metrics(at) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


@pytest.fixture
def page(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/circles.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _cli(monkeypatch, demo_db_url, capsys, *args) -> str:
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    assert main(["circles", *args]) == 0
    return capsys.readouterr().out


def test_page_lists_every_circle_with_members_problems_and_state(page):
    assert page.title[0].value == "重点点位圈"
    metrics = _metrics(page)
    assert metrics["重点点位圈"] == 60
    assert metrics["圈内成员"] >= 353 + 40 + 38
    table = page.dataframe[0].value
    assert len(table) == 60
    assert {"中心类型", "所属区", "点位长", "居民小区", "背街小巷", "公共厕所", "其他测评点位", "未办结问题", "超期问题",
            "状态"} <= set(table.columns)
    assert table["居民小区"].sum() == 353 and table["公共厕所"].sum() == 40 and table["背街小巷"].sum() == 38
    assert set(table["状态"]) <= {"达标", "未达标"}
    assert metrics["达标点位圈"] == (table["状态"] == "达标").sum()
    assert any("超期问题不超过" in c.value for c in page.caption)  # the rule, in words


def test_a_failing_circle_says_why_in_the_page_language(page):
    table = page.dataframe[0].value
    failing = table[table["状态"] == "未达标"]
    assert len(failing), "the demo city has circles not up to standard"
    reasons = failing["未达标原因"]
    assert all(("超期问题" in r or "未办结问题" in r or "点位达标率" in r) for r in reasons)
    assert (table.loc[table["状态"] == "达标", "未达标原因"] == "").all()
    page.selectbox(key="circles_pick").set_value(failing.index[0]).run()
    assert [w.value for w in page.warning] == [reasons.iloc[0]]
    english = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    english.query_params["lang"] = "en"
    english.query_params["circle"] = failing.index[0]
    english.switch_page("pages/circles.py")
    english.run()
    assert not english.exception, english.exception
    shown = english.warning[0].value
    assert any(word in shown for word in ("overdue problems", "open problems", "places up to standard"))


def test_page_and_cli_show_the_same_membership(page, monkeypatch, demo_db_url, capsys):
    listing = pd.DataFrame(json.loads(_cli(monkeypatch, demo_db_url, capsys, "--format", "json")))
    table = page.dataframe[0].value
    cli = listing.set_index("circle_id").loc[table.index]
    for column, group in (("居民小区", "residential"), ("背街小巷", "back_alley"), ("公共厕所", "public_toilet"),
                          ("其他测评点位", "other"), ("未办结问题", "open"), ("超期问题", "overdue")):
        assert table[column].tolist() == cli[group].tolist(), column
    picked = page.selectbox(key="circles_pick").value
    members = pd.read_csv(io.StringIO(_cli(monkeypatch, demo_db_url, capsys, "--members", "--format", "csv")),
                          dtype={"member_id": str})
    shown = page.dataframe[1].value
    assert shown["编号"].tolist() == members.loc[members["circle_id"] == picked, "member_id"].tolist()


def test_picking_a_circle_shows_its_members_and_problems(page):
    second = page.selectbox(key="circles_pick").options[1]
    page.selectbox(key="circles_pick").select(second.split(" ")[0]).run()
    assert not page.exception
    picked = page.selectbox(key="circles_pick").value
    assert page.query_params["circle"] == [picked] or page.query_params["circle"] == picked
    row = page.dataframe[0].value.loc[picked]
    members, problems = page.dataframe[1].value, page.dataframe[2].value
    assert len(members) == row[["居民小区", "背街小巷", "公共厕所", "其他测评点位"]].sum()
    assert len(problems) == row["未办结问题"]
    assert members["距中心（米）"].is_monotonic_increasing and (members["距中心（米）"] <= 300).all()
    assert page.subheader[0].value.startswith(row["点位圈"])


def test_radius_and_kinds_on_the_page_recompute_membership(page):
    before = _metrics(page)
    page.number_input(key="circles_radius").set_value(150).run()
    smaller = _metrics(page)
    assert smaller["圈内成员"] < before["圈内成员"]
    page.multiselect(key="circles_kinds").set_value(["market", "hospital"]).run()
    assert _metrics(page)["重点点位圈"] == 37
    assert set(page.dataframe[0].value["中心类型"]) == {"市场", "医院"}


def test_district_filter_and_sort(page):
    page.multiselect(key="f_districts").select("D02").run()
    table = page.dataframe[0].value
    assert 0 < len(table) < 60 and set(table["所属区"]) == {page.multiselect(key="f_districts").format_func("D02")}
    page.selectbox(key="circles_sort").select("overdue").run()
    assert page.dataframe[0].value["超期问题"].is_monotonic_decreasing


def test_the_rule_on_the_page_changes_states_without_recomputing_membership(page, monkeypatch):
    calls = []
    original = civmap.circles.membership.compute_circle_data

    def counting(*args, **kwargs):
        calls.append(args[6:])  # radius, kinds, tie distance, day
        return original(*args, **kwargs)

    monkeypatch.setattr(civmap.circles.membership, "compute_circle_data", counting)
    page.number_input(key="circles_radius").set_value(290).run()
    assert len(calls) == 1
    met = _metrics(page)["达标点位圈"]
    page.number_input(key="circles_max_open").set_value(50).run()
    page.slider(key="circles_min_standard").set_value(0).run()
    page.number_input(key="circles_max_overdue").set_value(99).run()
    assert _metrics(page)["达标点位圈"] == 60 >= met
    page.run()
    assert len(calls) == 1  # spatial work is cached per data version, radius and kinds


def test_page_speaks_english(page):
    page.selectbox(key="lang").select("en").run()
    assert not page.exception
    assert page.title[0].value == "Key point-circles"
    assert "Residential compound" in page.dataframe[0].value.columns


# -- the command line ---------------------------------------------------------------------
def test_cli_members_print_ids_kinds_coordinates_and_distances(monkeypatch, demo_db_url, capsys):
    out = _cli(monkeypatch, demo_db_url, capsys, "--members", "--format", "csv")
    members = pd.read_csv(io.StringIO(out))
    assert {"circle_id", "centre_id", "centre_lon", "centre_lat", "member_id", "name", "kind", "lon", "lat",
            "distance_m"} <= set(members.columns)
    assert (members.groupby("circle_id")["centre_id"].nunique() == 1).all()
    measured = GEOD.inv(members["centre_lon"].to_numpy(), members["centre_lat"].to_numpy(),
                        members["lon"].to_numpy(), members["lat"].to_numpy())[2]
    assert abs(measured - members["distance_m"]).max() < 0.05
    assert (members["category"] == "residential").sum() == 353


def test_cli_radius_table_and_nested_json(monkeypatch, demo_db_url, capsys):
    table = _cli(monkeypatch, demo_db_url, capsys, "--radius", "200")
    assert "半径 200 米" in table and "QY001" in table
    nested = json.loads(_cli(monkeypatch, demo_db_url, capsys, "--members", "--format", "json", "--kinds", "hospital"))
    assert len(nested) == 5
    assert all(len(c["member_list"]) == c["members"] for c in nested)
    assert {"centre_id", "centre_lon", "centre_lat"} <= set(nested[0])
    text = _cli(monkeypatch, demo_db_url, capsys, "--members", "--kinds", "transport")
    assert "中心点位 CP" in text


def test_cli_ties_reports_counts(monkeypatch, demo_db_url, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    assert main(["ties", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["problems"] == report["summary"]["tied"] + report["summary"]["too_far"]
    assert main(["ties", "--tie-distance", "5", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["too_far"] > 0


def test_cli_bad_input_is_a_message(demo_db_url):
    env = {"CIVMAP_DATABASE_URL": demo_db_url, "PATH": "/usr/bin:/bin"}
    for args, expected in ((["--kinds", "spaceport"], "spaceport"), (["--rule", "max_open=many"], "max_open"),
                           (["--radius", "-3"], "positive")):
        result = subprocess.run([sys.executable, "-m", "civmap", "circles", *args], cwd=ROOT, capture_output=True,
                                text=True, env=env)
        assert result.returncode == 2, args
        assert expected in result.stderr and "Traceback" not in result.stderr
