"""The data-access layer: every read of the store goes through ``Store``.

A ``Store`` carries a ``Scope`` (districts, streets, a responsible unit; whole city by
default). The scope is applied in the SQL of every read, intersected with whatever a
user's ``Filters`` select, so a district head's account is given a scoped store and sees
nothing outside it however the widgets are set. Reads return GeoDataFrames in WGS-84
(EPSG:4326); codes stay codes, and the UI turns them into labels.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Iterable

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, String, and_, false, func, insert, select, type_coerce, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from civmap import clock
from civmap.storage import schema as s
from civmap.storage import spatial
from civmap.storage.engine import write_transaction
from civmap.storage.writes import bump_version
from civmap.filters import Filters
from civmap.storage.health import FileWatch, StoreError, read_failure
from civmap.storage.rows import SHAPE, batches, pop_shapes
from civmap.storage.scope import NOTHING, PERSONAL_COLUMNS, WHOLE_CITY, Scope
from civmap.i18n import area_names
from geo import WGS84

__all__ = ["Store", "district_of_area"]

_NO_MATCH = (NOTHING,)  # an empty intersection selects nothing


@dataclass(frozen=True)
class Store:
    """Reads (and the few writes) against one database, within a scope."""

    engine: Engine
    scope: Scope = WHOLE_CITY
    #: The SQLite file as opened (None: not a file, or not watched).
    watch: FileWatch | None = field(default=None, compare=False, repr=False)

    # -- scope and versions ---------------------------------------------------------
    def scoped(self, districts: Iterable[str]) -> "Store":
        """A store that can only see ``districts`` (within this store's own scope)."""
        return replace(self, scope=self.scope.narrowed(districts))

    def within(self, scope: Scope) -> "Store":
        """A store that can only see ``scope`` (within this store's own scope)."""
        return replace(self, scope=self.scope & scope)

    def _districts(self, filters: Filters) -> tuple[str, ...] | None:
        """District codes a read may touch: the filter ∩ the scope; None = no limit."""
        chosen = filters.districts or None
        if not self.scope.districts:
            return chosen
        if chosen is None:
            return self.scope.districts
        return tuple(d for d in chosen if d in self.scope.districts) or _NO_MATCH

    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar_one_or_none()

    def versions(self) -> tuple[str, str]:
        """(data version, base version): the base version changes with every write but a
        case move (a status change and its event), which only rewrites problem rows; what
        is read from points, circles, alleys and areas stays good while it holds."""
        self.check()
        with self.engine.connect() as conn:
            found = dict(conn.execute(select(s.meta.c.key, s.meta.c.value)
                                      .where(s.meta.c.key.in_(("data_version", "base_version")))).all())
        return found.get("data_version") or "0", found.get("base_version") or "0"

    def data_version(self) -> str:
        """A stamp that changes with every write: the key for caches of derived data.

        Every page asks for it before reading, so it is where a store that went away or
        broke under a running app is noticed: raises ``StoreError`` then, never stale data.
        """
        self.check()
        try:
            return self.get_meta("data_version") or "0"
        except DBAPIError as error:
            raise read_failure(self.engine.dialect.name, self._where_is(), error) from None

    def check(self) -> None:
        """Raise ``StoreError`` when the store's file is gone, replaced or cut short."""
        if self.watch is not None:
            self.watch.check()

    def _where_is(self) -> str:
        return str(self.watch.path) if self.watch is not None else self.engine.url.render_as_string(hide_password=True)

    def as_of(self) -> dt.date:
        """The day the figures are computed for: the city's today (see :mod:`civmap.clock`)."""
        return clock.today()

    # -- areas and units --------------------------------------------------------------
    def areas(self, level: str | None = "district") -> gpd.GeoDataFrame:
        """Areas of one level (district, street, community, grid), or of every level
        (``None``), within the scope, by code.

        A street's parent is its district but a community's is a street, so the scope is
        checked against each area's district found by walking up the parents.
        """
        query = select(s.areas).order_by(s.areas.c.code)
        if level is not None:
            query = query.where(s.areas.c.level == level)
        frame = self._frame(query)
        if self.scope.districts:
            frame = frame[frame["code"].map(self._district_of_area()).isin(self.scope.districts)]
        return _with_shape_geometry(frame.reset_index(drop=True))

    def _district_of_area(self) -> dict[str, str | None]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.areas.c.code, s.areas.c.level, s.areas.c.parent_code)).all()
        return district_of_area(rows)

    def districts(self) -> gpd.GeoDataFrame:
        return self.areas("district")

    def district_names(self, lang: str = "zh") -> dict[str, str]:
        """District code → name, in English where the boundaries give an English name."""
        return area_names(self.districts(), lang)

    def units(self) -> pd.DataFrame:
        query = select(s.units).order_by(s.units.c.code)
        if self.scope.districts:
            query = query.where(s.units.c.district_code.in_(self.scope.districts))
        if self.scope.unit:
            query = query.where(s.units.c.code == self.scope.unit)
        return self._frame(query)

    # -- layers -----------------------------------------------------------------------
    def points(self, filters: Filters = Filters()) -> gpd.GeoDataFrame:
        """Assessment points with their latest inspection (score_rate, up_to_standard).

        The geometry is the point (``lon``/``lat``); ``shape`` is its footprint where it
        has one (a road's line, a square's polygon), else None.
        """
        p = s.points
        query = select(p, s.units.c.name.label("unit_name")).outerjoin(s.units, p.c.unit_code == s.units.c.code)
        query = self._where(query, p, filters, category=("point_categories", p.c.category))
        frame = self._frame(query)
        latest = self.latest_inspections()
        frame = frame.merge(latest, how="left", left_on="id", right_on="point_id").drop(columns="point_id")
        frame[SHAPE] = pop_shapes(frame)
        return _with_point_geometry(frame)

    def point_ids(self) -> set[str]:
        """Ids of the assessment points within the scope: a circle lies where its centre
        does, an inspection where its point does."""
        with self.engine.connect() as conn:
            return set(conn.execute(self._within(select(s.points.c.id), s.points)).scalars())

    def latest_inspections(self) -> pd.DataFrame:
        i = s.inspections
        last = select(i.c.point_id, func.max(i.c.date).label("date")).group_by(i.c.point_id).subquery()
        query = (select(i.c.point_id, i.c.date.label("inspected_on"), i.c.score_rate, i.c.up_to_standard)
                 .join(last, and_(i.c.point_id == last.c.point_id, i.c.date == last.c.date)))
        frame = self._frame(query).drop_duplicates("point_id", keep="last")
        frame["up_to_standard"] = frame["up_to_standard"].astype(bool)
        return frame

    def inspections(self, filters: Filters = Filters()) -> pd.DataFrame:
        i, p = s.inspections, s.points
        query = select(i, p.c.district_code, p.c.category).join(p, i.c.point_id == p.c.id)
        query = self._where(query, p, filters, category=("point_categories", p.c.category))
        return self._frame(query)

    def circles(self, filters: Filters = Filters()) -> gpd.GeoDataFrame:
        """Key circles with their centre point's location, district and point chief."""
        c, p = s.circles, s.points
        query = (select(c, p.c.name.label("centre_name"), p.c.category.label("centre_category"),
                        p.c.district_code, p.c.street_code, p.c.lon, p.c.lat, p.c.chief_name,
                        p.c.chief_phone, p.c.unit_code, s.units.c.name.label("unit_name"))
                 .join(p, c.c.centre_point_id == p.c.id)
                 .outerjoin(s.units, p.c.unit_code == s.units.c.code))
        query = self._where(query, p, filters)
        return _with_point_geometry(self._frame(query))

    def alleys(self, filters: Filters = Filters()) -> gpd.GeoDataFrame:
        a = s.alleys
        query = select(a, s.units.c.name.label("unit_name")).outerjoin(s.units, a.c.unit_code == s.units.c.code)
        query = self._where(query, a, filters)
        return _with_shape_geometry(self._frame(query))

    def problems(self, filters: Filters = Filters(), ids: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        """Problems in the selection (of ``ids`` only, when given), with their responsible
        unit's and point's names."""
        q = s.problems
        query = (select(q, s.units.c.name.label("unit_name"), s.points.c.name.label("point_name"))
                 .outerjoin(s.units, q.c.unit_code == s.units.c.code)
                 .outerjoin(s.points, q.c.point_id == s.points.c.id))
        query = self._where_problems(query, filters)
        return _with_point_geometry(self._frame(query) if ids is None else _of_ids(self._frame, query, q.c.id, ids))

    def events(self, filters: Filters = Filters()) -> pd.DataFrame:
        """Status events of the problems in the selection, oldest first."""
        e, q = s.problem_events, s.problems
        query = select(e).join(q, e.c.problem_id == q.c.id).order_by(e.c.at, e.c.id)
        query = self._where_problems(query, filters)
        return self._frame(query)

    def status_history(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every problem of the scope and its status events, only what status timelines need.

        The Progress page, the overview's tiles and ``progress`` count from these (problems:
        id, found_on, status, deadline and the grouping codes; events: problem_id, at,
        to_status, deadline, in the order they were written). Two plain reads: dates come
        as the database gives them and are parsed once per column by pandas rather than
        row by row, which makes this several times faster than ``problems()`` and ``events()``
        at 100,000 problems; the filters are applied to the timeline in memory
        (``civmap.progress.timeline.Timeline.subset``), so a filter change reads nothing.
        """
        return self.status_problems(), self.status_events()

    def status_problems(self, ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The problems part of ``status_history`` (of ``ids`` only, when given)."""
        q = s.problems
        columns = (q.c.id, q.c.district_code, q.c.street_code, q.c.unit_code, q.c.category, q.c.source)
        dated = (q.c.found_on, q.c.status, q.c.deadline)
        query = self._within(select(*columns, *(type_coerce(c, String).label(c.name) for c in dated)), q)
        with self.engine.connect() as conn:
            read = partial(_plain_frame, conn)
            frame = read(query) if ids is None else _of_ids(read, query, q.c.id, ids)
        for column in ("found_on", "deadline"):
            frame[column] = pd.to_datetime(frame[column], format="ISO8601", errors="coerce")
        return frame.astype({c: "str" for c in ("id", "district_code", "street_code", "unit_code", "category",
                                                "source", "status")})

    def status_events(self, after: int | None = None, until: int | None = None) -> pd.DataFrame:
        """The events part of ``status_history``, in the order they were written; only those
        with ``after < id <= until`` when given (what a process holding the log up to
        ``after`` lacks: ``civmap.storage.live``)."""
        q, e = s.problems, s.problem_events
        query = select(e.c.problem_id, type_coerce(e.c.at, String).label("at"), e.c.to_status,
                       type_coerce(e.c.deadline, String).label("deadline"))
        if self.scope != WHOLE_CITY:
            query = self._within(query.join(q, e.c.problem_id == q.c.id), q)
        if after is not None:
            query = query.where(e.c.id > after)
        if until is not None:
            query = query.where(e.c.id <= until)
        with self.engine.connect() as conn:
            frame = _plain_frame(conn, query.order_by(e.c.id))
        frame["deadline"] = pd.to_datetime(frame["deadline"], format="ISO8601", errors="coerce")
        frame["at"] = pd.to_datetime(frame["at"], format="ISO8601")
        # pandas' own text columns: a fifth of the memory of Python strings at half a million events
        return frame.astype({"problem_id": "str", "to_status": "str"})

    def event_mark(self) -> int:
        """The newest status event's id (0: none). Writers hold one lock until they commit
        (``write_transaction``), so ids are given out in commit order: every event written
        later has a greater id."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(s.problem_events.c.id))).scalar() or 0)

    def changed_problems(self, after: int, until: int) -> list[str]:
        """Ids of the problems with a status event ``after < id <= until``: the rows a case
        move rewrote (every move writes its event in the same transaction)."""
        e = s.problem_events
        query = select(e.c.problem_id).where(e.c.id > after, e.c.id <= until).distinct()
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def counts_by_district(self, layer: str) -> dict[str, int]:
        """Rows of ``layer`` per district code (``""``: none, e.g. a city-level unit), within
        the scope, counted in SQL: what the setup status and the wall ask on every data change,
        without reading a layer whole. ``boundaries`` counts every area under its district."""
        if layer == "boundaries":
            districts = [d for d in self._district_of_area().values()
                         if not self.scope.districts or d in self.scope.districts]
            return dict(Counter("" if d is None else d for d in districts))
        p = s.points
        via_point = {"circles": (s.circles, s.circles.c.centre_point_id), "inspections": (s.inspections,
                                                                                      s.inspections.c.point_id)}
        if layer in via_point:
            table, link = via_point[layer]
            query = select(p.c.district_code, func.count()).select_from(table.join(p, link == p.c.id))
            column, table = p.c.district_code, p
        else:
            table = {"points": p, "alleys": s.alleys, "problems": s.problems, "units": s.units}[layer]
            column = table.c.district_code
            query = select(column, func.count()).select_from(table)
        query = self._within(query, table)
        with self.engine.connect() as conn:
            rows = conn.execute(query.group_by(column)).all()
        return {"" if code is None else str(code): int(count) for code, count in rows}

    def counts(self) -> dict[str, int]:
        """Rows per table, within the scope (used by ``civmap stats``)."""
        scoped = {"points": s.points, "alleys": s.alleys, "problems": s.problems}
        out = {}
        with self.engine.connect() as conn:
            for name, table in scoped.items():
                query = self._within(select(func.count()).select_from(table), table)
                out[name] = conn.execute(query).scalar_one()
        out["circles"] = len(self.circles())
        out["districts"] = len(self.districts())
        out["events"] = len(self.events())
        return out

    def circle_pairs(self, radius_m: float) -> pd.DataFrame | None:
        """Every (circle, place) pair within ``radius_m`` metres on the ground, found by
        PostGIS in the database (``civmap.storage.spatial.circle_pairs``); None on SQLite,
        where the caller computes them from the layers. Pairs outside this store's scope
        are the caller's to leave out (it matches them to the circles and places it read)."""
        if not spatial.available(self.engine):
            return None
        return spatial.circle_pairs(self.engine, radius_m)

    # -- writes -----------------------------------------------------------------------
    def set_status(self, problem_id: str, to_status: str, actor: str,
                   at: dt.datetime | None = None, note: str | None = None) -> None:
        """Change a problem's status and record the event, in one transaction.

        The status the event starts from is read under the write lock, so a concurrent
        import or change cannot slip in between (``StoreLocked`` if the lock stays taken).
        """
        with write_transaction(self.engine) as conn:
            at = at or clock.now()  # under the lock: concurrent changes are stamped in order
            q = s.problems
            current = conn.execute(select(q.c.status, q.c.district_code, q.c.street_code, q.c.unit_code)
                                   .where(q.c.id == problem_id)).one_or_none()
            if current is None or not self.scope.admits(current._mapping):
                raise KeyError(f"no problem {problem_id!r} in this store's scope")
            conn.execute(update(s.problems).where(s.problems.c.id == problem_id)
                         .values(status=to_status, status_since=at))
            conn.execute(insert(s.problem_events).values(
                problem_id=problem_id, at=at, actor=actor, from_status=current.status,
                to_status=to_status, note=note))
            bump_version(conn, base=False)

    # -- internals --------------------------------------------------------------------
    def _frame(self, query: Select) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        if not self.scope.personal:  # kept as empty columns: every reader finds what it expects
            for column in PERSONAL_COLUMNS:
                if column in frame.columns:
                    frame[column] = None
        return frame

    def _within(self, query: Select, table) -> Select:
        """``query`` limited to the scope, by whichever of its columns ``table`` has."""
        c = table.c
        if self.scope.districts and "district_code" in c:
            query = query.where(c.district_code.in_(self.scope.districts))
        if self.scope.streets and "street_code" in c and table is not s.units:  # a unit serves its district
            query = query.where(c.street_code.in_(self.scope.streets))
        if self.scope.unit and "unit_code" in c:
            query = query.where(c.unit_code == self.scope.unit)
        return query

    def _where(self, query: Select, table, filters: Filters, category=None) -> Select:
        districts = self._districts(filters)
        if districts is not None:
            query = query.where(table.c.district_code.in_(districts))
        query = self._within(query, table)
        if category is not None:
            field, column = category
            chosen = getattr(filters, field)
            if chosen:
                query = query.where(column.in_(chosen))
        return query

    def _where_problems(self, query: Select, filters: Filters) -> Select:
        q = s.problems
        query = self._where(query, q, filters, category=("problem_categories", q.c.category))
        for field, column in (("statuses", q.c.status), ("units", q.c.unit_code), ("sources", q.c.source)):
            chosen = getattr(filters, field)
            if chosen:
                query = query.where(column.in_(chosen))
        if filters.found_from:
            query = query.where(q.c.found_on >= filters.found_from)
        if filters.found_until:
            query = query.where(q.c.found_on <= filters.found_until)
        return query


def district_of_area(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, str | None]:
    """Area code → the code of the district it lies in (None: none), from (code, level,
    parent_code) rows: a community's parent is a street, so parents are walked up."""
    rows = list(rows)
    parent = {code: up for code, _, up in rows}
    level = {code: lvl for code, lvl, _ in rows}
    out = {}
    for code in parent:
        seen, node = set(), code
        while node is not None and level.get(node) != "district" and node not in seen:
            seen.add(node)
            node = parent.get(node)
        out[code] = node if level.get(node) == "district" else None
    return out


def _of_ids(read, query: Select, column, ids: Iterable[str]) -> pd.DataFrame:
    """``read(query)`` limited to the rows whose ``column`` is among ``ids``, one statement per
    batch of ids (``storage.rows.batches``)."""
    parts = [read(query.where(column.in_(part))) for part in batches(list(ids))]
    return pd.concat(parts, ignore_index=True) if parts else read(query.where(false()))


def _plain_frame(conn, query: Select) -> pd.DataFrame:
    """The rows of ``query`` as a frame of plain values, straight from the database driver.

    For columns whose values need no conversion (text, numbers, dates read as text), the
    driver's tuples are what SQLAlchemy's row objects would give, at a third of the cost.
    """
    rows = conn.execute(query).cursor.fetchall()
    return pd.DataFrame(rows, columns=[c.name for c in query.selected_columns], dtype=object)


def _with_point_geometry(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=WGS84)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def _with_shape_geometry(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = pop_shapes(frame)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
