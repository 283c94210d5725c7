"""Generate the demo city, reproducibly from a seed, at the scale the source reports give.

About 4,000 assessment points in 39 categories, 60 key point-circles (18 communities,
32 markets, 5 transport stations, 5 hospitals) whose 300 m neighbourhoods hold about
350 residential compounds, 38 back alleys and 40 public toilets, about 120 back alleys
in all, and about 10,700 problems over two years with their whole status history
(see ``civmap.demo.history``). Geometry is made in metres (UTM) and stored in WGS-84.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString
from shapely.ops import substring

from civmap import clock
from civmap.storage.schema import inspection_ref
from civmap.demo.city import CITY_CENTRE, CITY_CRS, Ground, build_ground
from civmap.demo.history import simulate_problems
from civmap.demo.names import NameBook, load_namebook, pick
from civmap.vocab import Vocabulary, load_vocabulary
from geo import WGS84, assign_area, round_coordinates

__all__ = ["DemoCity", "generate_city", "CIRCLE_PLAN", "MEMBER_PLAN", "STEPS"]

#: The steps of :func:`generate_city`, in order, as its ``progress`` callback names them.
STEPS = ("boundaries", "points", "circles", "alleys", "inspections", "problems")

#: Key circles by centre kind, with the point category of the centre (DOMAIN.md figures).
CIRCLE_PLAN = {"community": ("community", 18), "market": ("farmers_market", 32),
               "transport": ("coach_station", 5), "hospital": ("hospital", 5)}
#: Members placed inside the circles: residential compounds, public toilets; alleys separately.
MEMBER_PLAN = {"residential": 353, "public_toilet": 40}
CIRCLE_ALLEYS = 38
TOTAL_ALLEYS = 120
GENERAL_POINTS = 3592     # the rest of the ~4,045 points, spread by category weight
PROBLEMS = 10690
RADIUS = 300.0
_CLEAR = RADIUS + 25.0    # points meant to be outside every circle keep this far away
_SPACING = 750.0          # between centres, so circles do not overlap


@dataclass(frozen=True)
class DemoCity:
    tables: dict[str, pd.DataFrame]
    as_of: dt.date
    seed: int
    scale: float


def _scatter(rng, ground: Ground, n: int, spread: float = 2600.0) -> np.ndarray:
    """Points denser in the old town, all inside the city outline (metres)."""
    out = np.empty((0, 2))
    cx, cy = ground.origin
    while len(out) < n:
        k = (n - len(out)) * 2 + 10
        dense = rng.random(k) < 0.6
        xy = np.where(dense[:, None], rng.normal(0, spread, (k, 2)), rng.uniform(-8500, 8500, (k, 2)))
        xy += (cx, cy)
        inside = shapely.contains_xy(ground.outline, xy[:, 0], xy[:, 1])
        out = np.vstack([out, xy[inside]])
    return out[:n]


def _far_from(xy: np.ndarray, centres: np.ndarray, distance: float) -> np.ndarray:
    d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
    return d.min(axis=1) > distance


def _place_centres(rng, ground: Ground) -> pd.DataFrame:
    rows, chosen = [], np.empty((0, 2))
    for kind, (category, count) in CIRCLE_PLAN.items():
        placed = 0
        while placed < count:
            xy = _scatter(rng, ground, 1, spread=3000.0)
            inner = shapely.contains_xy(ground.outline.buffer(-800), xy[:, 0], xy[:, 1])[0]
            if inner and (len(chosen) == 0 or _far_from(xy, chosen, _SPACING)[0]):
                chosen = np.vstack([chosen, xy])
                cat = "railway_station" if kind == "transport" and placed == 0 else category
                rows.append({"kind": kind, "category": cat, "x": xy[0, 0], "y": xy[0, 1]})
                placed += 1
    return pd.DataFrame(rows)


def _around(rng, centre_xy: np.ndarray, n: int, low: float, high: float) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi, n)
    dist = np.sqrt(rng.uniform(low**2, high**2, n))
    return centre_xy + np.column_stack([dist * np.cos(angle), dist * np.sin(angle)])


def _alley_from(rng, start: np.ndarray, heading: float) -> LineString:
    """A back alley: two or three bends, 150–400 m, as lanes run between blocks."""
    pts = [start]
    for _ in range(rng.integers(2, 4)):
        heading += rng.normal(0, 0.5)
        step = rng.uniform(60, 140)
        pts.append(pts[-1] + step * np.array([np.cos(heading), np.sin(heading)]))
    return LineString(pts)


def _alleys(rng, ground: Ground, centres: np.ndarray) -> list[tuple[LineString, int | None]]:
    """38 alleys reaching into a circle of their own and no other; the rest clear of all."""
    alleys: list[tuple[LineString, int | None]] = []
    others = shapely.points(centres)
    while len(alleys) < CIRCLE_ALLEYS:
        i = int(rng.integers(len(centres)))
        start = _around(rng, centres[i], 1, 80, 260)[0]
        away = np.arctan2(*(start - centres[i])[::-1])
        line = _alley_from(rng, start, away)
        dist = shapely.distance(others, line)
        dist[i] = np.inf
        if dist.min() > _CLEAR and ground.outline.contains(line):
            alleys.append((line, i))
    while len(alleys) < TOTAL_ALLEYS:
        start = _scatter(rng, ground, 1)[0]
        line = _alley_from(rng, start, rng.uniform(0, 2 * np.pi))
        if shapely.distance(others, line).min() > _CLEAR and ground.outline.contains(line):
            alleys.append((line, None))
    return alleys


def _line_points(rng, ground: Ground, category: str, n: int) -> list[LineString]:
    """Arterial-road sections and commercial streets: stretches of the main roads."""
    lines = []
    lengths = (800, 1600) if category == "arterial_road" else (250, 600)
    while len(lines) < n:
        road = ground.roads[int(rng.integers(len(ground.roads)))]
        length = rng.uniform(*lengths)
        if road.length <= length:
            continue
        start = rng.uniform(0, road.length - length)
        lines.append(substring(road, start, start + length))
    return lines


def _general_points(rng, ground: Ground, vocab: Vocabulary, centres: np.ndarray, scale: float) -> pd.DataFrame:
    cats = vocab.point_categories
    cats = cats[cats["weight"] > 0]
    counts = np.round(cats["weight"] / cats["weight"].sum() * GENERAL_POINTS * scale).astype(int)
    frames = []
    for category, n in counts.items():
        if n == 0:
            continue
        if cats.at[category, "geometry"] == "line":
            lines = _line_points(rng, ground, category, n)
            mid = np.array([line.interpolate(0.5, normalized=True).coords[0] for line in lines])
            frames.append(pd.DataFrame({"category": category, "x": mid[:, 0], "y": mid[:, 1], "line": lines}))
            continue
        xy = _scatter(rng, ground, n * 2)
        if category in MEMBER_PLAN:  # those inside circles are placed deliberately, not by chance
            xy = xy[_far_from(xy, centres, _CLEAR)]
        xy = xy[:n]
        frames.append(pd.DataFrame({"category": category, "x": xy[:, 0], "y": xy[:, 1], "line": None}))
    return pd.concat(frames, ignore_index=True)


def _to_wgs84(transformer: Transformer, geometries) -> list:
    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return list(shapely.transform(np.asarray(geometries, dtype=object), project))


def generate_city(seed: int = 20240601, scale: float = 1.0, as_of: dt.date | None = None,
                  vocab: Vocabulary | None = None, names: NameBook | None = None,
                  progress: Callable[[str], None] | None = None) -> DemoCity:
    """Build every table of the demo city; the same seed and as_of give the same city.

    ``progress`` is called with each step of :data:`STEPS` as it starts, so a first run
    can say what it is doing (it takes a while: tens of thousands of problems are simulated).
    """
    step = progress or (lambda _: None)
    step("boundaries")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    vocab = vocab or load_vocabulary()
    names = names or load_namebook()
    as_of = as_of or clock.today()
    rng = np.random.default_rng(seed)
    to_metric = Transformer.from_crs(WGS84, CITY_CRS, always_xy=True)
    to_wgs = Transformer.from_crs(CITY_CRS, WGS84, always_xy=True)
    origin = to_metric.transform(*CITY_CENTRE)
    districts_meta = names.words["districts"]
    ground = build_ground(rng, origin, len(districts_meta), streets_per_district=4)

    areas, units, communities = _areas_and_units(rng, ground, names, to_wgs, vocab)

    step("points")
    centres = _place_centres(rng, ground)
    centre_xy = centres[["x", "y"]].to_numpy()
    members = []
    for category, count in MEMBER_PLAN.items():
        owner = rng.integers(len(centres), size=count)
        xy = np.array([_around(rng, centre_xy[i], 1, 25, RADIUS - 15)[0] for i in owner])
        members.append(pd.DataFrame({"category": category, "x": xy[:, 0], "y": xy[:, 1], "line": None}))
    general = _general_points(rng, ground, vocab, centre_xy, scale)
    centre_rows = centres.assign(line=None)[["category", "x", "y", "line"]]
    layout = pd.concat([centre_rows, *members, general], ignore_index=True)

    points = _points_table(rng, layout, areas, communities, names, vocab, to_wgs, districts_meta)
    step("circles")
    circles = pd.DataFrame({
        "id": [f"QY{i + 1:03d}" for i in range(len(centres))],
        "centre_point_id": points["id"].iloc[: len(centres)].to_numpy(),
        "kind": centres["kind"].to_numpy(),
    })
    circles["name"] = points["name"].iloc[: len(centres)].to_numpy() + "点位圈"
    step("alleys")
    alleys = _alleys_table(rng, _alleys(rng, ground, centre_xy), areas, names, vocab, to_wgs)
    step("inspections")
    inspections = _inspections(rng, points, as_of, names)
    step("problems")
    problems, events = simulate_problems(rng, points, units, vocab, names, as_of, int(round(PROBLEMS * scale)))
    problems = _place_problems(rng, problems, points, areas, to_metric, to_wgs)

    tables = {"areas": areas.drop(columns="geometry"), "units": units,
              "points": points.drop(columns="geometry"), "inspections": inspections,
              "circles": circles, "alleys": alleys, "problems": problems, "problem_events": events}
    return DemoCity(tables=tables, as_of=as_of, seed=seed, scale=scale)


def _areas_and_units(rng, ground: Ground, names: NameBook, to_wgs, vocab: Vocabulary):
    words = names.words
    rows, units = [], []
    street_words = list(rng.permutation(words["street_words"]))
    for i, (meta, poly) in enumerate(zip(words["districts"], ground.districts)):
        rows.append({"code": meta["code"], "level": "district", "parent_code": None, "name": meta["zh"],
                     "name_en": meta["en"], "geometry": _to_wgs84(to_wgs, [poly])[0]})
        units.append({"code": f"{meta['code']}-GOV", "name": f"{meta['zh']}创城办", "kind": "district",
                      "district_code": meta["code"]})
    communities: dict[str, list[str]] = {}
    community_words = list(rng.permutation(words["community_words"]))
    for j, (district_index, poly) in enumerate(ground.streets):
        district = words["districts"][district_index]
        code = f"{district['code']}S{j % 4 + 1:02d}"
        name = f"{street_words[j % len(street_words)]}街道"
        rows.append({"code": code, "level": "street", "parent_code": district["code"], "name": name,
                     "name_en": None, "geometry": _to_wgs84(to_wgs, [poly])[0]})
        units.append({"code": f"{code}-OFF", "name": f"{district['zh']}{name}办事处", "kind": "street",
                      "district_code": district["code"]})
        communities[code] = [community_words[(j * 5 + k) % len(community_words)] for k in range(5)]
    for k, authority in enumerate(sorted(vocab.point_categories["authority"].unique())):
        units.append({"code": f"B{k + 1:02d}", "name": authority, "kind": "bureau", "district_code": None})
    areas = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    areas["shape"] = round_coordinates(areas.geometry.to_numpy(), 6)  # as stored; generation keeps the exact one
    return areas, pd.DataFrame(units), communities


def _points_table(rng, layout, areas, communities, names: NameBook, vocab, to_wgs, districts_meta):
    lon, lat = to_wgs.transform(layout["x"].to_numpy(), layout["y"].to_numpy())
    geometry = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
    frame = gpd.GeoDataFrame(layout.drop(columns=["x", "y"]), geometry=geometry, crs=WGS84)
    frame["district_code"] = assign_area(frame, areas[areas.level == "district"], "code").to_numpy()
    frame["street_code"] = assign_area(frame, areas[areas.level == "street"], "code").to_numpy()
    frame = frame[frame["district_code"].notna()].reset_index(drop=True)
    district_name = dict(zip(areas["code"], areas["name"]))
    rows = []
    for i, row in enumerate(frame.itertuples()):
        community = str(pick(rng, communities.get(row.street_code, ["中心"])))
        context = {"district": district_name[row.district_code], "street": district_name.get(row.street_code, ""),
                   "community": community}
        rows.append({
            "id": f"CP{i + 1:05d}",
            "name": names.point_name(rng, row.category, context),
            "community": f"{community}社区",
            "chief_name": names.person(rng),
            "chief_phone": names.phone(rng),
            "unit_code": f"{row.street_code}-OFF" if row.street_code else f"{row.district_code}-GOV",
            "authority": vocab.point_categories.at[row.category, "authority"],
            "partner_unit": None if rng.random() < 0.5 else f"{pick(rng, names.words['place_words'])}共建单位",
            "address": f"{names.road(rng)}{rng.integers(1, 300)}号",
        })
    frame = pd.concat([frame, pd.DataFrame(rows)], axis=1)
    frame["lon"] = frame.geometry.x.round(7)
    frame["lat"] = frame.geometry.y.round(7)
    lines = [None if g is None else _to_wgs84(to_wgs, [g])[0] for g in frame["line"]]
    frame["shape"] = [round_coordinates(g, 7) for g in lines]
    return frame.drop(columns="line")


def _alleys_table(rng, alleys, areas, names: NameBook, vocab, to_wgs) -> pd.DataFrame:
    lines = [line for line, _ in alleys]
    wgs = gpd.GeoSeries(_to_wgs84(to_wgs, lines), crs=WGS84)
    middles = _to_wgs84(to_wgs, [line.interpolate(0.5, normalized=True) for line in lines])
    mid = gpd.GeoDataFrame(geometry=middles, crs=WGS84)
    district = assign_area(mid, areas[areas.level == "district"], "code").to_numpy()
    street = assign_area(mid, areas[areas.level == "street"], "code").to_numpy()
    states = vocab.alley_states.index.to_numpy()
    state = rng.choice(states, size=len(lines), p=_state_weights(states))
    return pd.DataFrame({
        "id": [f"BJ{i + 1:03d}" for i in range(len(lines))],
        "name": [names.alley_name(rng) for _ in lines],
        "district_code": district,
        "street_code": street,
        "state": state,
        "length_m": np.round([line.length for line in lines], 1),
        "lon": mid.geometry.x.round(7).to_numpy(),
        "lat": mid.geometry.y.round(7).to_numpy(),
        "shape": round_coordinates(wgs.to_numpy(), 7),
        "chief_name": [names.person(rng) for _ in lines],
        "chief_phone": [names.phone(rng) for _ in lines],
        "unit_code": [f"{s}-OFF" if isinstance(s, str) else f"{d}-GOV" for s, d in zip(street, district)],
    })


def _state_weights(states: np.ndarray) -> np.ndarray:
    base = {"unrenovated": 0.3, "renovating": 0.2, "renovated": 0.45, "relapsed": 0.05}
    w = np.array([base.get(s, 0.1) for s in states])
    return w / w.sum()


def _inspections(rng, points: pd.DataFrame, as_of: dt.date, names: NameBook) -> pd.DataFrame:
    """Roughly quarterly inspections over two years; points improve as the campaign goes on."""
    rows = []
    start = as_of - dt.timedelta(days=720)
    for point_id in points["id"]:
        quality = rng.beta(7, 1.8)
        day = start + dt.timedelta(days=int(rng.integers(0, 60)))
        while day <= as_of:
            progress = (day - start).days / 720
            score = float(np.clip(quality + 0.06 * progress + rng.normal(0, 0.05), 0.3, 1.0))
            rows.append((point_id, day, round(score, 3), score >= 0.8, pick(rng, names.words["inspectors"])))
            day += dt.timedelta(days=int(rng.integers(70, 110)))
    frame = pd.DataFrame(rows, columns=["point_id", "date", "score_rate", "up_to_standard", "inspector"])
    frame["ref"] = [inspection_ref(p, d) for p, d in zip(frame["point_id"], frame["date"])]
    return frame


def _place_problems(rng, problems, points, areas, to_metric, to_wgs) -> pd.DataFrame:
    """Put each problem a few metres from its point, then find its district by containment."""
    located = points.set_index("id").loc[problems["point_id"], ["lon", "lat"]]
    x, y = to_metric.transform(located["lon"].to_numpy(), located["lat"].to_numpy())
    offset = np.clip(rng.normal(0, 12, (len(x), 2)), -35, 35)
    lon, lat = to_wgs.transform(x + offset[:, 0], y + offset[:, 1])
    frame = gpd.GeoDataFrame(problems, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    frame["district_code"] = assign_area(frame, areas[areas.level == "district"], "code").to_numpy()
    frame["street_code"] = assign_area(frame, areas[areas.level == "street"], "code").to_numpy()
    frame["lon"], frame["lat"] = np.round(lon, 7), np.round(lat, 7)
    # A point on the city's edge can push its offset problem outside every district:
    # such a problem stays exactly on its point instead, which is inside.
    lost = frame["district_code"].isna().to_numpy()
    if lost.any():
        home = points.set_index("id").loc[frame.loc[lost, "point_id"]]
        frame.loc[lost, "lon"] = home["lon"].to_numpy()
        frame.loc[lost, "lat"] = home["lat"].to_numpy()
        frame.loc[lost, "district_code"] = home["district_code"].to_numpy()
        frame.loc[lost, "street_code"] = home["street_code"].to_numpy()
    return pd.DataFrame(frame.drop(columns="geometry"))
