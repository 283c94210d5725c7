"""Accounts and screen tokens in the store: rows in, rows out, changes under the write lock.

The rules (who may have which role and area, the lock-out, what a token may open) live in
:mod:`civmap.accounts`; a change that depends on the row as it is under the lock takes a
``change`` function from there: ``change(row) -> (values, audit entries)``, called with the
lock held, so two changes to one account cannot interleave. Every change is committed
together with its audit entries.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from sqlalchemy import Engine, func, insert, select, update

from civmap.storage import schema as s
from civmap.storage.audit import insert_entries
from civmap.storage.engine import write_transaction

__all__ = ["user_row", "user_rows", "users_by_identity", "known_codes", "insert_user", "change_user",
           "insert_token", "change_token", "token_rows", "live_token", "use_token"]

U, T = s.users, s.wall_tokens
Change = Callable[[dict], "tuple[dict, Iterable[Mapping]]"]


def user_row(engine: Engine, login: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(U).where(U.c.login == login)).mappings().one_or_none()
    return None if row is None else dict(row)


def user_rows(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(select(U).order_by(U.c.login)).mappings()]


def users_by_identity(engine: Engine, sub: str | None, email: str | None) -> tuple[list[dict], list[dict]]:
    """Accounts holding this single sign-on subject, and those holding this e-mail (any case)."""
    with engine.connect() as conn:
        by_sub = conn.execute(select(U).where(U.c.sso_sub == sub)).mappings().all() if sub else []
        by_email = (conn.execute(select(U).where(func.lower(U.c.sso_email) == email.strip().lower())).mappings().all()
                    if email else [])
    return [dict(r) for r in by_sub], [dict(r) for r in by_email]


def known_codes(engine: Engine, level: str, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` the store knows as areas of ``level`` (``unit``: responsible units)."""
    codes = list(codes)
    if level == "unit":
        query = select(s.units.c.code).where(s.units.c.code.in_(codes))
    else:
        query = select(s.areas.c.code).where(s.areas.c.code.in_(codes), s.areas.c.level == level)
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def insert_user(engine: Engine, values: Mapping, entries: Iterable[Mapping]) -> None:
    """Add an account; ValueError (nothing written) when its login or sign-on subject is taken."""
    with write_transaction(engine) as conn:
        if conn.execute(select(U.c.login).where(U.c.login == values["login"])).first() is not None:
            raise ValueError(f"login: {values['login']!r} is taken")
        sub = values.get("sso_sub")
        if sub and conn.execute(select(U.c.login).where(U.c.sso_sub == sub)).first() is not None:
            raise ValueError(f"--sso-sub: {sub!r} already belongs to another account")
        conn.execute(insert(U).values(**values))
        insert_entries(conn, entries)


def _change_row(engine: Engine, key, value, change: Change) -> dict | None:
    """Update the row where ``key == value`` by ``change(row)`` under the write lock, with its
    audit entries; the row as it was before (None, and nothing written, when there is none)."""
    with write_transaction(engine) as conn:
        row = conn.execute(select(key.table).where(key == value)).mappings().one_or_none()
        if row is None:
            return None
        values, entries = change(dict(row))
        if values:
            conn.execute(update(key.table).where(key == value).values(**values))
        insert_entries(conn, entries)
    return dict(row)


def change_user(engine: Engine, login: str, change: Change) -> dict | None:
    """Update ``login``'s row by ``change(row)`` under the write lock; the row as it was before
    (None, and nothing written, when there is no such account)."""
    return _change_row(engine, U.c.login, login, change)


def insert_token(engine: Engine, values: Mapping, entries_for: Callable[[int], Iterable[Mapping]]) -> int:
    """Keep a new screen token's row (its hash, never the token); its id."""
    with write_transaction(engine) as conn:
        token_id = conn.execute(insert(T).values(**values)).inserted_primary_key[0]
        insert_entries(conn, entries_for(token_id))
    return token_id


def change_token(engine: Engine, token_id: int, change: Change) -> dict | None:
    """Update token ``token_id`` by ``change(row)`` under the write lock (as ``change_user``)."""
    return _change_row(engine, T.c.id, token_id, change)


def token_rows(engine: Engine, columns: Iterable[str]) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*(T.c[c] for c in columns)).order_by(T.c.id)).all()]


def live_token(engine: Engine, hashed: str) -> dict | None:
    """The unrevoked token with this hash, with its account's row (``token_id`` and the user's columns)."""
    with engine.connect() as conn:
        row = conn.execute(select(T.c.id.label("token_id"), U).join(U, T.c.login == U.c.login)
                           .where(T.c.token_hash == hashed, T.c.revoked_at.is_(None))).mappings().one_or_none()
    return None if row is None else dict(row)


def use_token(engine: Engine, token_id: int, at, entries: Iterable[Mapping]) -> None:
    """Note that the token signed a screen in at ``at``."""
    with write_transaction(engine) as conn:
        conn.execute(update(T).where(T.c.id == token_id).values(last_used_at=at))
        insert_entries(conn, entries)
