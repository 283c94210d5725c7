"""Storage: the one home of every read and write of the store.

Its schema and version (:mod:`.schema`, :mod:`.migrate`), engines and the write lock
(:mod:`.engine`), faults as named errors (:mod:`.health`), opening a store (:mod:`.opening`),
reads (:class:`Store`, always within a :class:`Scope`) and writes (:mod:`.writes`). SQL
and the stored formats stay inside: reads hand out DataFrames and GeoDataFrames in WGS-84,
and shapes go in and out as shapely geometries (:mod:`.rows` alone knows how they are kept).
"""

from civmap.storage.engine import make_engine, write_transaction
from civmap.storage.health import StoreError, StoreLocked
from civmap.storage.opening import SchemaMismatch, create_schema, init_store, migrate_store, open_store
from civmap.storage.store import Store
from civmap.storage.writes import OfficeDataError, write_tables

__all__ = ["Store", "StoreError", "StoreLocked", "SchemaMismatch", "OfficeDataError", "open_store", "init_store",
           "migrate_store", "create_schema", "make_engine", "write_transaction", "write_tables"]
