"""``seed`` never wipes an office's own data by accident; the demo store reseeds freely."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from civmap import ledger
from civmap.storage import schema as s
from civmap.config import ROOT
from civmap.demo.seed import open_first_run, seed_demo
from civmap.storage import OfficeDataError, create_schema, make_engine
from civmap.storage.writes import office_rows
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()


def _boundaries(store: Store) -> bytes:
    features = [{"type": "Feature", "properties": {"代码": r.code, "名称": r.name, "层级": "区县"},
                 "geometry": r.geometry.__geo_interface__} for r in store.districts().itertuples()]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _seed(url: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CIVMAP_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "civmap", "seed", "--scale", "0.05", *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_seed_refuses_an_office_store_names_what_it_holds_and_changes_nothing(demo_store, tmp_path):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    engine = make_engine(url)
    create_schema(engine)
    office = Store(engine)
    checked = ledger.check_file(_boundaries(demo_store), "区县边界.geojson", "boundaries", office, VOCAB)
    ledger.commit_ledger(office, checked, VOCAB)
    with engine.connect() as conn:
        assert office_rows(conn) == {"areas": 6}

    with pytest.raises(OfficeDataError, match=r"areas 6"):
        seed_demo(engine, seed=1, scale=0.05)
    done = _seed(url)
    assert done.returncode != 0
    assert "areas 6" in done.stderr and "--replace-office-data" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(office.districts()) == 6 and len(office.points()) == 0

    # Opening the office's store never seeds it either, even as the embedded default would.
    assert len(open_first_run(seed_if_empty=True, settings=_settings(url)).points()) == 0

    done = _seed(url, "--replace-office-data")
    assert done.returncode == 0, done.stderr
    with engine.connect() as conn:
        assert office_rows(conn) == {}
        assert conn.execute(select(s.meta.c.value).where(s.meta.c.key == "office_import")).first() is None
    assert len(office.points()) > 0


def test_a_demo_store_reseeds_until_an_office_imports_into_it(tmp_path, demo_store):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    engine = make_engine(url)
    create_schema(engine)
    seed_demo(engine, seed=1, scale=0.05)
    seed_demo(engine, seed=2, scale=0.05)  # the demo's own data: no question asked
    store = Store(engine)
    district = store.districts().iloc[0]
    rows = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "代码": district.code, "名称": "改名区", "层级": "区县"}, "geometry": district.geometry.__geo_interface__}]}
    checked = ledger.check_file(json.dumps(rows, ensure_ascii=False).encode(), "b.geojson", "boundaries", store, VOCAB)
    ledger.commit_ledger(store, checked, VOCAB)
    with pytest.raises(OfficeDataError):
        seed_demo(engine, seed=3, scale=0.05)
    assert store.district_names("zh")[district.code] == "改名区"


def _settings(url: str):
    from civmap.config import load_settings

    return load_settings({"CIVMAP_DATABASE_URL": url})
