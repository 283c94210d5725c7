"""A store written by an earlier civmap (schema 1, 2 or 3) is refused until migrated, then kept whole,
on SQLite and on PostgreSQL; the steps are Alembic revisions shipped in the package."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from civmap.storage import schema as s
from civmap.config import load_settings
from civmap.storage import SchemaMismatch, make_engine, migrate_store, open_store
from civmap.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.both_backends


def _run_sql(url: str, statements: list[str]) -> None:
    if url.startswith("sqlite"):  # plain sqlite3: foreign keys off, as an older civmap's file was written
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.executescript(";\n".join(statements))
        conn.commit()
        conn.close()
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _as_schema_3(url: str) -> None:
    """Take a current store back to what civmap wrote before schema 4 (and before Alembic):
    shapes as WKT text in ``geom_wkt``, no spatial index, no ``alembic_version``."""
    pg = url.startswith("postgresql")
    statements = ["DROP TABLE alembic_version", "UPDATE meta SET value = '3' WHERE key = 'schema_version'"]
    if pg:
        statements += [f"DROP INDEX {index.name}" for index in s.SPATIAL_INDEXES]
    for table in ("areas", "points", "alleys"):
        statements.append(f"ALTER TABLE {table} RENAME COLUMN geom TO geom_wkt")
        if pg:
            statements.append(f"ALTER TABLE {table} ALTER COLUMN geom_wkt TYPE TEXT USING ST_AsText(geom_wkt)")
    _run_sql(url, statements)


def _as_schema_2(url: str) -> None:
    """Take a current store back to what civmap wrote before schema 3 (accounts, audit, photos)."""
    _as_schema_3(url)
    _run_sql(url, ["DROP TABLE wall_tokens", "DROP TABLE users", "DROP TABLE audit", "DROP TABLE photos",
                   "ALTER TABLE problem_events DROP COLUMN move", "ALTER TABLE problem_events DROP COLUMN unit_code",
                   "UPDATE meta SET value = '2' WHERE key = 'schema_version'"])


def _as_schema_1(url: str) -> None:
    """Take a current store back to what civmap wrote before schema 2."""
    _as_schema_2(url)
    statements = ["DROP INDEX ix_inspections_ref", "ALTER TABLE inspections DROP COLUMN ref",
                  "UPDATE meta SET value = '1' WHERE key = 'schema_version'"]
    if url.startswith("postgresql"):
        statements += [f"ALTER TABLE units DROP COLUMN {c}" for c in ("street_code", "head_name", "head_phone")]
    else:  # SQLite cannot drop a column with a foreign key: the table is rebuilt as schema 1 had it
        statements += [
            "CREATE TABLE units_v1 (code VARCHAR(32) PRIMARY KEY, name VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,"
            " district_code VARCHAR(32) REFERENCES areas (code))",
            "INSERT INTO units_v1 SELECT code, name, kind, district_code FROM units",
            "DROP TABLE units", "ALTER TABLE units_v1 RENAME TO units"]
    _run_sql(url, statements)


def _shapes(store: Store) -> list[str]:
    return [g.wkt for frame in (store.areas(None), store.alleys()) for g in frame.geometry] + \
        [g.wkt for g in store.points()["shape"].dropna()]


def test_an_old_store_is_refused_then_migrated_with_its_data_intact(scratch_db_url, demo_store):
    _as_schema_1(scratch_db_url)
    settings = load_settings({"CIVMAP_DATABASE_URL": scratch_db_url})
    with pytest.raises(SchemaMismatch) as refused:
        open_store(settings)
    assert "python -m civmap migrate" in refused.value.message("zh")
    for command in (["stats"], ["seed"]):  # read or write: refused, and nothing is written
        done = subprocess.run([sys.executable, "-m", "civmap", *command], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "CIVMAP_DATABASE_URL": scratch_db_url}, timeout=120)
        assert done.returncode == 2 and "migrate" in done.stderr and "Traceback" not in done.stderr
    with make_engine(scratch_db_url).connect() as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one() == "1"

    assert migrate_store(settings) == [2, 3, 4]
    assert migrate_store(settings) == []  # once is enough
    old = Store(make_engine(scratch_db_url))
    assert _shapes(old) == _shapes(demo_store)
    for layer in ("units", "points", "inspections", "problems", "events"):
        assert len(getattr(old, layer)()) == len(getattr(demo_store, layer)()), layer
    refs = old.inspections()
    assert refs["ref"].is_unique
    assert (refs["ref"] == [s.inspection_ref(p, d) for p, d in zip(refs["point_id"], refs["date"])]).all()
    assert open_store(settings).data_version() == demo_store.data_version()


def test_a_schema_2_store_gains_accounts_audit_and_photos_with_its_data_intact(scratch_db_url, demo_store):
    from civmap import accounts
    from civmap.vocab import load_vocabulary

    _as_schema_2(scratch_db_url)
    settings = load_settings({"CIVMAP_DATABASE_URL": scratch_db_url})
    with pytest.raises(SchemaMismatch):
        open_store(settings)
    assert migrate_store(settings) == [3, 4]
    store = open_store(settings)
    for layer in ("units", "points", "inspections", "problems", "events"):
        assert len(getattr(store, layer)()) == len(getattr(demo_store, layer)()), layer
    assert store.events()[["move", "unit_code"]].isna().all().all()  # imported history: no move
    assert store.data_version() == demo_store.data_version()
    accounts.add_user(store.engine, load_vocabulary(), "operator", "li", "李", "office", password="long enough pw")
    assert [u.login for u in accounts.list_users(store.engine)] == ["li"]


def test_a_schema_3_store_gets_its_shapes_as_geometries_and_is_stamped(scratch_db_url, demo_store, backend):
    from civmap.storage.migrate import head_revision, stored_revision

    _as_schema_3(scratch_db_url)
    settings = load_settings({"CIVMAP_DATABASE_URL": scratch_db_url})
    assert migrate_store(settings) == [4]
    store = open_store(settings)
    assert _shapes(store) == _shapes(demo_store)
    with store.engine.connect() as conn:
        assert stored_revision(conn) == head_revision() == f"v{s.SCHEMA_VERSION}"
        if backend == "postgresql":
            assert conn.execute(text("SELECT count(*) FROM geometry_columns WHERE srid = 4326")).scalar_one() == 3


def test_the_revisions_ship_inside_the_package_and_reach_the_schema_version():
    from civmap.storage.migrate import MIGRATIONS, head_revision

    import civmap

    assert MIGRATIONS.is_relative_to(Path(civmap.__file__).parent)
    assert sorted(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("v*.py")) == \
        [f"v{n}" for n in range(1, s.SCHEMA_VERSION + 1)]
    assert head_revision() == f"v{s.SCHEMA_VERSION}"


def test_the_app_on_an_older_store_says_what_to_run_and_writes_nothing(scratch_db_url, monkeypatch):
    import streamlit as st

    from tests.conftest import run_page

    _as_schema_2(scratch_db_url)
    with make_engine(scratch_db_url).connect() as conn:
        before = conn.execute(text("SELECT key, value FROM meta ORDER BY key")).all()
    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = run_page("overview", {})
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
    shown = " ".join(str(e.value) for e in at.error)
    assert "python -m civmap migrate" in shown.replace("\\", ""), shown
    with make_engine(scratch_db_url).connect() as conn:
        assert conn.execute(text("SELECT key, value FROM meta ORDER BY key")).all() == before
        assert conn.execute(text("SELECT count(*) FROM problem_events")).scalar_one() > 0
