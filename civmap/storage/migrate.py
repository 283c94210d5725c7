"""Bringing a store written by an older civmap up to the current schema, data intact.

Each step takes a store of one version to the next inside one transaction (under the
write lock), so a failed migration leaves the store as it was. An office's store is only
migrated when asked (``python -m civmap migrate``): the app and the other commands say
what to run and never write to a store of another version. The embedded demo store is
civmap's own and is migrated on opening.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Engine, bindparam, select, text, update

from civmap.storage import schema as s
from civmap.storage.engine import write_transaction
from civmap.storage.health import StoreError

__all__ = ["STEPS", "stored_version", "migrate"]


def _to_2(conn) -> None:
    """Units get their street, head and phone; inspections a key per point and day."""
    for column in ("street_code VARCHAR(32)", "head_name VARCHAR(32)", "head_phone VARCHAR(32)"):
        conn.execute(text(f"ALTER TABLE units ADD COLUMN {column}"))
    conn.execute(text("ALTER TABLE inspections ADD COLUMN ref VARCHAR(64)"))
    i = s.inspections
    rows = conn.execute(select(i.c.id, i.c.point_id, i.c.date).order_by(i.c.id.desc())).all()
    seen: set[str] = set()
    keys = []
    for row in rows:  # two results of one point on one day: the later row keeps the plain key
        ref = s.inspection_ref(row.point_id, row.date)
        key = ref if ref not in seen else f"{ref}#{row.id}"
        seen.add(key)
        keys.append({"row_id": row.id, "row_ref": key})
    if keys:
        conn.execute(update(i).where(i.c.id == bindparam("row_id")).values(ref=bindparam("row_ref")), keys)
    conn.execute(text("CREATE UNIQUE INDEX ix_inspections_ref ON inspections (ref)"))


def _to_3(conn) -> None:
    """Accounts, wall-screen tokens, the audit trail and photos; events say which move made them."""
    for column in ("move VARCHAR(16)", "unit_code VARCHAR(32)"):
        conn.execute(text(f"ALTER TABLE problem_events ADD COLUMN {column}"))
    s.metadata.create_all(conn, tables=[s.users, s.wall_tokens, s.audit, s.photos])


#: version → the step that takes a store of that version to the next.
STEPS: dict[int, Callable] = {1: _to_2, 2: _to_3}


def stored_version(conn) -> int | None:
    found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
    return None if found is None else int(found)


def migrate(engine: Engine) -> list[int]:
    """Apply every step from the store's version to ``SCHEMA_VERSION``; the versions reached.

    Raises ``StoreError`` for a store newer than this civmap, or one no step starts from.
    """
    reached = []
    while True:
        with write_transaction(engine) as conn:
            version = stored_version(conn)
            if version is None or version == s.SCHEMA_VERSION:
                return reached
            if version > s.SCHEMA_VERSION or version not in STEPS:  # written by a newer civmap
                raise StoreError("schema_version", found=version, expected=s.SCHEMA_VERSION, where=str(engine.url))
            STEPS[version](conn)
            conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(version + 1)))
            reached.append(version + 1)
