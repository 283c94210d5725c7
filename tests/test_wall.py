"""The command wall's data, map and panels, without a browser."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest

from civmap import clock
from civmap.progress import figures as progress
from civmap.figures import headline
from civmap.vocab import load_vocabulary
from civmap.wall.figures import (PERSONAL_COLUMNS, WallOptions, advance, build_view, carousel_order, district_rates,
                         parse_options, strip_personal, wall_city)
from civmap.maps.folium_map import render_html
from civmap.wall.map import NO_DATA_COLOR, RATE_COLORS, build_wall_map, rate_color, rate_domain
from civmap.wall.html import (figures_html, header_html, notice_html, ranking_html, trend_html, trend_svg,
                              verdict_html)

AS_OF = clock.today()
ASSESSMENT = AS_OF + dt.timedelta(days=100)
CODES = ["D01", "D02", "D03"]


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def city(demo_store):
    s = demo_store
    return wall_city(s.districts(), s.points(), s.circles(), s.problems(), s.events())


@pytest.fixture(scope="module")
def phones(demo_store) -> set[str]:
    found = set()
    for frame in (demo_store.points(), demo_store.circles(), demo_store.alleys()):
        found |= {str(p) for p in frame["chief_phone"].dropna() if str(p).strip()}
    assert len(found) > 100
    return found


# -- options and carousel --------------------------------------------------------------
def test_options_default_to_the_whole_city_refreshed_every_minute():
    options, problems = parse_options({}, CODES)
    assert problems == ()
    assert options == WallOptions(district=None, carousel=False, every=30, refresh=60)
    assert options.tick == 60


def test_options_read_district_carousel_and_intervals():
    options, problems = parse_options({"district": "D02", "carousel": "1", "every": "20", "refresh": "45"}, CODES)
    assert problems == ()
    assert (options.district, options.carousel, options.every, options.refresh) == ("D02", True, 20, 45)
    assert options.tick == 20
    assert parse_options({"carousel": "0", "refresh": "5"}, CODES)[0].tick == 5


@pytest.mark.parametrize("named, value, reason", [
    ("district", "D99", "unknown_code"), ("every", "soon", "not_seconds"), ("refresh", "0", "out_of_range"),
    ("carousel", "maybe", "not_a_switch"), ("refresh", "inf", "not_seconds"), ("every", "-inf", "not_seconds"),
    ("refresh", "nan", "not_seconds"), ("refresh", "1e999", "not_seconds"), ("every", "-5", "out_of_range"),
    ("refresh", "86401", "out_of_range"),
])
def test_a_bad_option_is_named_and_its_default_used(named, value, reason):
    options, problems = parse_options({named: value, "district": "D02"} if named != "district" else {named: value},
                                      CODES)
    assert [(p.param, p.value, p.reason) for p in problems] == [(named, value, reason)]
    assert options == WallOptions(district=None if named == "district" else "D02")


def test_an_unreadable_store_skips_the_district_check():
    assert parse_options({"district": "D09"}, None) == (WallOptions(district="D09"), ())


def test_the_carousel_visits_the_city_then_every_district_and_wraps():
    order = carousel_order(CODES)
    seen, view = [], None
    for _ in range(5):
        view = advance(order, view)
        seen.append(view)
    assert seen == ["D01", "D02", "D03", None, "D01"]
    assert advance(order, "gone") is None


# -- no personal data ------------------------------------------------------------------
def test_personal_columns_are_stripped(city):
    frame = pd.DataFrame({"id": [1], "chief_name": ["王"], "chief_phone": ["13800000000"], "contact_mobile": ["1"],
                          "unit_email": ["a@b"], "name": ["x"]})
    assert list(strip_personal(frame).columns) == ["id", "name"]
    for frame in (city.points, city.circles, city.problems, city.events):
        assert not set(frame.columns) & set(PERSONAL_COLUMNS)
        assert not [c for c in frame.columns if "phone" in c]


def test_the_wall_map_carries_no_phone_number(city, vocab, phones):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    html = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF, "/app/static"))
    digits = set(re.findall(r"\d{11}", html))
    assert not digits & phones
    assert "chief" not in html


# -- figures ---------------------------------------------------------------------------
def test_city_figures_match_the_store(city, demo_store, vocab):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    expected = headline(demo_store.points(), demo_store.circles(), demo_store.alleys(), demo_store.problems(),
                        vocab, AS_OF)
    daily = progress.daily_counts(demo_store.problems(), demo_store.events(), vocab,
                                  AS_OF - dt.timedelta(days=6), AS_OF)
    f = view.figures
    assert (f.points, f.circles, f.open, f.overdue) == (expected.points, expected.circles, expected.open,
                                                        expected.overdue)
    assert f.closing_rate == pytest.approx(expected.closing_rate)
    assert f.closed_week == int(daily["closed"].sum()) > 0
    assert f.days_left == 100
    assert f.circles_up is None and f.values()["circles"] == expected.circles


def test_district_figures_match_the_scoped_store(city, demo_store, vocab):
    view = build_view(city, "D02", vocab, AS_OF, ASSESSMENT)
    d02 = demo_store.scoped(["D02"])
    expected = headline(d02.points(), d02.circles(), d02.alleys(), d02.problems(), vocab, AS_OF)
    assert (view.figures.points, view.figures.circles, view.figures.open, view.figures.overdue) == \
        (expected.points, expected.circles, expected.open, expected.overdue)
    assert set(view.problems["district_code"]) == {"D02"}
    assert len(view.standing) == len(demo_store.districts())  # the lists always rank every district
    assert set(view.standing["mark"].dropna()) == {"red", "black"}


def test_circle_states_give_circles_up_to_standard(demo_store, vocab):
    states = pd.DataFrame({"circle_id": ["C1", "C2", "C3"], "district_code": ["D01", "D01", "D02"],
                           "state": ["met", "not_met", "met"], "chief_phone": ["1", "2", "3"]})
    s = demo_store
    city = wall_city(s.districts(), s.points(), s.circles(), s.problems(), s.events(), states)
    assert "chief_phone" not in city.circle_states
    assert build_view(city, None, vocab, AS_OF, ASSESSMENT).figures.values()["circles"] == 2
    d01 = build_view(city, "D01", vocab, AS_OF, ASSESSMENT).figures
    assert (d01.circles_up, d01.circles) == (1, 2)


def test_district_rates_add_up_to_the_city(city, vocab):
    names = {**city.district_names(), "D99": "空区"}
    rates = district_rates(names, city.problems, vocab, AS_OF)
    assert list(rates["code"]) == list(names)
    assert rates["problems"].sum() == len(city.problems)
    assert rates["closed"].sum() == int(city.problems["status"].isin(vocab.closed_statuses).sum())
    assert pd.isna(rates.set_index("code").at["D99", "closing_rate"])


# -- shading ---------------------------------------------------------------------------
def test_shading_spans_the_largest_gap_to_the_city_on_both_sides_at_least_two_points():
    assert rate_domain([-6.5, 3.0, None]) == (-6.5, 6.5)
    assert rate_domain([0.1, -0.2]) == (-2.0, 2.0)
    assert rate_domain([None]) == (-2.0, 2.0)
    domain = (-5.0, 5.0)
    assert rate_color(-5.0, domain) == RATE_COLORS[0]
    assert rate_color(5.0, domain) == RATE_COLORS[-1]
    assert rate_color(0.0, domain) == RATE_COLORS[2]  # level with the city: the quiet middle
    assert rate_color(-40.0, domain) == RATE_COLORS[0]
    assert rate_color(None, domain) == NO_DATA_COLOR


def test_wall_map_is_dark_offline_and_shades_every_district(city, vocab):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    html = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF, "/app/static"))
    assert "/app/static/civmap/wall.css" in html and "/app/static/vendor/leaflet/leaflet.js" in html
    assert not re.search(r"(src|href)=\"https?://", html), "the wall map loads something from another host"
    assert "d3" not in re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    for name in city.district_names().values():
        assert name in html or json.dumps(name)[1:-1] in html  # DivIcon html is JSON-escaped
    for value in view.standing["score"]:
        label = f"{value:.1f}（{value - view.city_score:+.1f}）"  # each district's score and its gap
        assert json.dumps(label)[1:-1] in html
    assert f"全市 {view.city_score:.1f}" in html  # the legend's middle
    unresolved = int(view.problems["status"].isin(vocab.unresolved_statuses).sum())
    assert html.count("],0]") + html.count("],1]") + html.count("],2]") >= unresolved


def test_focused_map_dims_the_other_districts(city, vocab):
    view = build_view(city, "D03", vocab, AS_OF, ASSESSMENT)
    html = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF, "/app/static",
                                          focus="D03"))
    assert html.count("wall-district-label wall-dim") == len(city.districts) - 1


# -- panels ----------------------------------------------------------------------------
def test_figure_tiles_carry_their_values(city, vocab):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    html = figures_html(view.figures, "zh")
    for code, value in view.figures.values().items():
        assert f'data-figure="{code}"' in html
        if code != "closing_rate":
            assert f'data-value="{value}"' in html
    assert "距国测" in html and "未办结问题" in html
    assert "Open problems" in figures_html(view.figures, "en")


def test_ranking_marks_red_and_black_rows(city, vocab):
    view = build_view(city, "D01", vocab, AS_OF, ASSESSMENT)
    html = ranking_html(view.standing, "zh", highlight="D01")
    assert html.count('data-mark="red"') == int((view.standing["mark"] == "red").sum()) >= 1
    assert html.count('data-mark="black"') == int((view.standing["mark"] == "black").sum()) >= 1
    assert "红榜" in html and "黑榜" in html and "wall-row-focus" in html


def test_trend_draws_found_and_closed(city, vocab):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    svg = trend_svg(view.daily, "zh")
    assert svg.count("<polyline") == 2 and "发现" in svg and "销号" in svg
    assert f"{int(view.daily['closed'].sum()):,}" in svg
    assert "data:image/svg+xml;base64," in trend_html(view.daily, "zh", 30)
    empty = view.daily.iloc[0:0]
    assert "<svg" in trend_svg(empty, "en")


def test_header_marks_a_stale_view_and_escapes_text():
    now = dt.datetime(2025, 5, 1, 9, 30, 5)
    html = header_html("全市", ["全市", "江城区"], 1, now, True, "zh")
    assert "09:30:05" in html and 'data-wall-stale="1"' in html and "wall-step-on" in html
    assert 'data-wall-stale' not in header_html("全市", [], None, now, False, "zh")
    assert "&lt;script&gt;" in notice_html("<script>")


# -- one answer to "who is behind" -----------------------------------------------------
def test_verdict_lists_and_shading_give_one_answer(city, vocab):
    """The verdict, the black list and the most-behind shade name the same district."""
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    behind = view.verdict.codes
    assert behind and view.verdict.ranked == len(city.districts)
    worst = view.standing[view.standing["score"] == view.standing["score"].min()]
    assert tuple(worst["code"]) == behind
    assert set(view.standing.loc[view.standing["mark"] == "black", "code"]) == set(behind)
    rows = re.findall(r'data-district="(\w+)"', ranking_html(view.standing, "zh"))
    assert rows == list(view.standing["code"]) and rows[-1] in behind  # the list reads top to bottom
    html = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF,
                                      "/app/static"))
    fills = dict(re.findall(r'"code": "(\w+)", "dim": \w+, "fill": "(#[0-9a-f]{6})"', html))
    assert set(fills) == set(view.standing["code"])
    assert {code for code, fill in fills.items() if fill == RATE_COLORS[0]} == set(behind)
    names = city.district_names()
    assert verdict_html(view.verdict, names, view.weights, view.race, "zh").count(names[behind[0]]) == 1


def test_the_verdict_bar_carries_the_pace_line_and_the_rule(city, vocab):
    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    bar = verdict_html(view.verdict, city.district_names(), view.weights, view.race, "zh")
    assert bar.startswith(f'<div class="wall-verdict" data-verdict="{",".join(view.verdict.codes)}">')
    assert 'class="wall-verdict-main">落后：' in bar
    assert ('data-race="enough"' in bar) != ('data-race="short"' in bar)
    assert f"{view.race['closing_pace']:.0f}" in bar
    assert "排名规则：综合得分（百分制）= 按期结案率×35%" in bar
    assert 'data-race=' not in figures_html(view.figures, "zh")  # one pace line, in the bar


def test_a_city_of_more_problems_than_dots_can_show_is_counted_in_squares(city, vocab, monkeypatch):
    """Above ``AGGREGATE_ABOVE`` unresolved problems (ten times the demo city) the wall draws
    counted squares, not a smear of dots: every unresolved and every overdue problem is in
    exactly one square, the legend says what the numbers are, and the districts' names and
    scores stay on top."""
    import civmap.wall.map as wall_map
    from civmap.wall.map import problem_keys, wall_cells

    view = build_view(city, None, vocab, AS_OF, ASSESSMENT)
    unresolved = view.problems[view.problems["status"].isin(vocab.unresolved_statuses)]
    keys = problem_keys(unresolved, vocab, AS_OF)
    cells = wall_cells(unresolved, keys, city.districts.total_bounds)
    assert cells["count"].sum() == len(unresolved)
    assert cells["overdue"].sum() == int((keys == "overdue").sum()) > 0
    assert len(cells) <= wall_map.WALL_CELLS_ACROSS ** 2 and cells["count"].is_monotonic_decreasing
    minx, miny, maxx, maxy = city.districts.total_bounds
    assert cells["lon"].between(minx, maxx).all() and cells["lat"].between(miny, maxy).all()

    monkeypatch.setattr(wall_map, "AGGREGATE_ABOVE", len(unresolved) - 1)
    html = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF,
                                      "/app/static"))
    assert html.count('class=\\"wall-cell\\"') == len(cells)
    assert html.count("],2]") == 0  # no overdue dot of its own
    assert "圆内数字" in html
    for value in view.standing["score"]:
        assert json.dumps(f"{value:.1f}（{value - view.city_score:+.1f}）")[1:-1] in html
    monkeypatch.setattr(wall_map, "AGGREGATE_ABOVE", len(unresolved))
    dots = render_html(build_wall_map(city.districts, view.standing, view.city_score, view.problems, vocab, AS_OF,
                                      "/app/static"))
    assert "wall-cell" not in dots and "圆内数字" not in dots
