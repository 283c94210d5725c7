"""A problem's history and photos, as the detail view and the audit show them: who, when,
what (the move and the status change), why (the note or reason), and the evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from civmap.storage.cases import event_rows, photo_rows

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["history", "photos_of"]


def _with_who(frame: pd.DataFrame) -> pd.DataFrame:
    """``who``: the actor's display name where the actor is an account (an import's actor is
    its file, shown as it is), so the history and the photos name a person alike."""
    frame["who"] = frame["display_name"].fillna(frame["actor"])
    return frame


def history(engine: Engine, problem_id: str) -> pd.DataFrame:
    """Events of one problem, oldest first, with ``who`` and ``unit_name`` (the unit an
    assignment named)."""
    return _with_who(event_rows(engine, problem_id))


def photos_of(engine: Engine, problem_id: str) -> pd.DataFrame:
    """The problem's photos, oldest first (paths relative to the photos folder), with ``who``."""
    frame = _with_who(photo_rows(engine, problem_id))
    frame["flag"] = frame["flag"].fillna("")  # "": nothing doubtful
    return frame
