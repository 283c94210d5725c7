"""The whole city held in memory by an app process, kept current by reading only what changed.

At ten times the demo city, reading the layers and the status log whole takes about four
seconds. In the weeks before an assessment a status changes every few seconds, and
each app process re-read everything after each change: a process was busy re-reading
for longer than the time between two changes, and every user waited behind it. A case move
(``civmap.cases``) rewrites a few problem rows and adds one status event, and nothing else.
It leaves the base version alone (``Store.versions``). So a process that holds the city at
event ``n`` re-reads only the problems named by events after ``n``, and appends those
events. Any other write (an import, a seed, ``copy-store``) changes the base version. The
next state is then read whole.

A ``CityState`` is never changed once made: readers share it without copying, and a
newer state is a new object sharing every frame a move did not touch. A scope's part
(``CityState.within``) is masked in memory, just as ``Store`` limits its SQL
(``Store._within``). A test compares the two for every kind of scope.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from civmap.storage.scope import PERSONAL_COLUMNS, WHOLE_CITY, Scope
from civmap.storage.store import Store, district_of_area

__all__ = ["CityState", "LiveCity", "scope_mask"]


@dataclass(frozen=True, eq=False)
class CityState:
    """The city as one process holds it: every layer, the problems and the status log.

    ``version``/``base`` are the store's versions this state is at least as new as;
    ``event_mark`` the newest status event in ``events``. ``problems`` are ``Store.problems``
    rows, ``status_problems`` and ``events`` ``Store.status_history``'s. Frames are shared:
    never change them.
    """

    version: str
    base: str
    event_mark: int
    areas: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    circles: gpd.GeoDataFrame
    alleys: gpd.GeoDataFrame
    problems: gpd.GeoDataFrame
    status_problems: pd.DataFrame
    events: pd.DataFrame
    scope: Scope = WHOLE_CITY
    #: The version of the state this one was made from by re-reading ``changed`` (the ids
    #: of the problems case moves changed since); None when read whole.
    since: str | None = None
    changed: tuple[str, ...] = ()

    def within(self, scope: Scope) -> "CityState":
        """The part of the city ``scope`` may see, as ``Store.within(scope)`` reads it."""
        scope = self.scope & scope
        if scope == self.scope:
            return self
        area_district = district_of_area(self.areas[["code", "level", "parent_code"]].itertuples(index=False))
        areas = self.areas
        if scope.districts:
            areas = areas[areas["code"].map(area_district).isin(scope.districts).to_numpy()]
        status_problems = _scoped(self.status_problems, scope)
        events = self.events
        if not scope.whole_city:
            events = events[events["problem_id"].isin(status_problems["id"]).to_numpy()]
        return replace(self, scope=scope, areas=areas.reset_index(drop=True), points=_scoped(self.points, scope),
                       circles=_scoped(self.circles, scope), alleys=_scoped(self.alleys, scope),
                       problems=_scoped(self.problems, scope), status_problems=status_problems,
                       events=events.reset_index(drop=True))


def scope_mask(frame: pd.DataFrame, scope: Scope) -> np.ndarray:
    """Which of ``frame``'s rows lie inside ``scope``, by whichever of the scope's columns
    the frame has, as ``Store._within`` limits a read."""
    keep = np.ones(len(frame), dtype=bool)
    for column, allowed in (("district_code", scope.districts), ("street_code", scope.streets),
                            ("unit_code", (scope.unit,) if scope.unit else ())):
        if allowed and column in frame.columns:
            keep &= frame[column].isin(allowed).to_numpy()
    return keep


def _scoped(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """``frame``'s rows inside ``scope``, personal columns blanked for a scope without
    ``personal``."""
    keep = scope_mask(frame, scope)
    out = frame if keep.all() else frame[keep].reset_index(drop=True)
    if not scope.personal:
        blanked = [c for c in PERSONAL_COLUMNS if c in out.columns]
        if blanked:
            out = out.copy()
            for column in blanked:
                out[column] = None
    return out


class LiveCity:
    """One process's copy of the city, brought up to date on demand (thread-safe).

    ``state(version)`` answers with a state at least as new as ``version``. The two newest
    states are kept, so a script run pinned to the version it began with
    (``civmap.ui.core``) still gets that state while a newer one is being read.
    """

    def __init__(self, store: Store):
        self.store = replace(store, scope=WHOLE_CITY)
        self._lock = threading.Lock()
        self._held: list[CityState] = []

    def state(self, version: str | None = None) -> CityState:
        for held in self._held:
            if version is not None and held.version == version:
                return held
        with self._lock:
            for held in self._held:
                if version is not None and held.version == version:
                    return held
            current = self._read(self._held[-1] if self._held else None)
            self._held = [*self._held[-1:], current] if self._held and self._held[-1] is not current else [current]
            return current

    def _read(self, held: CityState | None) -> CityState:
        """The store's current state: from ``held`` plus the changed problems when only case
        moves were written since, else read whole.

        The versions and the event mark are read first: a frame read after them may already
        hold a later write, which the next read then re-reads (rows are replaced, never
        applied twice), and events are read only up to the mark.
        """
        version, base = self.store.versions()
        if held is not None and held.version == version:
            return held
        mark = self.store.event_mark()
        if held is None or held.base != base or mark < held.event_mark:
            return self._whole(version, base, mark)
        changed = self.store.changed_problems(held.event_mark, mark)
        if not changed:
            return replace(held, version=version, since=held.version, changed=())
        problems = _replaced(held.problems, self.store.problems(ids=changed))
        status_problems = _replaced(held.status_problems, self.store.status_problems(ids=changed))
        fresh = self.store.status_events(after=held.event_mark, until=mark)
        events = pd.concat([held.events, fresh], ignore_index=True) if len(fresh) else held.events
        return replace(held, version=version, event_mark=mark, problems=problems,
                       status_problems=status_problems, events=events, since=held.version,
                       changed=tuple(sorted(changed)))

    def _whole(self, version: str, base: str, mark: int) -> CityState:
        s = self.store
        return CityState(version=version, base=base, event_mark=mark, areas=s.areas(None), points=s.points(),
                         circles=s.circles(), alleys=s.alleys(), problems=s.problems(),
                         status_problems=s.status_problems(), events=s.status_events(until=mark))


def _replaced(frame: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its rows of the ids in ``fresh`` replaced by ``fresh``'s, in place
    (rows keep their positions; a frame's column types are kept where the values allow)."""
    if fresh.empty:
        return frame
    positions = pd.Index(frame["id"]).get_indexer(fresh["id"])
    known = positions >= 0
    out = frame.copy()
    fresh = fresh[list(frame.columns)]
    for column in frame.columns:
        values = fresh[column].to_numpy()[known]
        try:
            out[column] = _with_values(out[column], positions[known], values)
        except (TypeError, ValueError):
            patched = out[column].astype(object).to_numpy().copy()
            patched[positions[known]] = values
            out[column] = patched
    if not known.all():  # a problem new since (an import would have changed the base): added
        out = pd.concat([out, fresh[~known]], ignore_index=True)
    return out


def _with_values(column: pd.Series, positions: np.ndarray, values: np.ndarray) -> pd.Series:
    patched = column.copy()
    patched.iloc[positions] = values
    return patched
