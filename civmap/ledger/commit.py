"""Writing a checked ledger: one transaction that inserts new rows, updates changed ones and
records every status change a ledger makes as a problem event.

Rows are matched by their ledger id (areas by code). What to write is decided inside the
transaction, against the rows as they are then (``plan_writes`` is pure: it gets those
rows and returns the writes). That transaction holds the store's write lock from its
first read (``civmap.storage.engine.write_transaction``), so two imports cannot both insert the
same id or both start a status event from the same old status: concurrent imports leave
the store as one after the other would. If anything fails halfway the store is left
exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import shapely

from civmap import clock
from civmap.ledger.model import Checked, Record
from civmap.storage.rows import SHAPE, row_columns
from civmap.storage.scope import NOTHING
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["Writes", "CommitResult", "plan_writes", "classify", "existing_rows", "commit_ledger",
           "ACTOR_PREFIX", "TABLE_OF"]

#: The actor of the status events an import writes: "台账导入 <file name>".
ACTOR_PREFIX = "台账导入"
#: The note on the event a deadline change alone makes (the audit trail reads it as is).
DEADLINE_NOTE = "整改时限调整"
#: Ledgers whose rows lie where an assessment point lies: the column naming the point.
PLACED_BY_POINT = {"circles": "centre_point_id", "inspections": "point_id"}
TABLE_OF = {"points": "points", "alleys": "alleys", "problems": "problems", "boundaries": "areas", "units": "units",
            "circles": "circles", "inspections": "inspections"}
_KEY = {"areas": "code", "units": "code", "inspections": "ref"}


@dataclass
class Writes:
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    unchanged: int = 0
    #: Keys of stored rows to delete (a circle the ledger removes).
    deletes: list[str] = field(default_factory=list)
    #: Units to add before the rows that name them (``ImportOptions.create_units``).
    units: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class CommitResult:
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    events: int
    data_version: str | None
    removed: int = 0
    units_created: tuple[str, ...] = ()


def _norm(value, column: str):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if column == SHAPE:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Number):
        return round(float(value), 9)
    if isinstance(value, (dt.date, dt.datetime)) or hasattr(value, "isoformat"):
        return value.isoformat()[:10] if column in ("found_on", "deadline") else value.isoformat()
    text = str(value)
    return text[:10] if column in ("found_on", "deadline") else text


def _same(old, new, column: str) -> bool:
    a, b = _norm(old, column), _norm(new, column)
    if a is None or b is None:
        return a is None and b is None
    if column == SHAPE:
        return bool(shapely.equals_exact(a, b, tolerance=1e-9))
    return a == b


def _changes(record: Record, old: dict) -> dict:
    return {k: v for k, v in record.values.items() if k in old and not _same(old[k], v, k)}


def classify(record: Record, old: dict | None) -> str:
    """"insert", "update" or "same": what committing ``record`` would do to ``old``."""
    if old is None:
        return "insert"
    return "update" if _changes(record, old) else "same"


def plan_writes(kind: str, records: tuple[Record, ...], existing: dict[str, dict], actor: str,
                at: dt.datetime, initial_status: str | None = None) -> Writes:
    """The inserts, updates and events that bring the store to what the ledger says.

    ``existing`` holds the stored rows of the records' keys. A new problem gets the event
    of its finding (at its finding day) and, when the ledger already gives a later status,
    the event of that change at ``at`` (or on its 状态日期, when given); an updated problem
    whose status differs gets one event from the old status to the new, like any other
    status change; one whose deadline alone changes gets an event that keeps its status
    and sets the deadline. A record marked ``remove`` deletes its stored row.
    """
    writes = Writes()
    key = _KEY.get(TABLE_OF[kind], "id")
    for record in records:
        old = existing.get(record.key)
        if record.values.get("remove"):
            if old is not None:
                writes.deletes.append(record.key)
            else:
                writes.unchanged += 1
            continue
        if old is None:
            row = record.for_insert()
            if kind == "problems":
                row.update(_new_problem_events(row, writes, actor, at, initial_status))
            writes.inserts.append(row)
            continue
        changed = _changes(record, old)
        if not changed:
            writes.unchanged += 1
            continue
        if kind == "problems" and "status" in changed:
            when = _status_time(record.values, at, old.get("status_since"))
            changed["status_since"] = when
            writes.events.append(dict(problem_id=record.key, at=when, actor=actor, from_status=old["status"],
                                      to_status=changed["status"], deadline=changed.get("deadline"), note=None))
        elif kind == "problems" and changed.get("deadline") is not None:
            # A new deadline (an extension, 延期) is history too: the event keeps the status and
            # carries the deadline in force from now on, so past days stay overdue as they were.
            writes.events.append(dict(problem_id=record.key, at=at, actor=actor, from_status=old["status"],
                                      to_status=old["status"], deadline=changed["deadline"], note=DEADLINE_NOTE))
        writes.updates.append({key: record.key, **changed})
    return writes


def _new_problem_events(row: dict, writes: Writes, actor: str, at: dt.datetime, initial: str | None) -> dict:
    found_at = dt.datetime.combine(row["found_on"], dt.time())
    first = initial or row["status"]
    writes.events.append(dict(problem_id=row["id"], at=found_at, actor=actor, from_status=None, to_status=first,
                              deadline=row.get("deadline"), note=None))
    if row["status"] == first:
        return {"status_since": found_at}
    when = _status_time(row, at, found_at)
    writes.events.append(dict(problem_id=row["id"], at=when, actor=actor, from_status=first,
                              to_status=row["status"], deadline=row.get("deadline"), note=None))
    return {"status_since": when}


def _status_time(values: dict, at: dt.datetime, since) -> dt.datetime:
    """When a ledger's status change happened: on its 状态日期 when the ledger gives one (a
    closing date), else at the import; never before the problem's last event, so its
    history stays in order."""
    day = values.get("status_on")
    if day is None:
        return at
    when = min(dt.datetime.combine(day, dt.time(12)), at)  # today's date: not later than now
    last = None if since is None or pd.isna(since) else pd.Timestamp(since).to_pydatetime()
    return max(when, last) if last is not None else when


def existing_rows(store: Store, kind: str) -> dict[str, dict]:
    """The stored rows of ``kind`` (within the store's scope) by key, as table values with
    the row's own geometry as ``shape`` (see ``civmap.storage.rows``)."""
    reads = {"points": store.points, "alleys": store.alleys, "problems": store.problems,
             "boundaries": lambda: store.areas(None), "units": store.units, "circles": store.circles,
             "inspections": store.inspections}
    frame = reads[kind]()
    if frame.empty:
        return {}
    frame = pd.DataFrame(frame)
    if SHAPE not in frame.columns and "geometry" in frame.columns:  # areas and alleys: their geometry
        frame[SHAPE] = frame["geometry"]
    columns = [c for c in row_columns(TABLE_OF[kind]) if c in frame.columns]
    body = frame[columns].astype(object)
    body = body.where(body.notna(), None)
    key = _KEY.get(TABLE_OF[kind], "id")
    return {str(r[key]): r for r in body.to_dict("records")}


def commit_ledger(store: Store, checked: Checked, vocab: Vocabulary, at: dt.datetime | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> CommitResult:
    """Write every good record of ``checked`` in one transaction; return the counts.

    ``on_progress(done, total)`` is called after each batch of writes; if it (or any
    write) raises, the transaction is rolled back and the store is as it was.
    """
    from civmap.storage.writes import apply_ledger

    actor = f"{ACTOR_PREFIX} {checked.raw.name}"[:64]
    table = TABLE_OF[checked.kind]
    initial = vocab.initial_status if checked.kind == "problems" else None

    def plan(existing: dict[str, dict]) -> Writes:
        _check_scope(store, checked.kind, existing, checked.records)
        # The time is taken under the write lock, so events of imports that waited for each
        # other are stamped in the order they were written.
        writes = plan_writes(checked.kind, checked.records, existing, actor, at or clock.now(), initial)
        writes.units = list(checked.new_units)
        return writes

    writes, version = apply_ledger(store.engine, table, _KEY.get(table, "id"), [r.key for r in checked.records],
                                   plan, on_progress)
    return CommitResult(len(writes.inserts), len(writes.updates), writes.unchanged, len(checked.bad_rows),
                        len(writes.events), version, len(writes.deletes), tuple(u["name"] for u in writes.units))


def _check_scope(store: Store, kind: str, existing: dict[str, dict], records: tuple[Record, ...]) -> None:
    """Refuse a ledger that would change or remove stored rows outside the store's scope, or
    write rows that would lie outside it: a row lies in its district, street and unit (in
    its values), a circle and an inspection where their assessment point lies."""
    if store.scope.whole_city:
        return
    link = PLACED_BY_POINT.get(kind)
    if link is None:
        inside = store.scope.admits
    else:
        points = store.point_ids()

        def inside(row: dict) -> bool:
            return row.get(link) in points

    outside = [k for k, row in existing.items() if not inside(row)]
    outside += [r.key for r in records if not r.values.get("remove") and not inside(r.for_insert())]
    if outside:
        from civmap.ledger.errors import LedgerError

        raise LedgerError("out_of_scope", ids="、".join(list(dict.fromkeys(outside))[:5]), scope=_scope_names(store))


def _scope_names(store: Store) -> str:
    """The store's scope by the names of its districts, streets and unit (codes it cannot name)."""
    scope = store.scope
    areas, units = store.areas(None), store.units()
    names = {**dict(zip(areas["code"], areas["name"])), **dict(zip(units["code"], units["name"]))}
    codes = [*scope.districts, *scope.streets, *((scope.unit,) if scope.unit else ())]
    return "、".join(names.get(code, code) for code in codes if code != NOTHING) or "—"
