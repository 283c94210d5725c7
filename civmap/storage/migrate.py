"""Bringing a store written by an older civmap up to the current schema, data intact.

The steps are Alembic revisions kept inside the package (``civmap/storage/migrations``,
revision ``vN`` reaches schema version N), so they run from a fresh clone and from an
installed copy alike. All of them run in one transaction under the write lock, so a
failed migration leaves the store as it was (PostgreSQL and SQLite both roll DDL back).
A store from before Alembic has only ``meta.schema_version``: it is stamped with that
revision first. An office's store is only migrated when asked (``python -m civmap
migrate``): the app and the other commands say what to run and never write to a store of
another version. The embedded demo store is civmap's own and is migrated on opening.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, select, update

from civmap.storage import schema as s
from civmap.storage.engine import write_transaction
from civmap.storage.health import StoreError

__all__ = ["MIGRATIONS", "revision_of", "head_revision", "stored_version", "stored_revision", "migrate", "stamp_head"]

#: The folder of the Alembic revisions (part of the package).
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def revision_of(version: int) -> str:
    """The Alembic revision that reaches schema ``version``."""
    return f"v{version}"


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    """The newest revision this civmap knows (``revision_of(SCHEMA_VERSION)``)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def stored_version(conn) -> int | None:
    found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
    return None if found is None else int(found)


def stored_revision(conn) -> str | None:
    """The Alembic revision recorded in the store (None: a store from before Alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def stamp_head(conn) -> None:
    """Record a store created whole at the newest schema (inside the caller's transaction)."""
    command.stamp(_config(conn), head_revision())


def migrate(engine: Engine) -> list[int]:
    """Apply every revision from the store's version to ``SCHEMA_VERSION``; the versions reached.

    Raises ``StoreError`` for a store newer than this civmap, or one no revision starts from.
    """
    with write_transaction(engine) as conn:
        version = stored_version(conn)
        if version is None or version == s.SCHEMA_VERSION:
            if version is not None and not inspect(conn).has_table("alembic_version"):
                stamp_head(conn)  # a current store made before Alembic: note where it is
            return []
        script = ScriptDirectory.from_config(_config())
        if version > s.SCHEMA_VERSION or script.get_revision(revision_of(version)) is None:
            raise StoreError("schema_version", found=version, expected=s.SCHEMA_VERSION, where=str(engine.url))
        config = _config(conn)
        if stored_revision(conn) is None:
            command.stamp(config, revision_of(version))
        command.upgrade(config, revision_of(s.SCHEMA_VERSION))
        conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(s.SCHEMA_VERSION)))
    return list(range(version + 1, s.SCHEMA_VERSION + 1))
