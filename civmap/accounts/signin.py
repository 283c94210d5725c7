"""Signing in with a password: the lock-out rule applied, every attempt in the audit trail.

The password is checked outside the write lock (argon2 is slow on purpose); the failure
count is then updated under it from the count as it is by then, so two wrong passwords
at once both count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from civmap import clock
from civmap.storage import schema as s
from civmap.accounts.hashing import DUMMY_HASH, verify_password
from civmap.accounts.policy import LoginPolicy, failures_after, is_locked, locked_until
from civmap.accounts.users import User
from civmap.audit import record
from civmap.storage.engine import write_transaction

__all__ = ["SignIn", "OUTCOMES", "sign_in"]

#: ``ok``; ``failed`` (unknown name or wrong password: not told apart); ``locked`` (too many
#: failures: ``until`` says till when); ``disabled`` (right password, account switched off).
OUTCOMES = ("ok", "failed", "locked", "disabled")
U = s.users


@dataclass(frozen=True)
class SignIn:
    outcome: str
    user: User | None = None
    until: dt.datetime | None = None


def sign_in(engine: Engine, login: str, password: str, policy: LoginPolicy) -> SignIn:
    login = (login or "").strip()
    with engine.connect() as conn:
        row = conn.execute(select(U).where(U.c.login == login)).mappings().one_or_none()
    now = clock.now()
    if row is None:
        verify_password(DUMMY_HASH, password)  # as slow as a known name
        _audit(engine, login, "login_failed", reason="unknown")
        return SignIn("failed")
    if is_locked(row["failed_logins"], row["failed_at"], now, policy):
        _audit(engine, login, "login_locked")
        return SignIn("locked", until=locked_until(row["failed_logins"], row["failed_at"], policy))
    right = verify_password(row["password_hash"], password)
    with write_transaction(engine) as conn:
        current = conn.execute(select(U.c.failed_logins, U.c.failed_at).where(U.c.login == login)).one()
        now = clock.now()
        if not right:
            count = failures_after(current.failed_logins, current.failed_at, now, policy)
            conn.execute(update(U).where(U.c.login == login).values(failed_logins=count, failed_at=now))
            record(conn, login, "login_failed", login, at=now, reason="password", failures=count)
            until = locked_until(count, now, policy)
            return SignIn("locked", until=until) if until is not None else SignIn("failed")
        if row["disabled"]:
            record(conn, login, "login_failed", login, at=now, reason="disabled")
            return SignIn("disabled")
        conn.execute(update(U).where(U.c.login == login).values(failed_logins=0, failed_at=None))
        record(conn, login, "login_ok", login, at=now, via="password")
    return SignIn("ok", user=User.from_row(row))


def _audit(engine: Engine, login: str, action: str, **detail) -> None:
    with write_transaction(engine) as conn:
        record(conn, login or "?", action, login, **detail)
