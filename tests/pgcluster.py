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

__all__ = ["PG_BIN", "POSTGIS_CONTROL", "missing", "throwaway_cluster", "Databases"]

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


class Databases:
    """Databases made on a server for the session, each dropped at the end.

    ``copy`` makes a database from a template (``CREATE DATABASE ... TEMPLATE``): a seeded
    demo city is copied in well under a second, so every test that writes gets its own.
    A template must have no open connection while it is copied.
    """

    def __init__(self, server_url: str):
        from sqlalchemy import create_engine, make_url

        self.server = make_url(server_url)
        self._admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self._made: list[str] = []
        self._prefix = f"civmap_t{os.getpid()}_"

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def create(self, label: str, template: str | None = None, postgis: bool = False) -> str:
        """A new database (copied from ``template`` when given); its name."""
        from sqlalchemy import text

        name = f"{self._prefix}{label}_{len(self._made)}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self._made.append(name)
        if postgis:
            from sqlalchemy import create_engine

            engine = create_engine(self.url(name), isolation_level="AUTOCOMMIT", poolclass=_null_pool())
            with engine.connect() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            engine.dispose()
        return name

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._made:
            self._made.remove(name)

    def drop_all(self) -> None:
        for name in list(reversed(self._made)):
            with contextlib.suppress(Exception):
                self.drop(name)
        self._admin.dispose()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool
