"""The audit trail: who did what, when. Sign-ins, imports, account changes, problem moves.

Rows are made here (``entry``: a known action, no secret in the detail) and written by
storage inside the transaction of the change they describe, so a change and its audit row
are committed together or not at all. ``detail`` is a small JSON object of codes and numbers (never a password, a hash or a token); words in the
reader's language are added where the trail is shown.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import TYPE_CHECKING

import pandas as pd

from civmap import clock
from civmap.storage.audit import append, read_trail

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["ACTIONS", "entry", "record_now", "record_import", "trail", "operator"]

#: Every action the trail knows.
ACTIONS = ("login_ok", "login_failed", "login_locked", "token_login", "import", "user_add", "user_disable",
           "user_enable", "user_password", "role_change", "token_issue", "token_revoke", "move", "photo")
_FORBIDDEN_KEYS = ("password", "password_hash", "token", "token_hash")


def operator() -> str:
    """The actor of a command-line change: the operator, by their system account when known."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "operator"
    return f"operator:{name}"[:64]


def entry(actor: str, action: str, subject: str | None = None, at: dt.datetime | None = None, **detail) -> dict:
    """One row of the trail, checked: a known action, and no secret in ``detail``. Storage
    writes it inside the transaction of the change it describes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    leaked = [key for key in detail if key in _FORBIDDEN_KEYS]
    if leaked:
        raise ValueError(f"audit detail must not hold {', '.join(leaked)}")
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None
    return {"at": at or clock.now(), "actor": actor[:64], "action": action,
            "subject": None if subject is None else str(subject)[:255], "detail": text}


def record_now(engine: Engine, actor: str, action: str, subject: str | None = None, **detail) -> None:
    """Add one row in a transaction of its own (for events that change nothing else)."""
    append(engine, [entry(actor, action, subject, **detail)])


def record_import(engine: Engine, actor: str, file_name: str, kind: str, result) -> None:
    """An import that wrote (a ``civmap.ledger.CommitResult``): who, which file, what it changed."""
    record_now(engine, actor, "import", file_name, kind=kind, inserted=result.inserted, updated=result.updated,
               unchanged=result.unchanged, rejected=result.rejected, events=result.events, removed=result.removed)


def trail(engine: Engine, since: dt.datetime | None = None, until: dt.datetime | None = None,
          actions: tuple[str, ...] = ()) -> pd.DataFrame:
    """The trail, oldest first: at, actor, action, subject, detail (JSON text)."""
    return read_trail(engine, since, until, actions)
