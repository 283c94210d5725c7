"""Every write to the store but a single status change (``Store.set_status``): whole tables,
a ledger's rows, and the data-version stamp every write bumps.

Each runs inside ``write_transaction`` (the write lock held from its start), so a failure
anywhere leaves the store as it was and two writers cannot interleave.
"""

from __future__ import annotations

import uuid
from typing import Mapping

import pandas as pd
from sqlalchemy import Engine, bindparam, delete, func, insert, select, text, update

from civmap import clock
from civmap.storage import schema as s
from civmap.storage.engine import write_transaction
from civmap.storage.rows import batches, copy_value, from_stored, stored_frame, to_stored

__all__ = ["TABLE_ORDER", "OfficeDataError", "bump_version", "write_tables", "insert_rows", "office_rows", "is_empty",
           "replace_contents", "apply_ledger"]

#: Tables in the order rows may be written (parents before children).
TABLE_ORDER = ("areas", "units", "points", "inspections", "circles", "alleys", "problems", "problem_events")

class OfficeDataError(ValueError):
    """Seeding would destroy an office's own data; says what, and how to go ahead anyway."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        held = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        super().__init__(f"this store holds an office's own data ({held}); seeding the demo city would "
                         f"delete all of it. Nothing was changed. To replace it anyway, run "
                         f"`python -m civmap seed --replace-office-data`.")



def bump_version(conn, base: bool = True) -> str:
    """Record that the data changed; caches keyed by the version then miss.

    ``base=False`` only for a case move (a status change and its event, which rewrites
    problem rows and nothing else): the base version stays, and a process holding the city
    re-reads only the problems the new events name (``civmap.storage.live``).
    """
    version = f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    for key in ("data_version", "base_version") if base else ("data_version",):
        updated = conn.execute(update(s.meta).where(s.meta.c.key == key).values(value=version))
        if updated.rowcount == 0:
            conn.execute(insert(s.meta).values(key=key, value=version))
    return version


def write_tables(conn, tables: dict[str, pd.DataFrame], replace: bool = False) -> None:
    """Insert DataFrames into their tables inside the caller's transaction.

    Shapes come as geometries (``civmap.storage.rows.stored_frame``: a ``shape`` column, or
    the geometry of an areas or alleys GeoDataFrame), never as stored text.
    """
    if replace:
        if conn.dialect.name == "postgresql":  # one statement, no per-row foreign-key checks
            conn.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in TABLE_ORDER)))
        else:
            for name in reversed(TABLE_ORDER):
                conn.execute(delete(s.metadata.tables[name]))
    for name in TABLE_ORDER:
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        table = s.metadata.tables[name]
        frame = stored_frame(name, frame)
        columns = [c.name for c in table.columns if c.name in frame.columns]
        records = frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
        insert_rows(conn, table, records)
    bump_version(conn)


#: Rows from which PostgreSQL gets them through COPY rather than INSERT statements.
_COPY_FROM = 1000


def insert_rows(conn, table, records: list[dict]) -> None:
    """Insert many rows at once inside the caller's transaction: PostgreSQL through COPY
    (one stream, no statement per batch: a city's hundred thousand problems in seconds),
    SQLite through one executemany. Every record has the same keys, the table's columns."""
    if not records:
        return
    if conn.dialect.name != "postgresql" or len(records) < _COPY_FROM:
        conn.execute(insert(table), records)
        return
    columns = list(records[0])
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for record in records:
            copy.write_row([copy_value(c, record[c]) for c in columns])


def office_rows(conn) -> dict[str, int]:
    """Rows per table that are an office's own, not the demo's: every row of a store that
    was never seeded, or of a seeded one into which ledgers have been imported since
    (``meta.office_import``, set by every import that wrote). Empty tables are left out."""
    keys = dict(conn.execute(select(s.meta.c.key, s.meta.c.value)).all())
    if "demo_seed" in keys and "office_import" not in keys:
        return {}
    counts = {name: conn.execute(select(func.count()).select_from(s.metadata.tables[name])).scalar_one()
              for name in TABLE_ORDER}
    return {name: count for name, count in counts.items() if count}


def has_rows(conn) -> bool:
    """Any row in any table: a store an office has loaded only boundaries into is not empty."""
    return any(conn.execute(select(s.metadata.tables[name]).limit(1)).first() is not None for name in TABLE_ORDER)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not has_rows(conn)



def office_rows_of(engine: Engine) -> dict[str, int]:
    """``office_rows`` of the store as it is now (outside a write)."""
    with engine.connect() as conn:
        return office_rows(conn)


def replace_contents(engine: Engine, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, str],
                     only_if_empty: bool = False, replace_office_data: bool = False) -> bool:
    """Replace every table's rows by ``tables`` and set the ``meta`` keys, in one transaction.

    Checked again under the write lock: refuses (``OfficeDataError``) when the store holds
    an office's own data unless ``replace_office_data``; with ``only_if_empty`` a store that
    has any row is left alone (False), so two processes filling a new store fill it once.
    """
    with write_transaction(engine) as conn:
        if only_if_empty and has_rows(conn):
            return False
        held = {} if replace_office_data else office_rows(conn)
        if held:
            raise OfficeDataError(held)
        conn.execute(delete(s.meta).where(s.meta.c.key == "office_import"))
        write_tables(conn, dict(tables), replace=True)
        for key, value in meta.items():
            conn.execute(delete(s.meta).where(s.meta.c.key == key))
            conn.execute(insert(s.meta).values(key=key, value=value))
    return True


# -- ledger import writes (civmap.ledger.commit) -------------------------------------------
# The only write path of ledger imports. What to write is planned inside the write
# transaction (the write lock held from its start) from the rows as they are then, so no
# other writer can change them in between, and a failure anywhere leaves the store as it was.


def apply_ledger(engine: Engine, table_name: str, key: str, keys: list[str], plan, on_progress=None):
    """Upsert a ledger's rows into ``table_name`` and add its status events, atomically.

    Parameters
    ----------
    key : str
        The column rows are matched by (``id``; ``code`` for areas).
    keys : list of str
        The ledger's keys; their stored rows are read inside the transaction.
    plan : callable
        ``plan(existing: dict[key, dict]) -> Writes`` (see ``civmap.ledger.commit``); rows
        in and out carry their geometry as a shapely ``shape`` (``civmap.storage.rows``).
    on_progress : callable, optional
        ``on_progress(done, total)`` after each batch; an exception from it rolls back.

    Returns
    -------
    (Writes, str | None)
        What was written, and the new data version (None when nothing changed).
    """
    table = s.metadata.tables[table_name]
    columns = [c.name for c in table.columns]
    with write_transaction(engine) as conn:
        existing: dict[str, dict] = {}
        for part in batches(sorted(set(keys))):
            for row in conn.execute(select(table).where(table.c[key].in_(part))).mappings():
                existing[str(row[key])] = from_stored(row)
        writes = plan(existing)
        if writes.units:  # units the ledger names, created first; one already there is kept
            units = s.units
            known = set(conn.execute(select(units.c.code).where(units.c.code.in_([u["code"] for u in writes.units])))
                        .scalars())
            writes.units = [u for u in writes.units if u["code"] not in known]
            if writes.units:
                conn.execute(insert(units), writes.units)
        total = len(writes.inserts) + len(writes.updates) + len(writes.events) + len(writes.deletes) + len(writes.units)
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            if on_progress is not None:
                on_progress(done, total)

        for part in batches(writes.deletes):  # first: a removed circle frees its centre for a new one
            conn.execute(delete(table).where(table.c[key].in_(part)))
            progress(len(part))
        for part in batches(writes.inserts):
            conn.execute(insert(table), [{c: row.get(c) for c in columns} for row in map(to_stored, part)])
            progress(len(part))
        groups: dict[tuple, list[dict]] = {}
        for row in map(to_stored, writes.updates):
            groups.setdefault(tuple(sorted(c for c in row if c != key)), []).append(row)
        for changed, rows in groups.items():
            statement = (update(table).where(table.c[key] == bindparam("k_key"))
                         .values({c: bindparam(f"v_{c}") for c in changed}))
            for part in batches(rows):
                conn.execute(statement, [{"k_key": r[key], **{f"v_{c}": r[c] for c in changed}} for r in part])
                progress(len(part))
        for part in batches(writes.events):
            conn.execute(insert(s.problem_events), part)
            progress(len(part))
        version = bump_version(conn) if total else None
        if total:
            _mark_office_import(conn)
    return writes, version


def _mark_office_import(conn) -> None:
    """Remember that an office's rows are in the store, so ``seed`` will not wipe them."""
    conn.execute(delete(s.meta).where(s.meta.c.key == "office_import"))
    conn.execute(insert(s.meta).values(key="office_import", value=clock.now().isoformat()))
