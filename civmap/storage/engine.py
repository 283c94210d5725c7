"""The store's engine and its write lock.

Writes go through ``write_transaction``: it takes the store's write lock before the
first read, so an import or a status change plans from rows no other writer can change
until it commits (concurrent imports leave the store as the same imports one after the
other would), and it says so when the lock is not free within the lock timeout.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError

from civmap.storage.health import StoreLocked

__all__ = ["make_engine", "write_transaction", "sqlite_path"]

#: Execution option that marks a connection as the writer (see ``write_transaction``).
_WRITE = "civmap_write"
#: Execution option holding how long a writer waits for the write lock, in seconds.
_LOCK_TIMEOUT = "civmap_lock_timeout_s"
#: The PostgreSQL advisory lock every civmap writer takes (any constant shared by all).
_PG_WRITE_LOCK = 0x63697631


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str, create: bool = True, lock_timeout_s: float = 30.0) -> Engine:
    """An engine on ``url``.

    Parameters
    ----------
    create : bool
        For a SQLite file: whether it may be created. An office's store is opened with
        ``create=False`` (SQLite's ``mode=rw``), so a wrong or vanished path is an error
        instead of a new empty store.
    lock_timeout_s : float
        How long a writer waits for another's write lock before ``StoreLocked``.
    """
    path = sqlite_path(url)
    if path is None:
        engine = create_engine(url, pool_pre_ping=True)
        return engine.execution_options(**{_LOCK_TIMEOUT: lock_timeout_s})
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    mode = "rwc" if create else "rw"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True, timeout=lock_timeout_s,
                               check_same_thread=False)

    engine = create_engine(URL.create("sqlite", database=str(path)), creator=connect)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # WAL lets the dashboard read while an import writes
        # SQLAlchemy, not the driver, starts transactions (see _begin): the driver would
        # start one only at the first INSERT, after the rows the writer planned from were read.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine.execution_options(**{_LOCK_TIMEOUT: lock_timeout_s})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the store's write lock from its start; commits on success.

    Everything a writer reads inside it is what it writes over: SQLite takes its write
    lock at ``BEGIN IMMEDIATE``; PostgreSQL takes one advisory lock shared by all civmap
    writers (reads in READ COMMITTED then see every earlier writer's commit). Raises
    ``StoreLocked`` when the lock is not free within the engine's lock timeout; nothing
    is written then.
    """
    timeout = float(engine.get_execution_options().get(_LOCK_TIMEOUT, 30.0))
    with engine.connect().execution_options(**{_WRITE: True}) as conn:
        try:
            conn.begin()
            if conn.dialect.name == "postgresql":
                # at least 1 ms: PostgreSQL reads 0 as "wait for ever", SQLite as "do not wait"
                conn.execute(text(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})
        except OperationalError as error:
            if conn.in_transaction():
                conn.rollback()
            if _is_lock_timeout(error):
                raise StoreLocked(timeout) from None
            raise
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _is_lock_timeout(error: OperationalError) -> bool:
    words = str(error.orig).lower()
    return "locked" in words or "busy" in words or "lock timeout" in words or "lock_timeout" in words
