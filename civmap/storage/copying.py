"""Moving an office's whole store to another database (SQLite to PostgreSQL and back).

Every table is read in one snapshot of the source and written in one transaction of the
target under its write lock, parents before children, and each table's rows are counted
on both sides before the target commits: a copy is whole or not made. A target that holds
any row is refused unless ``replace`` (its rows are then deleted in the same transaction).
Shapes cross as WKT at full precision, ids keep their values (PostgreSQL's id sequences
are moved past them), and ``meta`` (the data version, the demo and import marks) goes too.
Photos are files: the rows name them relative to the photos folder, and
:func:`copy_photo_files` brings the files a row names into the target's folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, delete, func, inspect, select, text

from civmap.storage import schema as s
from civmap.storage.engine import write_transaction
from civmap.storage.health import StoreError
from civmap.storage.opening import check_schema, create_schema
from civmap.storage.rows import STORED, portable
from civmap.storage.writes import insert_rows

__all__ = ["TableCount", "copy_store", "copy_photo_files", "NotEmpty"]

_BATCH = 5000


class NotEmpty(StoreError):
    """The target already holds rows; nothing was copied."""

    def __init__(self, where: str, counts: dict[str, int]):
        super().__init__("copy_not_empty", where=where,
                         counts=", ".join(f"{name} {count:,}" for name, count in counts.items()))
        self.counts = counts


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _tables() -> list:
    """Every table, parents before children (``meta`` first)."""
    return list(s.metadata.sorted_tables)


def _counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in _tables()}


def _rows(conn: Connection, table) -> Iterator[list[dict]]:
    """The table's rows in batches, ready for either store (parents first for ``areas``)."""
    order = [c for c in table.primary_key.columns]
    result = conn.execute(select(table).order_by(*order)).mappings()
    if table is s.areas:  # an area's parent is an area: write every level's parents first
        rows = [dict(r) for r in result]
        depth = _depths(rows)
        rows.sort(key=lambda r: depth[r["code"]])
        batches = (rows[i:i + _BATCH] for i in range(0, len(rows), _BATCH))
    else:
        batches = ([dict(r) for r in part] for part in iter(lambda: result.fetchmany(_BATCH), []))
    for batch in batches:
        if STORED in table.c:
            for row in batch:
                row[STORED] = portable(row[STORED])
        yield batch


def _depths(rows: list[dict]) -> dict[str, int]:
    parent = {r["code"]: r["parent_code"] for r in rows}
    depth: dict[str, int] = {}
    for code in parent:
        chain, node = [], code
        while node is not None and node in parent and node not in depth and node not in chain:
            chain.append(node)
            node = parent[node]
        base = depth.get(node, -1) if node is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    return depth


def copy_store(source: Engine, target: Engine, replace: bool = False,
               on_table: Callable[[str, int], None] | None = None) -> list[TableCount]:
    """Copy every table of ``source`` into ``target``; each table's counts on both sides.

    The source must be a civmap store of this schema version (``python -m civmap migrate``
    first otherwise); the target an empty database, an empty civmap store, or (with
    ``replace``) a civmap store whose rows are all replaced. Raises ``NotEmpty`` for a
    target holding rows, ``StoreError`` when any count differs after the copy (then
    nothing is committed).
    """
    check_schema(source, _where(source))
    if not inspect(target).has_table("meta"):
        create_schema(target)
    check_schema(target, _where(target))
    reading = source.connect()
    if reading.dialect.name == "postgresql":  # one snapshot for every table
        reading = reading.execution_options(isolation_level="REPEATABLE READ")
    with reading as src:
        with src.begin():
            counts = _counts(src)
            with write_transaction(target) as dst:
                held = {name: n for name, n in _counts(dst).items() if n and name != "meta"}
                if held and not replace:
                    raise NotEmpty(_where(target), held)
                for table in reversed(_tables()):
                    if table is not s.meta:
                        dst.execute(delete(table))
                dst.execute(delete(s.meta).where(s.meta.c.key != "schema_version"))
                for table in _tables():
                    for batch in _rows(src, table):
                        if table is s.meta:
                            batch = [r for r in batch if r["key"] != "schema_version"]
                        if batch:
                            insert_rows(dst, table, batch)
                    if on_table is not None:
                        on_table(table.name, counts[table.name])
                if dst.dialect.name == "postgresql":
                    _move_sequences(dst)
                written = _counts(dst)
                report = [TableCount(name, counts[name], written[name]) for name in counts]
                wrong = [c for c in report if not c.ok]
                if wrong:
                    raise StoreError("copy_counts", where=_where(target),
                                     counts=", ".join(f"{c.table} {c.source:,} → {c.target:,}" for c in wrong))
    return report


def _move_sequences(conn: Connection) -> None:
    """Past the copied ids, so the next row a writer adds gets a new one."""
    for table in _tables():
        for column in (c for c in table.primary_key.columns if c.autoincrement is True):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                              f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table.name}"))


def copy_photo_files(target: Engine, source_dir: Path, target_dir: Path) -> tuple[int, list[str]]:
    """Bring every photo file the target's rows name from ``source_dir`` into ``target_dir``.

    Returns how many files were copied and the names still missing in ``target_dir``
    afterwards (a photo whose file was already gone from the source). Same folder: nothing
    to copy, only the check.
    """
    p = s.photos
    with target.connect() as conn:
        names = sorted({name for row in conn.execute(select(p.c.file, p.c.thumb)) for name in row if name})
    same = source_dir.resolve() == target_dir.resolve()
    copied = 0
    for name in names:
        src, dst = source_dir / name, target_dir / name
        if same or dst.exists() or not src.is_file():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    return copied, [name for name in names if not (target_dir / name).is_file()]
