"""Opening the store: its schema and version, and the checks that it is civmap's.

The embedded store (``CIVMAP_DATABASE_URL`` unset) is created on first open and brought
up to date; filling it with the demo city is the demo's business (:mod:`civmap.demo.seed`).
An office's store is never created here: a missing, empty or unreadable one is a
``StoreError``. ``python -m civmap init`` creates it.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from civmap.config import Settings, load_settings
from civmap.storage import schema as s
from civmap.storage.engine import make_engine, sqlite_path, write_transaction
from civmap.storage.health import FileWatch, StoreError, read_failure
from civmap.storage.migrate import head_revision, migrate, stamp_head, stored_revision
from civmap.storage.store import Store

__all__ = ["create_schema", "check_schema", "open_store", "SchemaMismatch", "init_store", "migrate_store",
           "table_names"]


class SchemaMismatch(StoreError):
    """The store was written by a different schema version than this code expects."""

    def __init__(self, found: str, where: str = ""):
        older = str(found).isdigit() and int(found) < s.SCHEMA_VERSION
        super().__init__("schema_older" if older else "schema_version", found=found, expected=s.SCHEMA_VERSION,
                         where=where)



def create_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version; refuse a foreign version.

    Done under the write lock, so two processes starting on a new store at once do not
    both create it. In PostgreSQL the PostGIS extension is created first where it is
    missing (which needs a role allowed to; ``StoreError("postgis")`` otherwise). A new
    store is stamped with the newest Alembic revision, so ``migrate`` starts from there.
    """
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            _ensure_postgis(conn, engine)
        s.metadata.create_all(conn)
        found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
        if found is None:
            conn.execute(insert(s.meta).values(key="schema_version", value=str(s.SCHEMA_VERSION)))
            stamp_head(conn)
        elif found != str(s.SCHEMA_VERSION):
            raise SchemaMismatch(found, str(engine.url))


#: Tables an extension keeps beside civmap's: a new PostGIS database is still empty.
_EXTENSION_TABLES = {"spatial_ref_sys"}


def _ensure_postgis(conn, engine: Engine) -> None:
    if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION postgis"))
    except DBAPIError as error:
        raise StoreError("postgis", where=engine.url.render_as_string(hide_password=True),
                         reason=str(error.orig).strip()) from None


def check_schema(engine: Engine, where: str) -> None:
    """Refuse a store that is empty, not civmap's, of another schema version, or unreadable.

    Reads the version and every table's row count (which walks each table's pages), so a
    file cut short or overwritten is found here and not on a page halfway through.
    """
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - _EXTENSION_TABLES
            if not tables:
                raise StoreError("empty", where=where)
            if "meta" not in tables:
                raise StoreError("not_civmap", where=where)
            found = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one_or_none()
            if found is None:
                raise StoreError("not_civmap", where=where)
            if found != str(s.SCHEMA_VERSION):  # before the tables: an older store lacks the newer ones
                raise SchemaMismatch(found, where)
            revision = stored_revision(conn) if "alembic_version" in tables else head_revision()
            if revision != head_revision():  # a migration stopped halfway by hand
                raise SchemaMismatch((revision or "?").lstrip("v"), where)
            if not set(s.metadata.tables) <= tables:
                raise StoreError("not_civmap", where=where)
            for table in s.metadata.sorted_tables:
                conn.execute(select(func.count()).select_from(table)).scalar_one()
    except DBAPIError as error:
        raise read_failure(engine.dialect.name, where, error) from None


def open_store(settings: Settings | None = None) -> Store:
    """Open the configured store; create (and migrate) only the embedded store.

    An office's store must exist and be civmap's: a missing, empty or unreadable one
    raises ``StoreError`` saying which, and is never created.
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
            raise read_failure(engine.dialect.name, where, error) from None
    else:
        check_schema(engine, where)
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
