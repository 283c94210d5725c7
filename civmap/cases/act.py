"""Making a move on a problem: checked, applied and recorded in one write transaction.

A move updates the problem and appends a ``problem_events`` row exactly as an imported
status change does (status, status_since, the deadline in force), and bumps the data
version, so the progress figures and the wall count it like any ledger event. The user
sends the version of the problem they saw (its latest event id); if another move or an
import got there first, ``Conflict`` carries the state as it is now and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from civmap import clock
from civmap.accounts import Role, User, covers, roles_of
from civmap.audit import entry
from civmap.cases.files import save_photo
from civmap.cases.flow import Conflict, Move, NotFound, Refused, allowed_moves, check_inputs, moves_of
from civmap.cases.photos import Photo, flags_for
from civmap.storage.cases import CaseLookup, MoveWrite, apply_move, case_row, last_move_to
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["CaseRules", "Moved", "load_case", "make_move", "offered_moves"]


@dataclass(frozen=True)
class CaseRules:
    """The office's switches for the flow (from the settings)."""

    photos_dir: Path
    closer_not_reporter: bool = True
    photo_max_distance_m: float = 500.0

    @classmethod
    def from_settings(cls, settings) -> "CaseRules":
        return cls(settings.photos_dir, settings.closer_not_reporter, settings.photo_max_distance_m)

    def closes_own_fix(self, move: Move, status: str, types, user: User, reporter: str | None) -> bool:
        """Whether ``move`` from ``status`` would have ``user`` close a fix he reported himself
        (``reporter``: who last took the problem to a fixed status), which the office may
        forbid so that every closing is a second pair of eyes. ``types``: status → type."""
        return (self.closer_not_reporter and types.get(move.target or status) == "closed"
                and reporter is not None and reporter == user.login)


@dataclass(frozen=True)
class Moved:
    event_id: int
    status: str
    photo_flags: tuple[tuple[str, ...], ...]
    data_version: str


def _visible(store: Store, case: dict | None) -> bool:
    return case is not None and store.scope.admits(case)


def load_case(store: Store, user: User, vocab: Vocabulary, problem_id: str) -> dict:
    """A problem's facts, its ``version`` and ``fixed_by`` (who last reported it fixed), if it
    is in the store's scope and the user's area; ``NotFound`` otherwise (another district's id
    reads as no problem at all)."""
    role = roles_of(vocab).get(user.role)
    case = case_row(store.engine, problem_id)
    if role is None or not _visible(store, case) or not covers(user, role, case):
        raise NotFound(problem_id)
    return {**case, "fixed_by": last_move_to(store.engine, problem_id, vocab.statuses_of_type("fixed"))[0]}


def offered_moves(vocab: Vocabulary, user: User, role: Role, case: dict,
                  rules: CaseRules) -> tuple[list[Move], list[Move]]:
    """The moves to offer ``user`` on ``case`` (from ``load_case``), and those his role may make
    but the office's rules refuse him here (closing his own fix): a page offers no form that
    submitting would only refuse, and can say why instead."""
    types = vocab.statuses["type"]
    allowed = allowed_moves(moves_of(vocab), user, role, case)
    held = [m for m in allowed if rules.closes_own_fix(m, case["status"], types, user, case.get("fixed_by"))]
    return [m for m in allowed if m not in held], held


def _check_unit(lookup: CaseLookup, unit: str, case: dict) -> None:
    found = lookup.unit(unit)
    if found is None:
        raise Refused("unknown_unit", unit=unit)
    if found["district_code"] is not None and found["district_code"] != case["district_code"]:
        raise Refused("unit_elsewhere", unit=unit)


def make_move(store: Store, vocab: Vocabulary, user: User, move_code: str, problem_id: str, seen: int,
              rules: CaseRules, unit: str | None = None, deadline: dt.date | None = None, note: str | None = None,
              photos: Sequence[Photo] = ()) -> Moved:
    """Apply ``move_code`` to ``problem_id`` as ``user``, who saw it at version ``seen``.

    Raises ``NotFound`` (no such problem in the user's area), ``Conflict`` (changed since
    seen), ``Refused`` (not this user's move now, or an input missing or bad). Photos are
    written to disk first (by content; harmless if the move then fails) and recorded with
    the event.
    """
    role = roles_of(vocab).get(user.role)
    moves = moves_of(vocab)
    move: Move | None = moves.get(move_code)
    if move is None:
        raise Refused("unknown_move", move=move_code)
    if role is None or user.disabled:
        raise Refused("not_allowed", move=move_code, status="")
    types = vocab.statuses["type"]
    files = [save_photo(rules.photos_dir, photo) for photo in photos]
    decided: list = []

    def plan(case: dict | None, lookup: CaseLookup) -> MoveWrite:  # under the write lock
        if not _visible(store, case) or not covers(user, role, case):
            raise NotFound(problem_id)
        if case["version"] != seen:
            raise Conflict(case)
        if role.code not in move.roles or case["status"] not in move.sources:
            raise Refused("not_allowed", move=move_code, status=case["status"])
        target = move.target or case["status"]
        reporter, _ = lookup.last_move_to(vocab.statuses_of_type("fixed"))
        if rules.closes_own_fix(move, case["status"], types, user, reporter):
            raise Refused("closer_is_reporter")
        if "unit" in move.needs:
            _check_unit(lookup, (unit or "").strip(), case)
        text = check_inputs(move, clock.today(), case["deadline"], unit, deadline, note, len(photos))
        # Under the lock, and never before the problem's last event (as an import stamps its
        # changes), so the history and the progress figures keep the moves in order.
        at = max(clock.now(), case["last_at"] or dt.datetime.min)
        new_deadline = deadline if "deadline" in move.needs else None
        values = {}
        if target != case["status"]:
            values.update(status=target, status_since=at)
        if new_deadline is not None:
            values["deadline"] = new_deadline
        if "unit" in move.needs:
            values["unit_code"] = unit.strip()
        rows, flags = _photo_rows(vocab, moves, user, case, lookup, target, at, photos, files, rules)
        decided.extend([target, flags])
        return MoveWrite(
            event=dict(at=at, actor=user.login, from_status=case["status"], to_status=target, deadline=new_deadline,
                       note=text, move=move.code, unit_code=values.get("unit_code")),
            problem=values, photos=rows,
            entries=[entry(user.login, "move", problem_id, at=at, move=move.code, from_status=case["status"],
                           to_status=target, deadline=new_deadline, unit=values.get("unit_code"),
                           photos=len(photos), flags=[" ".join(f) for f in flags if f])])

    event_id, version = apply_move(store.engine, problem_id, plan)
    target, flags = decided
    return Moved(event_id, target, tuple(flags), version)


def _photo_rows(vocab, moves, user, case, lookup, target, at, photos, files, rules) -> tuple[list[dict], list[tuple]]:
    """Rows for the move's photos; "after" photos (a fix reported or closed) get their EXIF checked."""
    if not photos:
        return [], []
    after = vocab.statuses["type"].get(target) in ("fixed", "closed")
    assign = moves.get("assign")
    assigned_at = lookup.last_move_to([assign.target])[1] if assign and assign.target else None
    rows, out = [], []
    for photo, (file, thumb) in zip(photos, files):
        flags, distance = (flags_for(photo, case["lon"], case["lat"], assigned_at, rules.photo_max_distance_m)
                           if after else ((), None))
        rows.append(dict(
            stage="after" if after else "before", file=file, thumb=thumb, sha256=photo.sha256,
            media_type=photo.media_type, size=len(photo.data), name=photo.name[:255], actor=user.login, at=at,
            taken_at=photo.taken_at, lon=photo.lon, lat=photo.lat, flag=" ".join(flags) or None,
            distance_m=distance))
        out.append(flags)
    return rows, out
