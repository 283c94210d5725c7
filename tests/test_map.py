"""The city map as built in Python: every feature in a batch, nothing fetched from outside."""

import json
import re

import pytest

from civmap.figures import overdue_mask
from civmap.maps.batches import Field, batch_payload
from civmap.maps.folium_map import MapLayers, TileConfig, build_map, map_content, render_html
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


def test_a_filter_change_can_send_the_layers_alone(layers, demo_store):
    """What a filter changes (the feature layers, the legend, the bounds) goes to an open map
    apart from its page (civmap.ui.mapchannel): the same batches as the page draws, into the
    slot of each layer, and bounds that open on the districts picked."""
    vocab = load_vocabulary()
    picked = ("D02",)
    content = map_content(layers, vocab, "zh", AS_OF, fit=picked)
    html = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static", fit=picked, content=content))
    sent = json.loads(content.layers_json())
    assert list(sent["slots"]) == ["layer.points", "layer.circles", "layer.alleys", "layer.problems"]
    assert [b for batches in sent["slots"].values() for b in batches] == _batches(html)
    for key in sent["slots"]:
        assert "civmapSlot(" in html and f'"{key}");' in html
    assert sent["legend"].startswith('<details class="civmap-legend') and sent["legend"] in html
    district = demo_store.districts().set_index("code").loc["D02", "geometry"]
    minx, miny, maxx, maxy = district.bounds
    assert sum(sent["fit"], []) == pytest.approx([miny, minx, maxy, maxx])
    assert "civmapFit(" in html
    # the whole city when no district is picked, and an empty layer is an empty slot
    empty = MapLayers(layers.districts, layers.points.head(0), layers.circles.head(0), layers.alleys.head(0),
                      layers.problems.head(0))
    whole = json.loads(map_content(empty, vocab, "zh", AS_OF).layers_json())
    minx, miny, maxx, maxy = layers.districts.total_bounds
    assert sum(whole["fit"], []) == pytest.approx([miny, minx, maxy, maxx])
    assert all(batches == [] for batches in whole["slots"].values())


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


def test_batch_cells_are_json_values_with_blanks_as_null():
    """Columns are converted whole: text, numbers and flags as they are, a blank (None, NaN,
    pandas' NA) as null, a date as its ISO day, whatever the column's type."""
    import datetime as dt

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({
        "text": pd.Series(["甲", None, "c"], dtype="string"), "plain": ["x", np.nan, "z"],
        "number": [1.25, np.nan, 3.0], "count": [1, 2, 3], "flag": [True, False, True],
        "day": [dt.date(2026, 12, 3), None, dt.date(2026, 1, 2)],
        "stamp": pd.to_datetime(["2026-12-03 08:00", None, "2026-01-02 00:00"]),
    }, geometry=[Point(110.1, 25.1), Point(110.2, 25.2), Point(110.3, 25.3)], crs=4326)
    columns = list(frame.columns.drop("geometry"))
    payload = batch_payload(frame, "point", ["a"] * 3, {"a": {}}, [Field(c, c) for c in columns])
    assert [row[2:] for row in payload["rows"]] == [
        ["甲", "x", 1.25, 1, True, "2026-12-03", "2026-12-03"],
        [None, None, None, 2, False, None, None],
        ["c", "z", 3.0, 3, True, "2026-01-02", "2026-01-02"]]
    assert json.loads(json.dumps(payload)) == payload


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


def test_a_layer_too_big_to_read_is_sent_as_counted_cells_not_features(demo_store):
    """Every problem of the demo city (about 15,000) is more than a map can show one by one:
    the page holds cells whose counts add up to the layer, and not one problem of it."""
    from civmap.maps.cells import AGGREGATE_ABOVE, MIN_CELL_ZOOM

    vocab = load_vocabulary()
    problems = demo_store.problems()
    assert len(problems) > AGGREGATE_ABOVE
    layers = MapLayers(demo_store.districts(), demo_store.points(), demo_store.circles(), demo_store.alleys(), problems)
    html = render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static"))
    cells = [b for b in _batches(html) if b["kind"] == "cells"]
    assert [b["layer"] for b in cells] == ["problems"]
    batch = cells[0]
    assert batch["total"] == len(problems) and batch["rows"] == []
    assert MIN_CELL_ZOOM < batch["detailZoom"] <= 17
    assert sorted(map(int, batch["cells"])) == list(range(MIN_CELL_ZOOM, batch["detailZoom"]))
    overdue = int(overdue_mask(problems, vocab, AS_OF).sum())
    for level in batch["cells"].values():
        assert sum(cell[2] for cell in level) == len(problems)
        assert sum(cell[3] for cell in level) == overdue
    finer = [len(batch["cells"][str(z)]) for z in range(MIN_CELL_ZOOM, batch["detailZoom"])]
    assert finer == sorted(finer) and finer[-1] > finer[0]      # cells split as the map zooms in
    assert not any(pid in html for pid in problems["id"].head(50))
    assert len(html) < len(render_html(build_map(replace_problems(layers, problems.head(AGGREGATE_ABOVE)), vocab,
                                                 "zh", AS_OF, "/app/static")))


def replace_problems(layers, problems):
    from dataclasses import replace

    return replace(layers, problems=problems)


def test_the_detail_of_a_view_is_its_features_and_only_them(demo_store):
    from civmap.maps.folium_map import map_detail

    vocab = load_vocabulary()
    problems = demo_store.problems()
    layers = MapLayers(demo_store.districts(), demo_store.points(), demo_store.circles(), demo_store.alleys(), problems)
    lat, lon = problems.geometry.y, problems.geometry.x
    box = (float(lat.quantile(0.45)), float(lon.quantile(0.45)), float(lat.quantile(0.55)), float(lon.quantile(0.55)))
    inside = problems[(lat >= box[0]) & (lat <= box[2]) & (lon >= box[1]) & (lon <= box[3])]
    batches = map_detail(layers, vocab, "zh", AS_OF, TileConfig(), box, ("problems", "points"))
    assert [b["layer"] for b in batches] == ["problems"]          # the points are few enough to be sent whole
    ids = sorted(row[2 + batches[0]["key"]] for row in batches[0]["rows"])
    assert ids == sorted(inside["id"]) and 0 < len(ids) < len(problems)
    assert map_detail(layers, vocab, "zh", AS_OF, TileConfig(), box, ("points",)) == []


def test_at_the_detail_zoom_no_screenful_holds_more_than_the_limit():
    import numpy as np

    from civmap.maps.cells import MAX_DETAIL_ZOOM, detail_zoom, pixel_xy

    rng = np.random.default_rng(7)
    # A dense old town inside a sparse city.
    lat = np.concatenate([rng.uniform(25.20, 25.34, 20_000), rng.normal(25.27, 0.015, 30_000)])
    lon = np.concatenate([rng.uniform(110.20, 110.36, 20_000), rng.normal(110.29, 0.015, 30_000)])
    zoom = detail_zoom(lat, lon, limit=4_000)
    assert zoom <= MAX_DETAIL_ZOOM
    x, y = pixel_xy(lat, lon, zoom)
    for cx, cy in zip(x[rng.integers(0, len(x), 200)], y[rng.integers(0, len(y), 200)]):
        in_view = (np.abs(x - cx) <= 512) & (np.abs(y - cy) <= 512)
        assert in_view.sum() <= 4_000
    wide = pixel_xy(lat, lon, zoom - 1)
    assert max(((np.abs(wide[0] - cx) <= 512) & (np.abs(wide[1] - cy) <= 512)).sum()
               for cx, cy in zip(wide[0][::500], wide[1][::500])) > 4_000 / 9  # not deeper than it needs


def test_layers_narrowed_in_memory_are_the_layers_the_store_reads(demo_store):
    import datetime as dt

    from civmap.filters import Filters
    from civmap.maps.folium_map import narrowed

    city = MapLayers(demo_store.districts(), demo_store.points(), demo_store.circles(), demo_store.alleys(),
                     demo_store.problems())
    unit = city.problems["unit_code"].dropna().iloc[0]
    for filters in (Filters(districts=("D03",)), Filters(districts=("D01", "D05"), point_categories=("school",),
                                                         problem_categories=("street_vending",)),
                    Filters(units=(unit,), sources=("hotline_12345",), found_from=dt.date(2026, 9, 1),
                            found_until=dt.date(2026, 11, 1))):
        mine = narrowed(city, filters)
        for name in ("points", "circles", "alleys", "problems"):
            assert sorted(getattr(mine, name)["id"]) == sorted(getattr(demo_store, name)(filters)["id"]), (filters, name)


def test_the_warm_up_fills_the_whole_citys_map_with_the_whole_city(app_env, demo_store):
    vocab = load_vocabulary()
    """The warm-up thread has no session: what it caches under the whole city's key must be the
    whole city, never the nothing a session-less scope reads (every visitor would get an empty
    map until the data changed)."""
    import threading

    from civmap.filters import Filters
    from civmap.storage.scope import WHOLE_CITY
    from civmap.ui import core

    version = demo_store.data_version()
    filters = Filters(statuses=tuple(vocab.unresolved_statuses))
    worker = threading.Thread(target=core.warm_overview, args=(version, WHOLE_CITY, filters, 500))
    worker.start()
    worker.join()
    html = core._map_page(version, WHOLE_CITY, filters, "zh", demo_store.as_of(), core.asset_base(), 500).html
    problems = demo_store.problems()
    unresolved = problems[problems["status"].isin(vocab.unresolved_statuses)]
    assert len(unresolved) > 0 and all(f"\"{pid}\"" in html for pid in unresolved["id"])  # every open one
