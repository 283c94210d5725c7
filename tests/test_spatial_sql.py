"""PostGIS in the database gives the Python path's answers: the 300 m circles (points and
shapes at 299.9 m and 300.1 m on the ground, the demo city's every pair) and which district
holds a point (shared borders and vertices included)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

import geo
from civmap.circles.ties import assessment_places
from civmap.storage import make_engine, write_tables
from civmap.storage.spatial import areas_containing, available, circle_pairs
from civmap.storage.store import Store

_GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture
def pg_scratch(pg_databases, pg_demo_template):
    name = pg_databases.create("spatial", template=pg_demo_template)
    yield Store(make_engine(pg_databases.url(name)))
    pg_databases.drop(name)


def _python_pairs(store: Store, radius_m: float) -> pd.DataFrame:
    circles, places = store.circles(), assessment_places(store.points(), store.alleys())
    pairs = geo.within_distance(circles, places, radius_m)
    return pd.DataFrame({
        "circle_id": circles["id"].to_numpy()[pairs["centre"]],
        "place_type": places["place_type"].to_numpy()[pairs["member"]],
        "place_id": places["place_id"].to_numpy()[pairs["member"]],
        "distance_m": pairs["distance_m"].to_numpy(),
    })


def _same_pairs(store: Store, radius_m: float) -> pd.DataFrame:
    python, database = _python_pairs(store, radius_m), circle_pairs(store.engine, radius_m)
    key = ["circle_id", "place_type", "place_id"]
    merged = python.merge(database, on=key, how="outer", suffixes=("_py", "_db"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    # Points: the same geodesic to the nanometre. A line's or polygon's nearest part inside an
    # edge: PostGIS follows the edge on the sphere, Python in the city's UTM zone; a few mm apart.
    assert (merged["distance_m_py"] - merged["distance_m_db"]).abs().max() < 0.01  # metres
    return merged


def _at(lon: float, lat: float, bearing: float, metres: float) -> tuple[float, float]:
    out_lon, out_lat, _ = _GEOD.fwd(lon, lat, bearing, metres)
    return float(out_lon), float(out_lat)


def test_the_demo_citys_circles_are_the_same_in_postgis(demo_store, pg_demo_url):
    on_pg = Store(make_engine(pg_demo_url))
    assert available(on_pg.engine) and not available(demo_store.engine)
    merged = _same_pairs(on_pg, 300)
    assert len(merged) > 500 and set(merged["place_type"]) == {"point", "alley"}
    assert len(merged) == len(_python_pairs(demo_store, 300))  # and the SQLite store's Python path agrees


def test_at_299_9_metres_in_and_at_300_1_out_for_points_lines_and_polygons(pg_scratch):
    store = pg_scratch
    district = store.districts().iloc[0]
    centre = district.geometry.representative_point()
    lon, lat = centre.x, centre.y
    rows, alleys = [], []

    def point(pid, place, shape=None):
        rows.append({"id": pid, "name": pid, "category": "community", "district_code": district["code"],
                     "lon": place[0], "lat": place[1], "shape": shape})

    point("EDGE-C", (lon, lat))
    for bearing in (0, 37, 90, 143, 200, 271):
        point(f"EDGE-IN-{bearing}", _at(lon, lat, bearing, 299.9))
        point(f"EDGE-OUT-{bearing}", _at(lon, lat, bearing, 300.1))
    for name, metres in (("IN", 299.9), ("OUT", 300.1)):
        # a north-south road 200 m long whose nearest part (its middle) is ``metres`` east
        mid = _at(lon, lat, 90, metres)
        line = shapely.LineString([_at(*mid, 0, 100), _at(*mid, 180, 100)])
        point(f"EDGE-ROAD-{name}", _at(*mid, 0, 100), shape=line)
        # a square whose west side is ``metres`` west... its nearest corner ``metres`` south-west
        corner = _at(lon, lat, 225, metres)
        square = shapely.Polygon([corner, _at(*corner, 225, 50), _at(*_at(*corner, 225, 50), 315, 50),
                                  _at(*corner, 315, 50)])
        point(f"EDGE-SQUARE-{name}", square.centroid.coords[0], shape=square)
        west = _at(lon, lat, 270, metres)
        alleys.append({"id": f"EDGE-ALLEY-{name}", "name": name, "district_code": district["code"],
                       "state": store.alleys()["state"].iloc[0], "length_m": 150.0, "lon": west[0], "lat": west[1],
                       "shape": shapely.LineString([_at(*west, 0, 80), west, _at(*west, 180, 70)])})
    circle = {"id": "EDGE-CIRCLE", "name": "edge", "centre_point_id": "EDGE-C", "kind": store.circles()["kind"].iloc[0]}
    with store.engine.begin() as conn:
        write_tables(conn, {"points": pd.DataFrame(rows), "alleys": pd.DataFrame(alleys),
                            "circles": pd.DataFrame([circle])})
    merged = _same_pairs(store, 300)
    ours = merged[merged["circle_id"] == "EDGE-CIRCLE"]
    members = set(ours["place_id"]) - {"EDGE-C"}
    edge = {m for m in members if m.startswith("EDGE-")}
    assert edge == {f"EDGE-IN-{b}" for b in (0, 37, 90, 143, 200, 271)} | \
        {"EDGE-ROAD-IN", "EDGE-SQUARE-IN", "EDGE-ALLEY-IN"}
    inside = ours[ours["place_id"].isin(edge)]
    assert ((inside["distance_m_db"] - 299.9).abs() < 0.01).all()
    plain = ours[ours["place_id"].str.startswith("EDGE-IN-")]
    assert ((plain["distance_m_db"] - 299.9).abs() < 1e-6).all() and ((plain["distance_m_py"] - 299.9).abs() < 1e-6).all()


def test_containment_is_the_same_in_postgis_borders_included(demo_store, pg_demo_url):
    engine = make_engine(pg_demo_url)
    districts = demo_store.districts()
    problems = demo_store.problems()
    # every vertex of every district (on the shared borders) and points scattered over the city
    vertices = shapely.get_coordinates(districts.geometry.boundary.to_numpy())
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = districts.total_bounds
    scattered = np.column_stack([rng.uniform(x0 - 0.02, x1 + 0.02, 2000), rng.uniform(y0 - 0.02, y1 + 0.02, 2000)])
    coords = np.vstack([problems[["lon", "lat"]].to_numpy(), vertices, scattered, [[np.nan, np.nan]]])
    python = geo.assign_area(gpd_points(coords), districts, "code")
    database = areas_containing(engine, coords[:, 0], coords[:, 1], "district")
    assert list(python.astype(object).where(python.notna(), None)) == \
        list(database.where(database.notna(), None))
    assert database.isna().sum() > 0 and database.notna().sum() > len(problems)
    for level in ("street",):
        streets = demo_store.areas(level)
        assert list(geo.assign_area(gpd_points(coords[:500]), streets, "code").astype(object).fillna("-")) == \
            list(areas_containing(engine, coords[:500, 0], coords[:500, 1], level).fillna("-"))


def gpd_points(coords: np.ndarray):
    import geopandas as gpd

    return gpd.GeoSeries(gpd.points_from_xy(coords[:, 0], coords[:, 1]), crs=geo.WGS84)


def test_the_circle_members_found_by_postgis_are_the_python_paths(pg_demo_url):
    from civmap.circles.membership import compute_circle_data, load_circle_data
    from civmap.vocab import load_vocabulary

    vocab = load_vocabulary()
    store = Store(make_engine(pg_demo_url))
    kinds = vocab.codes("centre_kinds")
    assert store.circle_pairs(300) is not None
    in_db = load_circle_data(store, vocab, 300, kinds, 100)
    in_python = compute_circle_data(store.districts(), store.points(), store.circles(), store.alleys(),
                                    store.problems(), vocab, 300, kinds, 100, in_db.as_of)
    columns = [c for c in in_python.members.columns if c not in ("distance_m", "geometry")]
    assert in_db.members[columns].equals(in_python.members[columns])
    assert (in_db.members["distance_m"] - in_python.members["distance_m"]).abs().max() < 0.01
    assert in_db.problems.equals(in_python.problems)
