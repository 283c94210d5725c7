"""Opening the store: engine, schema, schema version, and the demo city on first run."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine, delete, event, func, insert, inspect, select

from civmap import clock
from civmap import schema as s
from civmap.config import Settings, load_settings
from civmap.store import Store, bump_version

__all__ = ["make_engine", "create_schema", "open_store", "write_tables", "seed_demo", "office_rows", "SchemaMismatch",
           "OfficeDataError"]

_SEED_LOCK = threading.Lock()
#: Tables in the order rows may be written (parents before children).
TABLE_ORDER = ("areas", "units", "points", "inspections", "circles", "alleys", "problems", "problem_events")


class SchemaMismatch(RuntimeError):
    """The store was written by a different schema version than this code expects."""


class OfficeDataError(ValueError):
    """Seeding would destroy an office's own data; says what, and how to go ahead anyway."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        held = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        super().__init__(f"this store holds an office's own data ({held}); seeding the demo city would "
                         f"delete all of it. Nothing was changed. To replace it anyway, run "
                         f"`python -m civmap seed --replace-office-data`.")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets the dashboard read while an import writes
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version; refuse a foreign version."""
    s.metadata.create_all(engine)
    with engine.begin() as conn:
        found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
        if found is None:
            conn.execute(insert(s.meta).values(key="schema_version", value=str(s.SCHEMA_VERSION)))
        elif int(found) != s.SCHEMA_VERSION:
            raise SchemaMismatch(
                f"the store has schema version {found}, this civmap expects {s.SCHEMA_VERSION}")


def write_tables(conn, tables: dict[str, pd.DataFrame], replace: bool = False) -> None:
    """Insert DataFrames into their tables inside the caller's transaction."""
    if replace:
        for name in reversed(TABLE_ORDER):
            conn.execute(delete(s.metadata.tables[name]))
    for name in TABLE_ORDER:
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        table = s.metadata.tables[name]
        columns = [c.name for c in table.columns if c.name in frame.columns]
        records = frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
        conn.execute(insert(table), records)
    bump_version(conn)


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


def seed_demo(engine: Engine, seed: int, scale: float = 1.0, as_of: dt.date | None = None,
              replace_office_data: bool = False) -> dict[str, int]:
    """Replace the store's contents with a freshly generated demo city.

    Refuses (``OfficeDataError``, before generating anything) when the store holds an
    office's own data, unless ``replace_office_data``: one mistyped command must not wipe
    a city's ledgers.
    """
    from civmap.demo import generate_city  # the generator is only needed to seed

    if not replace_office_data:
        with engine.connect() as conn:
            held = office_rows(conn)
        if held:
            raise OfficeDataError(held)
    city = generate_city(seed=seed, scale=scale, as_of=as_of)
    with engine.begin() as conn:
        conn.execute(delete(s.meta).where(s.meta.c.key == "office_import"))
        write_tables(conn, city.tables, replace=True)
        for key, value in (("demo_seed", str(seed)), ("demo_scale", str(scale)),
                           ("demo_as_of", city.as_of.isoformat())):
            conn.execute(delete(s.meta).where(s.meta.c.key == key))
            conn.execute(insert(s.meta).values(key=key, value=value))
    return {name: len(frame) for name, frame in city.tables.items()}


def _is_empty(engine: Engine) -> bool:
    """No row in any table: a store an office has loaded only boundaries into is not empty."""
    with engine.connect() as conn:
        return all(conn.execute(select(s.metadata.tables[name]).limit(1)).first() is None for name in TABLE_ORDER)


def open_store(settings: Settings | None = None, seed_if_empty: bool | None = None) -> Store:
    """Open the configured store, creating it (and on the default store, the demo city).

    The demo city is seeded only into the embedded default store, unless asked: an
    office's own database is never filled with invented data behind its back.
    """
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    if seed_if_empty is None:
        seed_if_empty = settings.is_default_store
    if seed_if_empty:
        with _SEED_LOCK:
            if _is_empty(engine):
                seed_demo(engine, settings.demo_seed)
    return Store(engine)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


# -- ledger import writes (issue 5: civmap.ledger.commit) ---------------------------------
# The only write path of ledger imports. What to write is planned inside the transaction
# from the rows as they are then, so a failure anywhere leaves the store as it was.
_LEDGER_BATCH = 500


def _batches(items: list, size: int = _LEDGER_BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_ledger(engine: Engine, table_name: str, key: str, keys: list[str], plan, on_progress=None):
    """Upsert a ledger's rows into ``table_name`` and add its status events, atomically.

    Parameters
    ----------
    key : str
        The column rows are matched by (``id``; ``code`` for areas).
    keys : list of str
        The ledger's keys; their stored rows are read inside the transaction.
    plan : callable
        ``plan(existing: dict[key, dict]) -> Writes`` (see ``civmap.ledger.commit``).
    on_progress : callable, optional
        ``on_progress(done, total)`` after each batch; an exception from it rolls back.

    Returns
    -------
    (Writes, str | None)
        What was written, and the new data version (None when nothing changed).
    """
    from sqlalchemy import bindparam, update

    table = s.metadata.tables[table_name]
    columns = [c.name for c in table.columns]
    with engine.begin() as conn:
        existing: dict[str, dict] = {}
        for part in _batches(sorted(set(keys))):
            for row in conn.execute(select(table).where(table.c[key].in_(part))).mappings():
                existing[str(row[key])] = dict(row)
        writes = plan(existing)
        total = len(writes.inserts) + len(writes.updates) + len(writes.events)
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            if on_progress is not None:
                on_progress(done, total)

        for part in _batches(writes.inserts):
            conn.execute(insert(table), [{c: row.get(c) for c in columns} for row in part])
            progress(len(part))
        groups: dict[tuple, list[dict]] = {}
        for row in writes.updates:
            groups.setdefault(tuple(sorted(c for c in row if c != key)), []).append(row)
        for changed, rows in groups.items():
            statement = (update(table).where(table.c[key] == bindparam("k_key"))
                         .values({c: bindparam(f"v_{c}") for c in changed}))
            for part in _batches(rows):
                conn.execute(statement, [{"k_key": r[key], **{f"v_{c}": r[c] for c in changed}} for r in part])
                progress(len(part))
        for part in _batches(writes.events):
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
