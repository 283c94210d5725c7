"""A throwaway PostgreSQL + PostGIS cluster on localhost for the test session.

Debian's server binaries (``postgresql-15``, ``postgresql-15-postgis-3``) make a cluster in
a temporary folder, listening on a free port on 127.0.0.1 and a socket in that folder; it
is stopped and removed at the end. initdb and pg_ctl refuse to run as root, so as root
they run as the ``postgres`` user (``runuser``). ``CIVMAP_TEST_DATABASE_URL`` names an
existing server instead (its database must allow ``CREATE EXTENSION postgis``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

from civmap.testing import free_port

__all__ = ["PG_BIN", "POSTGIS_CONTROL", "missing", "throwaway_cluster"]

PG_BIN = Path(os.environ.get("CIVMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
_USER = "civmap"


def missing() -> str | None:
    """Why no throwaway cluster can be made here (None: it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql-15 postgresql-15-postgis-3)"
    if not POSTGIS_CONTROL.exists():
        return f"PostGIS not installed ({POSTGIS_CONTROL} missing; apt-get install postgresql-15-postgis-3)"
    return None


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_owner(args), capture_output=True, text=True, timeout=120, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster, create a database with PostGIS; yield its ``postgresql+psycopg`` URL."""
    folder = Path(tempfile.mkdtemp(prefix="civmap-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "-t", "60",
          "start"])
    try:
        _run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", _USER, "civmap"])
        _run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", _USER, "-d", "civmap", "-q", "-c",
              "CREATE EXTENSION postgis"])
        yield f"postgresql+psycopg://{_USER}@127.0.0.1:{port}/civmap"
    finally:
        with contextlib.suppress(Exception):
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)
