"""A problem's case in the store: its facts and version, the rows a move writes, its
history and photos. Which move is allowed, and what it writes, is decided by
:mod:`civmap.cases` inside ``apply_move``'s transaction (the write lock held), from the
problem as it is then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from civmap.storage import schema as s
from civmap.storage.audit import insert_entries
from civmap.storage.engine import write_transaction
from civmap.storage.rows import batches
from civmap.storage.writes import bump_version

__all__ = ["CaseLookup", "MoveWrite", "case_row", "last_move_to", "apply_move", "event_rows", "latest_thumbs",
           "photo_rows", "PHOTO_COLUMNS"]

P, E = s.problems, s.problem_events
_FACTS = (P.c.id, P.c.description, P.c.category, P.c.source, P.c.point_id, P.c.district_code, P.c.street_code,
          P.c.lon, P.c.lat, P.c.address, P.c.found_on, P.c.deadline, P.c.status, P.c.status_since, P.c.unit_code)
PHOTO_COLUMNS = ["id", "event_id", "stage", "file", "thumb", "name", "media_type", "size", "actor", "at", "taken_at",
                 "lon", "lat", "flag", "distance_m"]


def _unit_named(table):
    """``table`` joined to its responsible unit, whose name is shown where the unit is (as the
    map's layers name it)."""
    return table.outerjoin(s.units, table.c.unit_code == s.units.c.code)


def _case(conn: Connection, problem_id: str) -> dict | None:
    row = conn.execute(select(*_FACTS, s.units.c.name.label("unit_name")).select_from(_unit_named(P))
                       .where(P.c.id == problem_id)).mappings().one_or_none()
    if row is None:
        return None
    # The version is the highest event id (a new event always gets a higher one); the last
    # event in time is what the user is told about.
    version = conn.execute(select(func.max(E.c.id)).where(E.c.problem_id == problem_id)).scalar_one()
    last = conn.execute(select(E.c.actor, E.c.at).where(E.c.problem_id == problem_id)
                        .order_by(E.c.at.desc(), E.c.id.desc()).limit(1)).one_or_none()
    return {**row, "version": version or 0, "last_actor": last.actor if last else None,
            "last_at": last.at if last else None}


def case_row(engine: Engine, problem_id: str) -> dict | None:
    """A problem's facts (``unit_name`` too) with ``version`` (its latest event id), ``last_actor`` and ``last_at``."""
    with engine.connect() as conn:
        return _case(conn, problem_id)


def _last_move_to(conn: Connection, problem_id: str,
                  statuses: Iterable[str]) -> tuple[str | None, dt.datetime | None]:
    row = conn.execute(select(E.c.actor, E.c.at).where(E.c.problem_id == problem_id, E.c.to_status.in_(list(statuses)))
                       .order_by(E.c.at.desc(), E.c.id.desc()).limit(1)).one_or_none()
    return (row.actor, row.at) if row else (None, None)


def last_move_to(engine: Engine, problem_id: str, statuses: Iterable[str]) -> tuple[str | None, dt.datetime | None]:
    """Who last took the problem to one of ``statuses``, and when, as a page shows it (a move
    asks again under the write lock, ``CaseLookup``)."""
    with engine.connect() as conn:
        return _last_move_to(conn, problem_id, statuses)


@dataclass(frozen=True)
class CaseLookup:
    """What a move's rules may ask about a problem while its transaction holds the lock."""

    conn: Connection
    problem_id: str

    def last_move_to(self, statuses: Iterable[str]) -> tuple[str | None, dt.datetime | None]:
        """Who last took the problem to one of ``statuses``, and when (None, None: nobody)."""
        return _last_move_to(self.conn, self.problem_id, statuses)

    def unit(self, code: str) -> dict | None:
        """A responsible unit's ``district_code`` (None: a city-level unit); None: no such unit."""
        row = self.conn.execute(select(s.units.c.district_code).where(s.units.c.code == code)).one_or_none()
        return None if row is None else {"district_code": row.district_code}


@dataclass
class MoveWrite:
    """What a move writes: its event, the problem's changed columns, its photos (without
    ``event_id``, given here) and the audit entries."""

    event: dict
    problem: dict
    photos: list[dict]
    entries: list[Mapping]


def apply_move(engine: Engine, problem_id: str,
               plan: Callable[[dict | None, CaseLookup], MoveWrite]) -> tuple[int, str]:
    """Write ``plan(case, lookup)`` (the case read under the write lock; None: no such
    problem) atomically; the new event's id and the new data version. An exception from
    ``plan`` writes nothing."""
    with write_transaction(engine) as conn:
        write = plan(_case(conn, problem_id), CaseLookup(conn, problem_id))
        event_id = conn.execute(insert(E).values(problem_id=problem_id, **write.event)).inserted_primary_key[0]
        if write.problem:
            conn.execute(update(P).where(P.c.id == problem_id).values(**write.problem))
        if write.photos:
            conn.execute(insert(s.photos), [{**row, "problem_id": problem_id, "event_id": event_id}
                                            for row in write.photos])
        insert_entries(conn, write.entries)
        version = bump_version(conn, base=False)
    return event_id, version


def event_rows(engine: Engine, problem_id: str) -> pd.DataFrame:
    """Events of one problem, oldest first, with the actor's display name where the actor is an
    account and the name of the unit an assignment named."""
    e, u = s.problem_events, s.users
    query = (select(e.c.id, e.c.at, e.c.actor, u.c.display_name, e.c.move, e.c.from_status, e.c.to_status,
                    e.c.deadline, e.c.unit_code, s.units.c.name, e.c.note)
             .select_from(_unit_named(e).outerjoin(u, e.c.actor == u.c.login))
             .where(e.c.problem_id == problem_id).order_by(e.c.at, e.c.id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "at", "actor", "display_name", "move", "from_status", "to_status",
                                       "deadline", "unit_code", "unit_name", "note"])


def latest_thumbs(engine: Engine, problem_ids) -> dict[str, str]:
    """Problem id → the thumbnail of its newest photo (relative to the photos folder), for
    the problems among ``problem_ids`` that have one."""
    p, found = s.photos, {}
    with engine.connect() as conn:
        for part in batches(list(dict.fromkeys(problem_ids))):
            query = select(p.c.problem_id, p.c.thumb).where(p.c.problem_id.in_(part)).order_by(p.c.at, p.c.id)
            found.update({problem: thumb for problem, thumb in conn.execute(query).all() if thumb})
    return found


def photo_rows(engine: Engine, problem_id: str) -> pd.DataFrame:
    """The problem's photos, oldest first (paths relative to the photos folder), with the
    actor's display name where the actor is an account."""
    p, u = s.photos, s.users
    with engine.connect() as conn:
        rows = conn.execute(select(*(p.c[c] for c in PHOTO_COLUMNS), u.c.display_name)
                            .select_from(p.outerjoin(u, p.c.actor == u.c.login))
                            .where(p.c.problem_id == problem_id).order_by(p.c.at, p.c.id)).all()
    return pd.DataFrame(rows, columns=[*PHOTO_COLUMNS, "display_name"])
