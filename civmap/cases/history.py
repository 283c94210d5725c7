"""A problem's history and photos, as the detail view and the audit show them: who, when,
what (the move and the status change), why (the note or reason), and the evidence."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from civmap.storage import schema as s

__all__ = ["history", "photos_of"]


def history(engine: Engine, problem_id: str) -> pd.DataFrame:
    """Events of one problem, oldest first, with the actor's display name where the actor
    is an account (an import's actor is its file, shown as it is)."""
    e, u = s.problem_events, s.users
    query = (select(e.c.id, e.c.at, e.c.actor, u.c.display_name, e.c.move, e.c.from_status, e.c.to_status,
                    e.c.deadline, e.c.unit_code, e.c.note)
             .outerjoin(u, e.c.actor == u.c.login).where(e.c.problem_id == problem_id).order_by(e.c.at, e.c.id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["id", "at", "actor", "display_name", "move", "from_status", "to_status",
                                        "deadline", "unit_code", "note"])
    frame["who"] = frame["display_name"].fillna(frame["actor"])
    return frame


def photos_of(engine: Engine, problem_id: str) -> pd.DataFrame:
    """The problem's photos, oldest first (paths relative to the photos folder)."""
    p = s.photos
    columns = ["id", "event_id", "stage", "file", "thumb", "name", "media_type", "size", "actor", "at", "taken_at",
               "lon", "lat", "flag", "distance_m"]
    with engine.connect() as conn:
        rows = conn.execute(select(*(p.c[c] for c in columns)).where(p.c.problem_id == problem_id)
                            .order_by(p.c.at, p.c.id)).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["flag"] = frame["flag"].fillna("")  # "": nothing doubtful
    return frame
