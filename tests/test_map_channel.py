"""The map as a control: features carry their layer and id, picks are read safely, details match popups."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from civmap.maps.tables import feature_details, point_table, problem_table
from civmap.maps.batches import batch_payload
from civmap.ui.mapchannel import MapPick, read_pick
from civmap.vocab import load_vocabulary


def test_a_batch_names_its_layer_and_each_features_id(demo_store):
    points = demo_store.points().head(3)
    payload = batch_payload(points, "point", points["category"].tolist(), {"x": {}}, [], title="name",
                            layer="points", key="id")
    assert payload["layer"] == "points"
    assert [row[2 + payload["key"]] for row in payload["rows"]] == points["id"].tolist()


def test_a_batch_without_a_key_names_no_feature(demo_store):
    points = demo_store.points().head(2)
    payload = batch_payload(points, "point", points["category"].tolist(), {"x": {}}, [], title="name")
    assert payload["layer"] is None and payload["key"] is None


@pytest.mark.parametrize("value", [None, "P1", 3, [], {}])
def test_a_value_that_is_not_a_pick_is_nothing(value):
    assert read_pick(value, None) == (None, None)


def test_a_click_is_read_once_and_the_same_feature_clicked_again_is_a_new_pick():
    first = {"layer": "problems", "id": "WT1", "n": 1, "t": 1000}
    pick, token = read_pick(first, None)
    assert pick == MapPick("problems", "WT1")
    assert read_pick(first, token) == (None, token)  # a rerun with the same value
    again, token2 = read_pick({**first, "n": 2, "t": 2000}, token)
    assert again == MapPick("problems", "WT1") and token2 != token


@pytest.mark.parametrize("value", [
    {"layer": "secrets", "id": "x", "n": 1, "t": 1},
    {"layer": "problems", "id": "", "n": 1, "t": 1},
    {"layer": "problems", "id": "   ", "n": 1, "t": 1},
    {"layer": "problems", "id": 7, "n": 1, "t": 1},
])
def test_a_pick_a_page_cannot_use_is_ignored_not_raised(value):
    pick, token = read_pick(value, None)
    assert pick is None and token == (1, 1)


def test_details_show_the_popups_fields_in_the_ui_language(demo_store):
    vocab = load_vocabulary()
    problems = demo_store.problems()
    names = demo_store.district_names()
    frame, fields = problem_table(problems, vocab, "zh", names, demo_store.as_of())
    row = problems.iloc[0]
    title, lines = feature_details(frame, fields, row["id"], title="description")
    assert title == row["description"]
    shown = dict(lines)
    assert shown["编号"] == row["id"]
    assert shown["状态"] == vocab.labels("statuses", "zh")[row["status"]]
    assert shown["所属区"] == names[row["district_code"]]
    _, english = feature_details(*problem_table(problems, vocab, "en", names, demo_store.as_of()), row["id"],
                                 title="description")
    assert dict(english)["Status"] == vocab.labels("statuses", "en")[row["status"]]


def test_details_leave_out_blank_cells_and_format_rates_as_the_popup_does():
    vocab = load_vocabulary()
    code = vocab.codes("point_categories")[0]
    points = pd.DataFrame({"id": ["P1"], "name": ["<b>点</b>"], "category": [code], "district_code": ["D01"],
                           "community": [None], "chief_name": [""], "unit_name": ["单位"], "authority": [None],
                           "address": ["某路1号"], "inspected_on": [dt.date(2026, 11, 3)], "score_rate": [0.9134],
                           "up_to_standard": [True]})
    frame, fields = point_table(points, vocab, "zh", {"D01": "江城区"})
    title, lines = feature_details(frame, fields, "P1")
    shown = dict(lines)
    assert title == "<b>点</b>"  # text as it is: the page escapes it where it shows it
    assert shown["最近测评得分率"] == "91.3%"
    assert shown["最近测评日期"] == "2026-11-03"
    assert "点位长" not in shown and "社区" not in shown


def test_an_unknown_id_is_not_found():
    vocab = load_vocabulary()
    frame, fields = point_table(pd.DataFrame({"id": ["P1"], "name": ["a"], "category": ["x"], "district_code": ["D"],
                                              "up_to_standard": [False]}), vocab, "zh", {})
    assert feature_details(frame, fields, "P2") is None


def test_a_view_the_map_asks_for_is_read_and_anything_else_ignored():
    from civmap.ui.mapchannel import read_view

    good = {"view": {"bounds": [25.2, 110.2, 25.3, 110.3], "zoom": 16, "layers": ["problems"]}}
    view = read_view(good)
    assert view.bounds == (25.2, 110.2, 25.3, 110.3) and view.zoom == 16 and view.layers == ("problems",)
    assert view.key == '{"bounds":[25.2,110.2,25.3,110.3],"zoom":16,"layers":["problems"]}'
    for bad in (None, {}, {"view": "x"}, {"view": {**good["view"], "bounds": [25.3, 110.2, 25.2, 110.3]}},
                {"view": {**good["view"], "bounds": [1, 2, 3]}}, {"view": {**good["view"], "bounds": ["nan", 0, 1, 1]}},
                {"view": {**good["view"], "zoom": 99}}, {"view": {**good["view"], "layers": ["users"]}},
                {"view": {**good["view"], "layers": []}}, {"layer": "problems", "id": "P1", "n": 1, "t": 2}):
        assert read_view(bad) is None, bad


def test_a_view_is_not_a_pick():
    from civmap.ui.mapchannel import read_pick

    assert read_pick({"view": {"bounds": [0, 0, 1, 1], "zoom": 16, "layers": ["problems"]}}, (3, 4)) == (None, (3, 4))


def test_the_maps_shown_report_is_no_pick_and_keeps_the_view_it_carries():
    """mapframe.js reports a drawn map ({shown, token}) with the view the map asked for as it
    loaded, which the report replaced as the component's one value: the view is still read."""
    from civmap.ui.mapchannel import read_pick, read_view

    view = {"bounds": [25.2, 110.2, 25.3, 110.3], "zoom": 16, "layers": ["problems"]}
    assert read_pick({"shown": "m1", "token": "t1"}, (3, 4)) == (None, (3, 4))
    assert read_view({"shown": "m1", "token": "t1"}) is None
    report = {"shown": "m1", "token": "t1", "view": view, "map": "m1"}
    assert read_pick(report, (3, 4)) == (None, (3, 4)) and read_view(report).layers == ("problems",)


def test_the_map_page_is_served_by_the_app_under_its_base_path(monkeypatch):
    """The component is sent where the page is, not the page: its frame fetches it from the
    app (under the base URL path a proxy gives the app), and it reads back byte for byte."""
    import streamlit as st
    from streamlit import runtime
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from civmap.ui import mapchannel

    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    monkeypatch.setattr(runtime, "get_instance", lambda: type("Runtime", (), {"media_file_mgr": manager})())
    page = "<!doctype html><p>地图 {{ 7*7 }}</p>"
    for base, prefix in (("", "/media/"), ("/civmap/", "/civmap/media/")):
        monkeypatch.setattr(st, "get_option", lambda name, base=base: base if name == "server.baseUrlPath" else None)
        url = mapchannel._served(page, "overview_map")
        assert url.startswith(prefix) and url.endswith(".html"), url
        served = storage.get_file(url.rsplit("/", 1)[1].split(".")[0])
        assert served.content == page.encode("utf-8") and served.mimetype == "text/html"
