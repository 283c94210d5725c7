"""The city map's colours: one meaning each, and readable by colour-blind viewers.

Every colour the city map draws (``layer_colors``: statuses, the overdue ring, the
circles' ring, alley states, the points' white) is simulated for protanopia,
deuteranopia and tritanopia (Machado et al. 2009) and compared by CIEDE2000.
"""

from __future__ import annotations

import json
import re

import pytest

from civmap.maps.folium_map import (DASHES, OVERDUE_COLOR, POINT_FILL, MapLayers, build_map, centre_dashes,
                                    dash_gradient, layer_colors, render_html)
from civmap.maps.palette import VISIONS, cross_layer_clashes, delta_e, delta_e_lab, layer_clashes, simulate
from civmap.vocab import load_vocabulary
from tests.conftest import AS_OF

#: Classes of one layer (dots of one size, lines of one width) must differ by this much
#: for every viewer; small marks need far more than the ~2 of a just-noticeable difference.
WITHIN = 10.0
#: Colours of different layers must differ by this much to normal vision, so that no
#: colour means two things (the mark's shape already tells layers apart to everyone).
ACROSS = 12.0


@pytest.mark.parametrize("lab1, lab2, expected", [
    # Sharma, Wu and Dalal (2005), Table 1: pairs 1, 2, 3, 17, 18 and 25.
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
])
def test_ciede2000_matches_the_published_test_pairs(lab1, lab2, expected):
    assert delta_e_lab(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert delta_e_lab(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_keeps_greys_and_merges_what_it_should():
    for grey in ("#000000", "#777777", "#ffffff"):
        for vision in VISIONS:
            assert delta_e(simulate(grey, vision), grey) < 1.0, (grey, vision)
    red, green = "#d62728", "#2ca02c"
    assert delta_e(red, green) > 40
    assert delta_e(simulate(red, "deutan"), simulate(green, "deutan")) < 20  # the classic confusion
    assert delta_e(simulate("#0000ff", "tritan"), simulate("#008080", "tritan")) < \
        delta_e("#0000ff", "#008080")  # tritans lose blue-green contrast
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        simulate("red", "normal")


def test_the_old_palette_fails_the_check():
    """The check can fail: red was 整改中, 市场 and 未改造 at once."""
    old = {"problems": {"fixing": "#ef4444", "found": "#f59e0b"}, "circles": {"market": "#dc2626"},
           "alleys": {"unrenovated": "#ef4444", "renovating": "#f59e0b"}}
    assert cross_layer_clashes(old, ACROSS)
    assert layer_clashes("problems", {"fixing": "#ef4444", "assigned": "#f97316"}, WITHIN)


def test_each_layer_is_readable_by_every_viewer():
    colors = layer_colors(load_vocabulary())
    assert set(colors) == {"problems", "overdue", "circles", "alleys", "points"}
    for layer, classes in colors.items():
        assert layer_clashes(layer, classes, WITHIN) == [], layer


def test_no_colour_means_two_things():
    colors = layer_colors(load_vocabulary())
    assert cross_layer_clashes(colors, ACROSS) == []
    # Red is overdue alone: nothing else on the map is near it.
    others = [c for layer, classes in colors.items() if layer != "overdue" for c in classes.values()]
    assert min(delta_e(OVERDUE_COLOR, c) for c in others) >= ACROSS


def test_circles_are_one_colour_and_told_apart_by_their_dash():
    vocab = load_vocabulary()
    assert len(set(vocab.colors("centre_kinds").values())) == 1
    dashes = centre_dashes(vocab)
    assert set(dashes) == set(vocab.centre_kinds.index)
    assert len(set(dashes.values())) == len(dashes)
    without = type(vocab)(**{**vocab.__dict__, "centre_kinds": vocab.centre_kinds.drop(columns="dash")})
    assert list(centre_dashes(without).values()) == list(DASHES[:len(dashes)])


@pytest.fixture(scope="module")
def city_map(demo_store):
    vocab = load_vocabulary()
    problems = demo_store.problems()
    layers = MapLayers(demo_store.districts(), demo_store.points(), demo_store.circles(), demo_store.alleys(),
                       problems[problems["status"].isin(vocab.unresolved_statuses)])
    return layers, render_html(build_map(layers, vocab, "zh", AS_OF, "/app/static"))


def _batches(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"civmapDraw\([\w_]+, [\w_]+, (\{.*?\})\);\n", html)]


def test_the_map_draws_only_the_checked_colours_and_the_legend_shows_them(city_map):
    layers, html = city_map
    checked = {c.lower() for classes in layer_colors(load_vocabulary()).values() for c in classes.values()}
    drawn = set()
    for batch in _batches(html):
        for used in {row[1] for row in batch["rows"]}:
            style = batch["styles"][used]
            drawn |= {style[k].lower() for k in ("color", "fillColor") if k in style}
    drawn -= {"#ffffff", "#475569"}  # white edges round dots, the points' grey edge
    assert drawn <= checked, drawn - checked
    points = next(b for b in _batches(html) if b["kind"] == "point" and len(b["rows"]) == len(layers.points))
    assert [s["fillColor"] for s in points["styles"]] == [POINT_FILL]
    legend = html[html.index('<details class="civmap-legend'):]
    legend = legend[:legend.index("</details>\n") if "</details>\n" in legend else len(legend)]
    for color in drawn:  # the legend is true: every colour drawn is explained
        assert color in legend.lower(), color
    assert {c.lower() for c in re.findall(r"background:(#[0-9a-fA-F]{6})", legend)} <= drawn | {POINT_FILL}
    for dash in centre_dashes(load_vocabulary()).values():
        assert f'data-dash="{dash}"' in legend
    assert dash_gradient("#7c3aed", "") == "#7c3aed"
    assert dash_gradient("#7c3aed", "10 5") == \
        "repeating-linear-gradient(to right, #7c3aed 0px 10px, transparent 10px 15px)"
    assert dash_gradient("#000000", "3") == \
        "repeating-linear-gradient(to right, #000000 0px 3px, transparent 3px 6px)"
