"""The case flow as data: which move takes a problem from which status to which, what it
needs, and which roles may make it (``moves.csv`` beside ``statuses.csv``).

交办 assign (unit + deadline) → start → report fixed (note + photos) → check: close (销号)
or send back (退回, reason); reopen a closed one (反弹, reason); extend a deadline (延期,
reason). An office that runs its flow differently edits the CSV, not the code. Everything
here is pure: it decides from a problem's state and a user, and the store applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from civmap.accounts import Role, User, covers
from civmap.vocab import Vocabulary

__all__ = ["Move", "NEEDS", "moves_of", "allowed_moves", "CaseError", "Conflict", "NotFound", "Refused",
           "check_inputs", "MAX_NOTE"]

#: What a move may ask for: a responsible unit, a deadline, a note, a reason, a photo.
NEEDS = ("unit", "deadline", "note", "reason", "photo")
#: Longest note or reason (characters).
MAX_NOTE = 2000


@dataclass(frozen=True)
class Move:
    code: str
    zh: str
    en: str
    sources: tuple[str, ...]
    #: The status after the move; None keeps the status (an extension changes the deadline only).
    target: str | None
    needs: frozenset[str]
    roles: frozenset[str]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class CaseError(ValueError):
    """A move that cannot be made; ``code`` selects the UI's words (``case.error.<code>``)."""

    def __init__(self, code: str, **values):
        self.code, self.values = code, values
        super().__init__(f"{code}: {values}" if values else code)


class NotFound(CaseError):
    """No such problem, or none in the user's area: the two are not told apart."""

    def __init__(self, problem_id: str):
        super().__init__("not_found", id=problem_id)


class Refused(CaseError):
    """The move is not one this user may make on this problem now, or an input is missing or bad."""


class Conflict(CaseError):
    """The problem changed since the user saw it; ``state`` is how it is now."""

    def __init__(self, state: Mapping):
        self.state = dict(state)
        super().__init__("conflict", status=state.get("status"), actor=state.get("last_actor"))


def moves_of(vocab: Vocabulary) -> dict[str, Move]:
    """The office's moves by code; ValueError naming the row on an unknown status, need or role."""
    statuses, roles = set(vocab.statuses.index), set(vocab.roles.index)
    out = {}
    for code, row in vocab.moves.iterrows():
        sources, target = tuple(str(row["from"]).split()), str(row["to"]).strip() or None
        needs, who = frozenset(str(row["needs"]).split()), frozenset(str(row["roles"]).split())
        for status in (*sources, *((target,) if target else ())):
            if status not in statuses:
                raise ValueError(f"moves.csv, move {code!r}: status {status!r} is not in statuses.csv")
        if needs - set(NEEDS):
            raise ValueError(f"moves.csv, move {code!r}: unknown need(s) {', '.join(sorted(needs - set(NEEDS)))}")
        if who - roles:
            raise ValueError(f"moves.csv, move {code!r}: unknown role(s) {', '.join(sorted(who - roles))}")
        out[str(code)] = Move(str(code), str(row["zh"]), str(row["en"]), sources, target, needs, who)
    return out


def allowed_moves(moves: Mapping[str, Move], user: User, role: Role, problem: Mapping) -> list[Move]:
    """The moves ``user`` may make on ``problem`` (its status and area) now, in the CSV's order."""
    if user.disabled or not covers(user, role, problem):
        return []
    return [m for m in moves.values() if role.code in m.roles and problem["status"] in m.sources]


def _text(value: str | None, field: str, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise Refused("missing", field=field)
    if len(text) > MAX_NOTE:
        raise Refused("too_long", field=field, most=MAX_NOTE)
    return text or None


def check_inputs(move: Move, today: dt.date, current_deadline: dt.date | None, unit: str | None,
                 deadline: dt.date | None, note: str | None, photo_count: int) -> str | None:
    """Refuse a move whose needs are not met (``Refused`` naming the field); the note to store."""
    if "unit" in move.needs and not (unit or "").strip():
        raise Refused("missing", field="unit")
    if "deadline" in move.needs:
        if deadline is None:
            raise Refused("missing", field="deadline")
        if deadline < today:
            raise Refused("deadline_past", deadline=deadline.isoformat())
        if move.target is None and current_deadline is not None and deadline <= current_deadline:
            raise Refused("deadline_not_later", deadline=deadline.isoformat(), current=current_deadline.isoformat())
    if "photo" in move.needs and photo_count == 0:
        raise Refused("missing", field="photo")
    field = "reason" if "reason" in move.needs else "note"
    return _text(note, field, required=bool({"note", "reason"} & move.needs))
