"""Command-centre screens sign in with a long-lived token instead of a password.

A token belongs to one account whose role may use a screen (``screen`` in ``roles.csv``,
the wall); it is shown once when issued, kept only as a hash, and works until revoked or
its account is disabled or given a role without that right.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from civmap import clock
from civmap.storage import schema as s
from civmap.accounts.hashing import new_token, token_hash
from civmap.accounts.roles import roles_of
from civmap.accounts.users import User, check_display_name
from civmap.audit import record
from civmap.storage.engine import write_transaction
from civmap.vocab import Vocabulary

__all__ = ["issue_token", "revoke_token", "list_tokens", "user_for_token"]

T, U = s.wall_tokens, s.users


def issue_token(engine: Engine, vocab: Vocabulary, actor: str, login: str, label: str) -> str:
    """A new token for ``login``'s screen (returned once: only its hash is kept)."""
    label = check_display_name(label)
    roles = roles_of(vocab)
    token, hashed = new_token()
    with write_transaction(engine) as conn:
        row = conn.execute(select(U.c.role, U.c.disabled).where(U.c.login == login)).one_or_none()
        if row is None:
            raise ValueError(f"login: no account {login!r}")
        role = roles.get(row.role)
        if role is None or not role.may("screen"):
            raise ValueError(f"login: {login!r} has role {row.role!r}, which may not sign in on a screen")
        if row.disabled:
            raise ValueError(f"login: {login!r} is disabled")
        at = clock.now()
        token_id = conn.execute(insert(T).values(login=login, label=label, token_hash=hashed, issued_at=at,
                                                 issued_by=actor[:64])).inserted_primary_key[0]
        record(conn, actor, "token_issue", login, at=at, token_id=token_id, label=label)
    return token


def revoke_token(engine: Engine, actor: str, token_id: int) -> None:
    with write_transaction(engine) as conn:
        row = conn.execute(select(T.c.login, T.c.revoked_at).where(T.c.id == token_id)).one_or_none()
        if row is None:
            raise ValueError(f"token: no token {token_id}")
        if row.revoked_at is not None:
            raise ValueError(f"token: {token_id} was revoked already ({row.revoked_at:%Y-%m-%d %H:%M})")
        at = clock.now()
        conn.execute(update(T).where(T.c.id == token_id).values(revoked_at=at, revoked_by=actor[:64]))
        record(conn, actor, "token_revoke", row.login, at=at, token_id=token_id)


def list_tokens(engine: Engine) -> pd.DataFrame:
    """Every token ever issued (never the token or its hash)."""
    columns = ("id", "login", "label", "issued_at", "issued_by", "revoked_at", "revoked_by", "last_used_at")
    with engine.connect() as conn:
        rows = conn.execute(select(*(T.c[c] for c in columns)).order_by(T.c.id)).all()
    return pd.DataFrame(rows, columns=list(columns))


def user_for_token(engine: Engine, vocab: Vocabulary, token: str) -> User | None:
    """The screen's account, when ``token`` is live and the account may use a screen; the
    sign-in is recorded. None for anything else (no reason given to whoever holds a wrong token)."""
    if not token:
        return None
    roles = roles_of(vocab)
    with write_transaction(engine) as conn:
        found = conn.execute(select(T.c.id, U).join(U, T.c.login == U.c.login)
                             .where(T.c.token_hash == token_hash(token), T.c.revoked_at.is_(None))).mappings()
        row = found.one_or_none()
        if row is None or row["disabled"] or not (row["role"] in roles and roles[row["role"]].may("screen")):
            return None
        at = clock.now()
        conn.execute(update(T).where(T.c.id == row["id"]).values(last_used_at=at))
        record(conn, row["login"], "token_login", row["login"], at=at, token_id=row["id"])
    return User.from_row(row)
