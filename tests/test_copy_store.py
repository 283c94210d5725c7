"""``python -m civmap copy-store``: a whole store from SQLite to PostgreSQL and back, every
table counted, every row and shape the same, photos still found, ids still fresh after."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from civmap.storage import make_engine
from civmap.storage import schema as s
from civmap.storage.copying import NotEmpty, copy_store
from civmap.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _everything(store: Store) -> dict:
    """What the app reads, in a form that compares across backends."""
    out = {}
    for name in ("units", "points", "circles", "alleys", "problems", "events", "inspections"):
        frame = getattr(store, name)()
        frame = frame.drop(columns=[c for c in ("geometry", "shape") if c in frame.columns])
        key = "id" if "id" in frame.columns else frame.columns[0]
        out[name] = frame.sort_values(key).astype(str).reset_index(drop=True)
    out["shapes"] = sorted(g.wkt for g in store.areas(None).geometry) + sorted(g.wkt for g in store.alleys().geometry) \
        + sorted(g.wkt for g in store.points()["shape"].dropna())
    out["version"] = store.data_version()
    return out


def _same(one: dict, other: dict) -> None:
    assert one.keys() == other.keys()
    for name in one:
        if name in ("shapes", "version"):
            assert one[name] == other[name], name
        else:
            assert one[name].equals(other[name]), name


def _add_photo(url: str, folder: Path) -> None:
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    (folder / "ab" / "thumb.jpg").write_bytes(b"\xff\xd8 a thumbnail")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(s.photos).values(problem_id="X1", stage="after", file="ab/photo.jpg", thumb="ab/thumb.jpg",
                                             sha256="0" * 64, media_type="image/jpeg", size=14, actor="li",
                                             at=dt.datetime(2026, 11, 1, 9, 0)))
    engine.dispose()


def test_a_store_goes_to_postgresql_and_back_whole(scratch_db_url, pg_databases, pg_empty_template, tmp_path):
    # the SQLite demo store, with a photo, into an empty PostGIS database, by the command line
    _add_photo(scratch_db_url, tmp_path / "scratch_photos")
    pg_url = pg_databases.url(pg_databases.create("copy", template=pg_empty_template))
    env = {**os.environ, "CIVMAP_DATA_DIR": str(tmp_path / "pgdata"), "CIVMAP_PHOTOS_DIR": ""}
    done = subprocess.run([sys.executable, "-m", "civmap", "copy-store", scratch_db_url, pg_url, "--lang", "en",
                           "--source-photos", str(tmp_path / "scratch_photos")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "problem_events" in done.stdout and "every table's row count matches" in done.stdout
    assert "2 files copied" in done.stdout
    assert (tmp_path / "pgdata" / "photos" / "ab" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"
    source, on_pg = Store(make_engine(scratch_db_url)), Store(make_engine(pg_url))
    _same(_everything(source), _everything(on_pg))

    # a second copy into it is refused and changes nothing, unless told
    again = subprocess.run([sys.executable, "-m", "civmap", "copy-store", scratch_db_url, pg_url, "--lang", "en"],
                           cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 2 and "--replace" in again.stderr and "Traceback" not in again.stderr
    with pytest.raises(NotEmpty):
        copy_store(source.engine, on_pg.engine)

    # ids keep counting after the copied ones: a new event on PostgreSQL gets a new id
    problem = on_pg.problems().iloc[0]["id"]
    last = on_pg.events()["id"].max()
    on_pg.set_status(problem, "closed", actor="test")
    assert on_pg.events()["id"].max() == last + 1

    # and back to a new SQLite file, counted table by table
    back_url = f"sqlite:///{tmp_path / 'back.sqlite'}"
    report = copy_store(on_pg.engine, make_engine(back_url))
    assert {c.table for c in report} == set(s.metadata.tables) and all(c.ok for c in report)
    back = Store(make_engine(back_url))
    _same(_everything(on_pg), _everything(back))
    with back.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.photos)).scalar_one() == 1
    assert len(copy_store(source.engine, back.engine, replace=True)) == len(s.metadata.tables)
    _same(_everything(source), _everything(back))
