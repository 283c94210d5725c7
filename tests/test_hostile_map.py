"""Script payloads in every text field: the maps' HTML carries them as data, never as markup."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest

from civmap.circles.membership import load_circle_data
from civmap.circles.map import CircleView, build_circle_map
from civmap.storage import make_engine
from civmap.maps.batches import script_json
from civmap.maps.folium_map import MapLayers, build_map, district_features, map_content, render_html
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from civmap.wall.figures import build_view, wall_city
from civmap.wall.map import build_wall_map
from tests.conftest import AS_OF
from tests.hostile import PAYLOADS, SCRIPT_PAYLOADS, TEMPLATE_PAYLOADS, poison

#: What must never appear raw in a map page: each would end the script, open a comment, or
#: be parsed as an element with an event handler.
FORBIDDEN = ("</script><svg", "<svg onload", "<img src=x", "<!--<script>", "\u2028", "\u2029")


@pytest.fixture(scope="module")
def hostile(demo_db_path, tmp_path_factory) -> Store:
    copy = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    shutil.copy(demo_db_path, copy)
    poison(f"sqlite:///{copy}")
    return Store(make_engine(f"sqlite:///{copy}"))


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _batches(page: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"civmapDraw\([\w_]+, [\w_]+, (\{.*?\})\);\n", page)]


def _div_icons(page: str) -> list[str]:
    """The HTML of every DivIcon (a district label), as Leaflet will put it into the page."""
    return [json.loads(m) for m in re.findall(r'"html": ("(?:[^"\\]|\\.)*")', page)]


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _assert_inert(page: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in page, f"{bad!r} reached the map page raw"
    # Only the page's own scripts: folium's, Leaflet, layers.js (each opened once, closed once).
    assert page.count("<script") == page.count("</script>")
    assert "<svg" not in page and "<img" not in page


@pytest.mark.parametrize("text", [*PAYLOADS, "</SCRIPT >", "a\u2028b\u2029c", "<<>>&&", "普通名称", ""])
def test_script_json_is_inert_in_a_script_and_round_trips(text):
    value = {"rows": [[[25.1, 110.2], 0, text, None, 1.5, {"nested": [text]}]], "title": text}
    out = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    assert "</script" not in out.lower() and "<!--" not in out
    assert json.loads(out) == value


def test_the_city_map_carries_every_payload_as_data(hostile, vocab):
    problems = hostile.problems()
    layers = MapLayers(hostile.districts(), hostile.points(), hostile.circles(), hostile.alleys(),
                       problems[problems["status"].isin(vocab.unresolved_statuses)])
    page = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static"))
    _assert_inert(page)
    batches = _batches(page)
    assert sum(len(b["rows"]) for b in batches) == (len(layers.points) + 2 * len(layers.circles) + len(layers.alleys)
                                                    + len(layers.problems))
    shown = set().union(*(_strings(b) for b in batches))
    # Read back from the page exactly as stored: every field that reaches the map.
    for frame, columns in ((layers.points, ("name", "community", "chief_name", "address", "authority", "unit_name")),
                           (layers.problems, ("description", "chief_name")),
                           (layers.alleys, ("name", "chief_name")), (layers.circles, ("name",))):
        for column in columns:
            assert set(frame[column].dropna()) <= shown, column
    assert set(layers.districts["name"]) <= shown  # the popups' district field
    labels = _div_icons(page)
    for name in layers.districts["name"]:
        assert f'<div class="civmap-district-label">{html.escape(name)}</div>' in labels
    for payload in SCRIPT_PAYLOADS + TEMPLATE_PAYLOADS:  # template code is text, never run
        assert any(payload in s for s in shown)
    # Sent apart after a filter change (fetched as JSON, drawn in place): the same batches,
    # the same text, and nothing in it that could end a script or open a tag.
    sent = map_content(layers, vocab, "zh", AS_OF).layers_json()
    assert "<" not in sent and ">" not in sent
    slots = json.loads(sent)["slots"]
    assert [b for batches in slots.values() for b in batches] == batches


def test_district_tooltips_and_labels_get_escaped_names(hostile):
    districts = hostile.districts()
    features = district_features(districts)
    assert list(features.columns) == ["code", "label", "geometry"]
    assert [html.unescape(label) for label in features["label"]] == districts["name"].tolist()
    assert not any("<" in label for label in features["label"])


def test_the_circle_map_and_the_wall_map_are_inert(hostile, vocab):
    data = load_circle_data(hostile, vocab, 300, ("market", "hospital", "transport", "community"), 100, AS_OF)
    circle_id = data.members["circle_id"].value_counts().index[0]
    members = data.members[data.members["circle_id"] == circle_id]
    points, alleys = hostile.points(), hostile.alleys()
    view = CircleView(hostile.districts(), data.circles[data.circles["id"] == circle_id], members,
                      points[points["id"].isin(members["member_id"])], alleys[alleys["id"].isin(members["member_id"])],
                      data.problems[(data.problems["circle_id"] == circle_id) & data.problems["open"]])
    page = render_html(build_circle_map(view, vocab, "zh", AS_OF, "/app/static"))
    _assert_inert(page)
    shown = set().union(*(_strings(b) for b in _batches(page)))
    assert view.circle["name"].iloc[0] in shown and set(view.members["name"]) <= shown

    city = wall_city(hostile.districts(), hostile.points(), hostile.circles(), hostile.problems(), hostile.events())
    wall = build_view(city, None, vocab, AS_OF, AS_OF)
    page = render_html(build_wall_map(city.districts, wall.standing, wall.city_score, wall.problems, vocab, AS_OF, "/app/static"))
    _assert_inert(page)
    labels = _div_icons(page)
    for name in city.districts["name"]:
        assert any(f"<b>{html.escape(name)}</b>" in label for label in labels), name
    assert any(name.startswith(TEMPLATE_PAYLOADS) for name in city.districts["name"])


def test_a_unit_named_like_a_link_stays_text_in_the_ranking_chart():
    import pandas as pd

    from civmap.progress.charts import ranking_chart

    table = pd.DataFrame({"code": ["U1"], "name": ['<a href="http://x">恶意</a>'], "on_time_rate": [0.5],
                          "closed": [1], "overdue": [0], "mark": [None]})
    labels = list(ranking_chart(table, "zh").data[0].y)
    assert labels == ['&lt;a href=&quot;http://x&quot;&gt;恶意&lt;/a&gt;']
