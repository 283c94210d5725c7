"""The operators' commands say the same on the demo city stored in SQLite and in PostgreSQL,
and ``init``, ``seed`` and ``import`` work on an empty PostGIS database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civmap import clock

ROOT = Path(__file__).resolve().parent.parent

#: Read-only commands and their arguments; each output compared byte for byte.
READS = {
    "stats": ["stats"],
    "circles": ["circles"],
    "ties": ["ties"],
    "progress": ["progress", "--format", "json"],
    "progress by unit": ["progress", "--by", "unit", "--format", "csv"],
    "status": ["status"],
    "priorities": ["priorities"],
}


def _civmap(url: str, *args: str, cwd: Path = ROOT, env: dict | None = None, stdin: str | None = None
            ) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "civmap", *args], cwd=cwd, capture_output=True, text=True, input=stdin,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "CIVMAP_DATABASE_URL": url, **(env or {})},
                          timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.parametrize("name", READS)
def test_each_command_says_the_same_on_both_backends(name, demo_db_url, pg_demo_url):
    on_sqlite, on_pg = _civmap(demo_db_url, *READS[name]), _civmap(pg_demo_url, *READS[name])
    assert on_sqlite.stdout and on_sqlite.stdout == on_pg.stdout


def test_export_writes_the_same_file_from_both_backends(demo_db_url, pg_demo_url, tmp_path):
    files = []
    for label, url in (("sqlite", demo_db_url), ("pg", pg_demo_url)):
        out = tmp_path / f"{label}.geojson"
        _civmap(url, "export", str(out))
        files.append(out.read_bytes())
    assert files[0] == files[1] and len(files[0]) > 1000


def test_init_seed_and_an_import_on_an_empty_postgis_database(pg_databases, pg_empty_template, demo_store, tmp_path):
    from civmap.ledger.office_samples import boundaries_geojson

    url = pg_databases.url(pg_databases.create("cli", template=pg_empty_template))
    assert "Created an empty store" in _civmap(url, "init", "--lang", "en").stdout
    sample = tmp_path / "边界.geojson"
    sample.write_bytes(boundaries_geojson(demo_store))
    _civmap(url, "import", "--kind", "boundaries", str(sample))
    assert "districts" in _civmap(url, "stats").stdout
    seeded = _civmap(url, "seed", "--scale", "0.05", "--replace-office-data")
    assert "problems" in seeded.stdout
    _civmap(url, "users", "add", "li", "--name", "李区长", "--role", "district_head", "--district", "D01",
            "--password-stdin", stdin="a long enough password\n")
    assert "li" in _civmap(url, "users", "list").stdout
    assert "li" in _civmap(url, "audit", "--format", "csv").stdout
    today = clock.today()
    out = tmp_path / "通报.docx"
    _civmap(url, "bulletin", "--period", f"{today - dt.timedelta(days=13)}..{today}", str(out))
    assert out.stat().st_size > 10_000
