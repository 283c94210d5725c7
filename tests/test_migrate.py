"""A store written by an earlier civmap (schema 1) is refused until migrated, then kept whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from civmap.storage import schema as s
from civmap.config import load_settings
from civmap.storage import SchemaMismatch, make_engine, migrate_store, open_store
from civmap.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _as_schema_2(path: Path) -> None:
    """Take a current store back to what civmap wrote before schema 3 (accounts, audit, photos)."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        DROP TABLE wall_tokens; DROP TABLE users; DROP TABLE audit; DROP TABLE photos;
        ALTER TABLE problem_events DROP COLUMN move;
        ALTER TABLE problem_events DROP COLUMN unit_code;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()


def _as_schema_1(path: Path) -> None:
    """Take a current store back to what civmap wrote before schema 2."""
    _as_schema_2(path)
    conn = sqlite3.connect(path)
    conn.executescript("""
        DROP INDEX ix_inspections_ref;
        ALTER TABLE inspections DROP COLUMN ref;
        CREATE TABLE units_v1 (code VARCHAR(32) PRIMARY KEY, name VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,
                               district_code VARCHAR(32) REFERENCES areas (code));
        INSERT INTO units_v1 SELECT code, name, kind, district_code FROM units;
        DROP TABLE units;
        ALTER TABLE units_v1 RENAME TO units;
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()


def test_an_old_store_is_refused_then_migrated_with_its_data_intact(demo_db_path, demo_store, tmp_path):
    path = shutil.copy(demo_db_path, tmp_path / "old.sqlite")
    _as_schema_1(path)
    settings = load_settings({"CIVMAP_DATABASE_URL": f"sqlite:///{path}"})
    with pytest.raises(SchemaMismatch) as refused:
        open_store(settings)
    assert "python -m civmap migrate" in refused.value.message("zh")
    done = subprocess.run([sys.executable, "-m", "civmap", "stats"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "CIVMAP_DATABASE_URL": f"sqlite:///{path}"}, timeout=120)
    assert done.returncode == 2 and "migrate" in done.stderr and "Traceback" not in done.stderr

    assert migrate_store(settings) == [2, 3]
    assert migrate_store(settings) == []  # once is enough
    old = Store(make_engine(f"sqlite:///{path}"))
    for layer in ("units", "points", "inspections", "problems", "events"):
        assert len(getattr(old, layer)()) == len(getattr(demo_store, layer)()), layer
    refs = old.inspections()
    assert refs["ref"].is_unique
    assert (refs["ref"] == [s.inspection_ref(p, d) for p, d in zip(refs["point_id"], refs["date"])]).all()
    assert open_store(settings).data_version() == demo_store.data_version()


def test_a_schema_2_store_gains_accounts_audit_and_photos_with_its_data_intact(demo_db_path, demo_store, tmp_path):
    from civmap import accounts
    from civmap.vocab import load_vocabulary

    path = shutil.copy(demo_db_path, tmp_path / "v2.sqlite")
    _as_schema_2(path)
    settings = load_settings({"CIVMAP_DATABASE_URL": f"sqlite:///{path}"})
    with pytest.raises(SchemaMismatch):
        open_store(settings)
    assert migrate_store(settings) == [3]
    store = open_store(settings)
    for layer in ("units", "points", "inspections", "problems", "events"):
        assert len(getattr(store, layer)()) == len(getattr(demo_store, layer)()), layer
    assert store.events()[["move", "unit_code"]].isna().all().all()  # imported history: no move
    assert store.data_version() == demo_store.data_version()
    accounts.add_user(store.engine, load_vocabulary(), "operator", "li", "李", "office", password="long enough pw")
    assert [u.login for u in accounts.list_users(store.engine)] == ["li"]
