"""The audit trail's rows: written inside the transaction of the change they describe, read
back oldest first. What a row may hold is decided by :mod:`civmap.audit`; here it is stored."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import pandas as pd
from sqlalchemy import Engine, insert, select

from civmap.storage import schema as s
from civmap.storage.engine import write_transaction

__all__ = ["COLUMNS", "insert_entries", "append", "read_trail"]

#: An entry's fields, as :func:`civmap.audit.entry` makes them.
COLUMNS = ("at", "actor", "action", "subject", "detail")


def insert_entries(conn, entries: Iterable[Mapping]) -> None:
    """Add entries inside the caller's write transaction (storage modules only)."""
    rows = [{c: entry[c] for c in COLUMNS} for entry in entries]
    if rows:
        conn.execute(insert(s.audit), rows)


def append(engine: Engine, entries: Iterable[Mapping]) -> None:
    """Add entries in a transaction of their own (events that change nothing else)."""
    with write_transaction(engine) as conn:
        insert_entries(conn, entries)


def read_trail(engine: Engine, since: dt.datetime | None = None, until: dt.datetime | None = None,
               actions: tuple[str, ...] = ()) -> pd.DataFrame:
    """The trail, oldest first: at, actor, action, subject, detail (JSON text)."""
    a = s.audit
    query = select(*(a.c[c] for c in COLUMNS)).order_by(a.c.at, a.c.id)
    if since is not None:
        query = query.where(a.c.at >= since)
    if until is not None:
        query = query.where(a.c.at < until)
    if actions:
        query = query.where(a.c.action.in_(actions))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=list(COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"])
    return frame
