"""Problem density and its change on a hexagon grid in metres, and the map that shows them."""

import datetime as dt
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo
from civmap.planning.density import density, density_change, found_between
from civmap.planning.hexmap import colour_classes, hex_map

CENTRE = (110.29, 25.27)
CRS = geo.metric_crs(CENTRE)


def _problems(n=600, seed=5):
    rng = np.random.default_rng(seed)
    origin = gpd.GeoSeries.from_xy([CENTRE[0]], [CENTRE[1]], crs=geo.WGS84).to_crs(CRS)
    x = origin.x.iloc[0] + rng.uniform(-3000, 3000, n)
    y = origin.y.iloc[0] + rng.uniform(-3000, 3000, n)
    where = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=CRS).to_crs(geo.WGS84)
    found = [dt.date(2026, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 120, n)]
    return gpd.GeoDataFrame({"id": [f"q{i}" for i in range(n)], "found_on": found,
                             "category": rng.choice(["hawking", "road_damage"], n), "mx": x, "my": y},
                            geometry=where.to_numpy(), crs=geo.WGS84)


def _brute(problems, size):
    """Problems per hexagon by testing every point against every candidate polygon."""
    q, r = geo.hex_index(problems["mx"], problems["my"], size)
    cells = sorted(set(zip(q.tolist(), r.tolist())))
    shapes = geo.hex_polygons([c[0] for c in cells], [c[1] for c in cells], size)
    pts = shapely.points(problems["mx"].to_numpy(), problems["my"].to_numpy())
    return {c: int(shapely.covers(s, pts).sum()) for c, s in zip(cells, shapes)}


def test_density_counts_the_period_and_categories_against_brute_force():
    problems = _problems()
    first = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    chosen = found_between(problems, *first, categories=("hawking",))
    assert set(chosen["category"]) == {"hawking"}
    assert pd.to_datetime(chosen["found_on"]).between("2026-01-01", "2026-01-31").all()
    cells = density(problems, 700, CRS, *first, categories=("hawking",))
    assert dict(zip(zip(cells["q"], cells["r"]), cells["count"])) == _brute(chosen, 700)
    with pytest.raises(ValueError, match="before it starts"):
        found_between(problems, dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_change_is_later_minus_earlier_on_one_grid():
    problems = _problems()
    before, after = (dt.date(2026, 1, 1), dt.date(2026, 2, 15)), (dt.date(2026, 2, 16), dt.date(2026, 4, 30))
    cells = density_change(problems, 1000, CRS, before, after)
    early = _brute(found_between(problems, *before), 1000)
    late = _brute(found_between(problems, *after), 1000)
    for q, r, b, a, c in cells[["q", "r", "before", "after", "change"]].itertuples(index=False):
        assert (b, a, c) == (early.get((q, r), 0), late.get((q, r), 0), late.get((q, r), 0) - early.get((q, r), 0))
    assert set(zip(cells["q"], cells["r"])) == set(early) | set(late)
    assert cells.crs == geo.WGS84


def test_colour_classes():
    classes, legend = colour_classes(pd.Series([-9, -1, 0, 1, 9, 2]), "change")
    assert classes.tolist() == [0, 1, 2, 3, 4, 3]  # k = 9, the 75th percentile of |change| and [k for _, k, *_ in legend][0] == "much_better"
    classes, legend = colour_classes(pd.Series([1, 1, 2, 3, 10]), "density")
    assert classes[0] == 0 and classes[-1] == len(legend) - 1
    with pytest.raises(ValueError, match="mode"):
        colour_classes(pd.Series([1]), "heat")


def test_the_map_draws_offline_and_keeps_names_as_text():
    problems = _problems(200)
    square = shapely.box(CENTRE[0] - 0.05, CENTRE[1] - 0.05, CENTRE[0] + 0.05, CENTRE[1] + 0.05)
    districts = gpd.GeoDataFrame({"code": ["D01"], "name": ["</script><img src=x onerror=alert(1)>"]},
                                 geometry=[square], crs=geo.WGS84)
    cells = density(problems, 800, CRS, dt.date(2026, 1, 1), dt.date(2026, 4, 30))
    page = hex_map(cells, "density", districts, "zh", "/app/static").get_root().render()
    assert "<img src=x" not in page and "\\u0026lt;img" in page
    external = set(re.findall(r'(?:src|href)="(https?://[^"]+)"', page))
    assert not external, external
    payload = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))
    assert len(payload["cells"]) == len(cells) and payload["cells"][0][2].endswith("个问题")
    change = density_change(problems, 800, CRS, (dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
                            (dt.date(2026, 2, 2), dt.date(2026, 4, 30)))
    assert "问题数变化" in hex_map(change, "change", districts, "zh", "/app/static").get_root().render()
