"""Opening the store: its schema and version, the checks that it is civmap's, and the
demo city on first run of the embedded store.

An office's store (``CIVMAP_DATABASE_URL`` set) is never created or seeded here: a
missing, empty or unreadable one is a ``StoreError``. ``python -m civmap init`` creates it.
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, inspect, select
from sqlalchemy.exc import DBAPIError

from civmap import clock
from civmap import schema as s
from civmap.config import Settings, load_settings
from civmap.engine import make_engine, sqlite_path, write_transaction
from civmap.health import FileWatch, StoreError
from civmap.migrate import migrate
from civmap.store import Store, bump_version

__all__ = ["make_engine", "create_schema", "check_schema", "open_store", "write_tables", "write_transaction",
           "seed_demo", "office_rows", "SchemaMismatch", "OfficeDataError", "init_store", "migrate_store"]

_SEED_LOCK = threading.Lock()
#: Tables in the order rows may be written (parents before children).
TABLE_ORDER = ("areas", "units", "points", "inspections", "circles", "alleys", "problems", "problem_events")


class SchemaMismatch(StoreError):
    """The store was written by a different schema version than this code expects."""

    def __init__(self, found: str, where: str = ""):
        older = str(found).isdigit() and int(found) < s.SCHEMA_VERSION
        super().__init__("schema_older" if older else "schema_version", found=found, expected=s.SCHEMA_VERSION,
                         where=where)


class OfficeDataError(ValueError):
    """Seeding would destroy an office's own data; says what, and how to go ahead anyway."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        held = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        super().__init__(f"this store holds an office's own data ({held}); seeding the demo city would "
                         f"delete all of it. Nothing was changed. To replace it anyway, run "
                         f"`python -m civmap seed --replace-office-data`.")


def create_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version; refuse a foreign version.

    Done under the write lock, so two processes starting on a new store at once do not
    both create it.
    """
    with write_transaction(engine) as conn:
        s.metadata.create_all(conn)
        found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
        if found is None:
            conn.execute(insert(s.meta).values(key="schema_version", value=str(s.SCHEMA_VERSION)))
        elif found != str(s.SCHEMA_VERSION):
            raise SchemaMismatch(found, str(engine.url))


def check_schema(engine: Engine, where: str) -> None:
    """Refuse a store that is empty, not civmap's, of another schema version, or unreadable.

    Reads the version and every table's row count (which walks each table's pages), so a
    file cut short or overwritten is found here and not on a page halfway through.
    """
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                raise StoreError("empty", where=where)
            if "meta" not in tables:
                raise StoreError("not_civmap", where=where)
            found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
            if found is None:
                raise StoreError("not_civmap", where=where)
            if found != str(s.SCHEMA_VERSION):  # before the tables: an older store lacks the newer ones
                raise SchemaMismatch(found, where)
            if not set(s.metadata.tables) <= tables:
                raise StoreError("not_civmap", where=where)
            for table in s.metadata.sorted_tables:
                conn.execute(select(func.count()).select_from(table)).scalar_one()
    except DBAPIError as error:
        raise StoreError("unreadable", where=where, reason=str(error.orig)) from None


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
              only_if_empty: bool = False, replace_office_data: bool = False) -> dict[str, int]:
    """Replace the store's contents with a freshly generated demo city.

    Refuses (``OfficeDataError``, before anything is written) when the store holds an
    office's own data, unless ``replace_office_data``: one mistyped command must not wipe a
    city's ledgers. With ``only_if_empty``, leave a store that has any rows alone (checked
    under the write lock, so two processes opening a new embedded store at once seed it
    once); returns {} then.
    """
    from civmap.demo import generate_city  # the generator is only needed to seed

    if not replace_office_data and not only_if_empty:  # refuse at once, before generating a city
        with engine.connect() as conn:
            held = office_rows(conn)
        if held:
            raise OfficeDataError(held)
    city = generate_city(seed=seed, scale=scale, as_of=as_of)
    with write_transaction(engine) as conn:  # and again under the lock, against a concurrent import
        if only_if_empty and _has_rows(conn):
            return {}
        held = {} if replace_office_data else office_rows(conn)
        if held:
            raise OfficeDataError(held)
        conn.execute(delete(s.meta).where(s.meta.c.key == "office_import"))
        write_tables(conn, city.tables, replace=True)
        for key, value in (("demo_seed", str(seed)), ("demo_scale", str(scale)),
                           ("demo_as_of", city.as_of.isoformat())):
            conn.execute(delete(s.meta).where(s.meta.c.key == key))
            conn.execute(insert(s.meta).values(key=key, value=value))
    return {name: len(frame) for name, frame in city.tables.items()}


def _has_rows(conn) -> bool:
    """Any row in any table: a store an office has loaded only boundaries into is not empty."""
    return any(conn.execute(select(s.metadata.tables[name]).limit(1)).first() is not None for name in TABLE_ORDER)


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not _has_rows(conn)


def open_store(settings: Settings | None = None, seed_if_empty: bool | None = None) -> Store:
    """Open the configured store; create and seed only the embedded demo store.

    The embedded store (``CIVMAP_DATABASE_URL`` unset) is created and filled with the demo
    city on first run. An office's store must exist and be civmap's: a missing, empty or
    unreadable one raises ``StoreError`` saying which, and is neither created nor seeded
    (unless ``seed_if_empty`` asks for the demo city in an existing, empty store).
    """
    settings = settings or load_settings()
    url, default = settings.database_url, settings.is_default_store
    engine = make_engine(url, create=default, lock_timeout_s=settings.lock_timeout_s)
    path = sqlite_path(url)
    where = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    if path is not None and not default:
        watch = FileWatch.of(path)  # raises StoreError("missing") before SQLite could open it
        if watch.size == 0:
            raise StoreError("empty", where=where)
    if default:
        try:
            if inspect(engine).has_table("meta"):
                migrate(engine)  # the embedded store is civmap's own: bring it up to date
            create_schema(engine)
        except DBAPIError as error:  # a damaged embedded file: named, like an office's store
            raise StoreError("unreadable", where=where, reason=str(error.orig)) from None
    else:
        check_schema(engine, where)
    if seed_if_empty if seed_if_empty is not None else default:
        with _SEED_LOCK:
            if _is_empty(engine):
                seed_demo(engine, settings.demo_seed, only_if_empty=True)
    return Store(engine, watch=FileWatch.of(path) if path is not None else None)


def migrate_store(settings: Settings) -> list[int]:
    """Bring the configured store up to this civmap's schema; the versions reached ([]: current).

    The store must exist and be civmap's (a missing or foreign one is a ``StoreError``);
    every step runs in one transaction under the write lock.
    """
    url = settings.database_url
    engine = make_engine(url, create=settings.is_default_store, lock_timeout_s=settings.lock_timeout_s)
    path = sqlite_path(url)
    where = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    if path is not None and not settings.is_default_store:
        FileWatch.of(path)  # a missing file is refused, not created
    if not inspect(engine).has_table("meta"):
        raise StoreError("not_civmap", where=where)
    reached = migrate(engine)
    check_schema(engine, where)
    return reached


def init_store(settings: Settings) -> bool:
    """Create an empty civmap store at the configured URL; False if it is one already.

    The one way (besides ``seed``) to make an office's store: on purpose, never by opening
    it. Anything at the URL that is not an empty database or a civmap store is refused.
    """
    engine = make_engine(settings.database_url, create=True, lock_timeout_s=settings.lock_timeout_s)
    path = sqlite_path(settings.database_url)
    try:
        check_schema(engine, str(path) if path is not None else engine.url.render_as_string(hide_password=True))
        return False
    except StoreError as error:
        if error.code != "empty":
            raise
    create_schema(engine)
    return True


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


# -- ledger import writes (issue 5: civmap.ledger.commit) ---------------------------------
# The only write path of ledger imports. What to write is planned inside the write
# transaction (the write lock held from its start) from the rows as they are then, so no
# other writer can change them in between, and a failure anywhere leaves the store as it was.
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
    with write_transaction(engine) as conn:
        existing: dict[str, dict] = {}
        for part in _batches(sorted(set(keys))):
            for row in conn.execute(select(table).where(table.c[key].in_(part))).mappings():
                existing[str(row[key])] = dict(row)
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

        for part in _batches(writes.deletes):  # first: a removed circle frees its centre for a new one
            conn.execute(delete(table).where(table.c[key].in_(part)))
            progress(len(part))
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
