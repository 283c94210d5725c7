"""The store: round trip, scope applied in every read, status events, schema version."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import update

from civmap import clock
from civmap.storage import schema as s
from civmap.demo.seed import open_first_run
from civmap.storage.scope import Scope
from civmap.storage import SchemaMismatch, create_schema, init_store, make_engine, open_store, write_tables
from civmap.storage.health import StoreError
from civmap.demo import generate_city
from civmap.filters import Filters
from civmap.storage.store import Store
from tests.conftest import AS_OF

pytestmark = pytest.mark.both_backends


def test_round_trip_keeps_every_row(empty_db_url):
    city = generate_city(seed=3, scale=0.05, as_of=AS_OF)
    engine = make_engine(empty_db_url)
    create_schema(engine)
    with engine.begin() as conn:
        write_tables(conn, city.tables)
    store = Store(engine)
    points = store.points().set_index("id").sort_index()
    written = city.tables["points"].set_index("id").sort_index()
    assert list(points.index) == list(written.index)
    for column in ("name", "category", "district_code", "chief_name", "unit_code"):
        assert points[column].equals(written[column]), column
    assert (points["lon"] - written["lon"]).abs().max() < 1e-9
    problems = store.problems().set_index("id").sort_index()
    assert len(problems) == len(city.tables["problems"])
    assert (problems["status"] == city.tables["problems"].set_index("id").sort_index()["status"]).all()
    assert len(store.events()) == len(city.tables["problem_events"])
    assert len(store.alleys()) == len(city.tables["alleys"])
    assert (store.alleys().geom_type == "LineString").all()
    # Shapes go in and come out as geometries, exactly as they were handed in.
    footprints = points["shape"].dropna()
    assert len(footprints) and {g.geom_type for g in footprints} <= {"LineString", "Polygon", "MultiPolygon"}
    handed = written["shape"].dropna()
    assert list(footprints.index) == list(handed.index)
    assert all(a.equals_exact(b, 0) for a, b in zip(footprints, handed))
    assert points["shape"].crs == "EPSG:4326"
    for frame in (store.areas(None), store.alleys(), points):
        assert not any("wkt" in column for column in frame.columns)


def test_rows_hand_out_shapes_and_take_them_back():
    import shapely

    from civmap.storage.rows import from_stored, row_columns, shapes_of, text_limits, to_stored

    line = shapely.LineString([(110.1234567, 25.1), (110.2, 25.2000001)])
    for row in ({"id": "P1", "shape": line}, {"id": "P2", "shape": None}, {"id": "P3"}):
        back = from_stored(to_stored(row))
        assert back.keys() == row.keys()
        assert back.get("shape") is None if row.get("shape") is None else back["shape"].equals_exact(line, 0)
    assert "shape" in row_columns("points") and "shape" in row_columns("areas") and "shape" not in row_columns("units")
    assert not any("wkt" in c for name in ("areas", "points", "alleys") for c in row_columns(name))
    assert text_limits("points")["name"] == 128 and "lon" not in text_limits("points")
    (text,) = to_stored({"shape": line}).values()  # the stored form, whatever it is
    shapes = shapes_of(pd.Series([text, None, ""], index=[7, 8, 9]))
    assert shapes[7].equals_exact(line, 0) and shapes[[8, 9]].isna().all()
    assert list(shapes.index) == [7, 8, 9] and shapes.crs == "EPSG:4326"


def test_the_stored_geometry_format_stays_in_storage():
    from pathlib import Path

    import civmap

    root = Path(civmap.__file__).parent
    outside = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if p.relative_to(root).parts[0] != "storage" and "geom_wkt" in p.read_text(encoding="utf-8"))
    assert outside == ["ledger/columns.py"]  # only as a header a ledger file may carry, not a stored column


def test_scope_is_applied_in_every_read(demo_store):
    scoped = demo_store.scoped(["D02"])
    assert set(scoped.districts()["code"]) == {"D02"}
    for read in (scoped.points, scoped.circles, scoped.alleys, scoped.problems):
        assert set(read()["district_code"]) == {"D02"}
    # a filter cannot widen the scope: asking for D01 through a D02 store gives nothing
    outside = Filters(districts=("D01",))
    for read in (scoped.points, scoped.circles, scoped.alleys, scoped.problems, scoped.events):
        assert read(outside).empty
    assert set(scoped.areas("street")["parent_code"]) == {"D02"}
    assert scoped.scoped(["D01", "D02"]).scope == Scope(districts=("D02",)), "a scope can only narrow"
    assert scoped.scoped(["D01"]).points().empty, "scopes that do not meet see nothing, not everything"
    assert scoped.counts()["points"] == len(scoped.points())


def test_a_street_or_unit_scope_is_applied_in_every_read_and_write(demo_store):
    street = demo_store.problems()["street_code"].dropna().iloc[0]
    by_street = demo_store.within(Scope(streets=(street,)))
    for read in (by_street.points, by_street.circles, by_street.alleys, by_street.problems):
        assert set(read()["street_code"]) <= {street}
    assert not by_street.problems().empty
    assert set(by_street.events()["problem_id"]) == set(by_street.problems()["id"])
    assert sum(by_street.counts_by_district("problems").values()) == len(by_street.problems())
    unit = demo_store.problems()["unit_code"].dropna().iloc[0]
    by_unit = demo_store.within(Scope(unit=unit))
    assert set(by_unit.problems()["unit_code"]) == {unit} and set(by_unit.units()["code"]) == {unit}
    assert by_unit.within(Scope(unit=unit + "x")).problems().empty
    outside = demo_store.problems()
    outside = outside[outside["unit_code"] != unit]["id"].iloc[0]
    with pytest.raises(KeyError, match="scope"):
        by_unit.set_status(outside, "closed", actor="test")
    assert Scope().whole_city and demo_store.within(Scope()).scope == Scope()


def test_filters_select_in_sql(demo_store):
    f = Filters(districts=("D01", "D03"), point_categories=("farmers_market",))
    points = demo_store.points(f)
    assert set(points["district_code"]) == {"D01", "D03"} and set(points["category"]) == {"farmers_market"}
    f = Filters(statuses=("fixing",), problem_categories=("street_vending", "hawking"))
    problems = demo_store.problems(f)
    assert set(problems["status"]) == {"fixing"}
    assert set(problems["category"]) <= {"street_vending", "hawking"}
    since = clock.today() - dt.timedelta(days=30)
    recent = demo_store.problems(Filters(found_from=since))
    assert (pd.to_datetime(recent["found_on"]).dt.date >= since).all()
    events = demo_store.events(Filters(statuses=("fixing",)))
    assert set(events["problem_id"]) == set(demo_store.problems(Filters(statuses=("fixing",)))["id"])


def test_latest_inspection_is_the_latest(demo_store):
    latest = demo_store.latest_inspections().set_index("point_id")
    every = demo_store.inspections()
    newest = every.groupby("point_id")["date"].max()
    assert (pd.to_datetime(latest.loc[newest.index, "inspected_on"]) == pd.to_datetime(newest)).all()


def test_status_change_is_an_event_and_a_new_version(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    problem = store.problems(Filters(statuses=("fixing",))).iloc[0]
    before = store.data_version()
    history = store.events().query("problem_id == @problem['id']")
    # after the problem's own history, whatever day the demo city was seeded on
    at = history["at"].max().to_pydatetime() + dt.timedelta(hours=1)
    store.set_status(problem["id"], "reported", actor="江城区创城办", at=at, note="已清理")
    after = store.problems().set_index("id").loc[problem["id"]]
    assert after["status"] == "reported"
    last = store.events().query("problem_id == @problem['id']").iloc[-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["at"]) == ("fixing", "reported", "江城区创城办", at)
    assert store.data_version() != before
    with pytest.raises(KeyError):
        store.scoped(["D99"]).set_status(problem["id"], "closed", actor="x")


def test_schema_version_is_recorded_and_checked(empty_db_url):
    engine = make_engine(empty_db_url)
    create_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(s.meta.select().where(s.meta.c.key == "schema_version")).one().value == str(s.SCHEMA_VERSION)
    with engine.begin() as conn:
        conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value="999"))
    with pytest.raises(SchemaMismatch, match="999"):
        create_schema(engine)


def test_shapes_are_postgis_geometries_with_spatial_indexes_on_postgresql(demo_store, backend):
    from sqlalchemy import inspect, text

    engine = demo_store.engine
    spatial = {i.name for i in s.SPATIAL_INDEXES}
    if backend == "sqlite":  # SQLite keeps WKT text and no spatial index
        tables = ("areas", "points", "alleys")
        assert all(str(c["type"]) == "TEXT" for t in tables for c in inspect(engine).get_columns(t) if c["name"] == "geom")
        assert not spatial & {i["name"] for t in (*tables, "problems") for i in inspect(engine).get_indexes(t)}
        return
    with engine.connect() as conn:
        kinds = conn.execute(text("SELECT f_table_name, srid, type FROM geometry_columns ORDER BY 1")).all()
        methods = dict(conn.execute(text("SELECT i.relname, a.amname FROM pg_class i JOIN pg_am a ON a.oid = i.relam "
                                         "WHERE i.relname LIKE 'ix_%'")).all())
    assert kinds == [("alleys", 4326, "GEOMETRY"), ("areas", 4326, "GEOMETRY"), ("points", 4326, "GEOMETRY")]
    assert {name: methods.get(name) for name in spatial} == dict.fromkeys(spatial, "gist")


def test_default_store_is_seeded_on_first_open_only(tmp_path, monkeypatch):
    from civmap.config import load_settings

    settings = load_settings({"CIVMAP_DATA_DIR": str(tmp_path), "CIVMAP_DEMO_SEED": "5"})
    assert settings.is_default_store and settings.database_url.endswith("civmap.sqlite")
    assert open_store(settings).points().empty, "opening a store never seeds it: the first run does"
    calls = []
    import civmap.demo.seed as seeding

    real = seeding.seed_demo
    monkeypatch.setattr(seeding, "seed_demo",
                        lambda engine, seed, **kw: calls.append(seed) or real(engine, seed, scale=0.02))
    store = open_first_run(settings)
    assert calls == [5] and len(store.points()) > 0
    open_first_run(settings)
    assert calls == [5], "an existing store is never re-seeded"
    own = load_settings({"CIVMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'office.sqlite'}"})
    with pytest.raises(StoreError, match="missing"):
        open_store(own)
    assert not (tmp_path / "office.sqlite").exists(), "an office's store is never created by opening it"
    assert init_store(own) and not init_store(own)
    assert open_store(own).points().empty, "an office's own store is never filled with demo data"


def test_scope_reaches_areas_below_streets(scratch_db_url):
    from civmap.storage import write_tables

    engine = make_engine(scratch_db_url)
    street = Store(engine).areas("street").iloc[0]
    community = {"code": "C-TEST", "level": "community", "parent_code": street["code"], "name": "测试社区",
                 "name_en": None, "shape": street.geometry.buffer(-0.001)}
    grid = {**community, "code": "G-TEST", "level": "grid", "parent_code": "C-TEST", "name": "测试网格"}
    with engine.begin() as conn:
        write_tables(conn, {"areas": pd.DataFrame([community, grid])})
    district = street["parent_code"]
    inside, outside = Store(engine).scoped([district]), Store(engine).scoped(["D99"])
    assert list(inside.areas("community")["code"]) == ["C-TEST"]
    assert list(inside.areas("grid")["code"]) == ["G-TEST"]
    assert outside.areas("grid").empty
