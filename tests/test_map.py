"""The city map as built in Python: every feature in a batch, nothing fetched from outside."""

import json
import re

import pytest

from civmap.maps.batches import Field, batch_payload
from civmap.maps.folium_map import MapLayers, TileConfig, build_map, render_html
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def layers(demo_store):
    vocab = load_vocabulary()
    problems = demo_store.problems()
    return MapLayers(demo_store.districts(), demo_store.points(), demo_store.circles(), demo_store.alleys(),
                     problems[problems["status"].isin(vocab.unresolved_statuses)])


def _batches(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"civmapDraw\([\w_]+, [\w_]+, (\{.*?\})\);\n", html)]


def test_every_feature_is_drawn_once(layers):
    html = render_html(build_map(layers, load_vocabulary(), "zh", AS_OF, "/app/static"))
    batches = _batches(html)
    kinds = [(b["kind"], len(b["rows"])) for b in batches]
    assert ("point", len(layers.points)) in kinds
    assert ("circle", len(layers.circles)) in kinds
    assert ("line", len(layers.alleys)) in kinds
    assert ("point", len(layers.problems)) in kinds
    assert "江城区" in html and "重点点位圈" in html and "背街小巷" in html


def test_the_page_references_no_other_host(layers):
    html = render_html(build_map(layers, load_vocabulary(), "zh", AS_OF, "/app/static"))
    assert not re.findall(r"""(?:src|href)=["']https?://""", html)
    assert "cdn" not in html.lower()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(s.startswith("/app/static/") for s in scripts)


def test_overdue_problems_have_their_own_style(layers):
    vocab = load_vocabulary()
    html = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static"))
    problem_batch = next(b for b in _batches(html) if b["kind"] == "point" and len(b["rows"]) == len(layers.problems))
    overdue_styles = {i for i, st in enumerate(problem_batch["styles"]) if st["color"] == "#b91c1c"}
    used = {row[1] for row in problem_batch["rows"]}
    assert used & overdue_styles, "some problems are drawn as overdue"
    assert used - overdue_styles, "and some are not"


def test_popup_fields_hold_what_a_user_needs(layers):
    html = render_html(build_map(layers, load_vocabulary(), "zh", AS_OF, "/app/static"))
    problem_batch = [b for b in _batches(html) if b["kind"] == "point"][-1]
    labels = [f[0] for f in problem_batch["fields"]]
    for wanted in ("类别", "位置", "所属区", "发现日期", "整改时限", "状态", "责任单位", "点位长"):
        assert wanted in labels
    points_batch = _batches(html)[0]
    assert {"类别", "所属区", "点位长", "责任单位"} <= {f[0] for f in points_batch["fields"]}


def test_english_labels(layers):
    html = render_html(build_map(layers, load_vocabulary(), "en", AS_OF, "/app/static"))
    assert "Key point-circles" in html and "Farmers' market" in html


def test_batch_payload_sends_categories_once():
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"cat": ["a", "b", "a"], "name": ["x", "y", "z"]},
                             geometry=[Point(110.1, 25.1), Point(110.2, 25.2), Point(110.3, 25.3)], crs=4326)
    payload = batch_payload(frame, "point", frame["cat"].tolist(), {"a": {"color": "#111111"}, "b": {}},
                            [Field("类别", "cat", "dict")], title="name")
    assert payload["dicts"]["0"] == ["a", "b"]
    assert [row[1] for row in payload["rows"]] == [0, 1, 0]
    assert payload["rows"][0][0] == [25.1, 110.1], "Leaflet order: lat, lon"
    with pytest.raises(ValueError):
        batch_payload(frame, "polygon", [], {}, [])


def test_configured_tiles_appear_only_when_asked(layers):
    vocab = load_vocabulary()
    html = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static", tiles=TileConfig("osm")))
    assert "tile.openstreetmap.org" in html
    empty = MapLayers(layers.districts, layers.points.iloc[0:0], layers.circles.iloc[0:0],
                      layers.alleys.iloc[0:0], layers.problems.iloc[0:0])
    assert "civmapDraw" not in render_html(build_map(empty, vocab, "zh", AS_OF, "/app/static"))


def test_street_outlines_and_names_are_drawn_from_their_zoom_as_text(demo_store):
    from civmap.maps.areas import AREA_ZOOMS, area_payload

    areas = demo_store.areas(None)
    streets = areas[areas["level"] == "street"]
    hostile = streets.assign(name=["</script><img src=x onerror=alert(1)>"] + streets["name"].tolist()[1:])
    payload = area_payload(hostile)
    level = payload["levels"]["street"]
    assert level["zoom"] == AREA_ZOOMS["street"] and len(level["areas"]) == len(streets)
    assert level["areas"][0]["name"] == "</script><img src=x onerror=alert(1)>"  # text, set as text by layers.js
    assert payload["levels"]["community"]["areas"] == []
    layers = MapLayers(demo_store.districts(), demo_store.points().head(0), demo_store.circles().head(0),
                       demo_store.alleys().head(0), demo_store.problems().head(0), subareas=hostile)
    html = render_html(build_map(layers, load_vocabulary(), "zh", demo_store.as_of(), "/app/static"))
    assert "civmapAreas(" in html
    # no feature batch here (a store with boundaries only): the area base brings layers.js itself
    assert html.count('src="/app/static/civmap/layers.js"') == 1
    assert "</script><img" not in html and "\\u003c/script\\u003e" in html
