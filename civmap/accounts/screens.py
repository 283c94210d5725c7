"""Command-centre screens sign in with a long-lived token instead of a password.

A token belongs to one account whose role may use a screen (``screen`` in ``roles.csv``,
the wall); it is shown once when issued, kept only as a hash, and works until revoked or
its account is disabled or given a role without that right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from civmap import clock
from civmap.accounts.hashing import new_token, token_hash
from civmap.accounts.roles import roles_of
from civmap.accounts.users import User, check_display_name
from civmap.audit import entry
from civmap.storage import accounts as stored
from civmap.vocab import Vocabulary

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["issue_token", "revoke_token", "list_tokens", "user_for_token"]


def issue_token(engine: Engine, vocab: Vocabulary, actor: str, login: str, label: str) -> str:
    """A new token for ``login``'s screen (returned once: only its hash is kept)."""
    label = check_display_name(label)
    roles = roles_of(vocab)
    row = stored.user_row(engine, login)
    if row is None:
        raise ValueError(f"login: no account {login!r}")
    role = roles.get(row["role"])
    if role is None or not role.may("screen"):
        raise ValueError(f"login: {login!r} has role {row['role']!r}, which may not sign in on a screen")
    if row["disabled"]:
        raise ValueError(f"login: {login!r} is disabled")
    token, hashed = new_token()
    at = clock.now()
    stored.insert_token(engine, dict(login=login, label=label, token_hash=hashed, issued_at=at, issued_by=actor[:64]),
                        lambda token_id: [entry(actor, "token_issue", login, at=at, token_id=token_id, label=label)])
    return token


def revoke_token(engine: Engine, actor: str, token_id: int) -> None:
    def change(row: dict):
        if row["revoked_at"] is not None:
            raise ValueError(f"token: {token_id} was revoked already ({row['revoked_at']:%Y-%m-%d %H:%M})")
        at = clock.now()
        return {"revoked_at": at, "revoked_by": actor[:64]}, [entry(actor, "token_revoke", row["login"], at=at,
                                                                    token_id=token_id)]

    if stored.change_token(engine, token_id, change) is None:
        raise ValueError(f"token: no token {token_id}")


def list_tokens(engine: Engine) -> pd.DataFrame:
    """Every token ever issued (never the token or its hash)."""
    columns = ("id", "login", "label", "issued_at", "issued_by", "revoked_at", "revoked_by", "last_used_at")
    return pd.DataFrame(stored.token_rows(engine, columns), columns=list(columns))


def user_for_token(engine: Engine, vocab: Vocabulary, token: str, record: bool = True) -> User | None:
    """The screen's account, when ``token`` is live and the account may use a screen; the
    sign-in is recorded (``record``: a screen checking its token again on a later run is not
    a new sign-in). None for anything else (no reason given to whoever holds a wrong token)."""
    if not token:
        return None
    roles = roles_of(vocab)
    row = stored.live_token(engine, token_hash(token))
    if row is None or row["disabled"] or not (row["role"] in roles and roles[row["role"]].may("screen")):
        return None
    if not record:
        return User.from_row(row)
    at = clock.now()
    stored.use_token(engine, row["token_id"], at,
                     [entry(row["login"], "token_login", row["login"], at=at, token_id=row["token_id"])])
    return User.from_row(row)
