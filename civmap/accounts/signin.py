"""Signing in with a password: the lock-out rule applied, every attempt in the audit trail.

The password is checked outside the write lock (argon2 is slow on purpose); the failure
count is then updated under it from the count as it is by then, so two wrong passwords
at once both count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from civmap import clock
from civmap.accounts.hashing import DUMMY_HASH, verify_password
from civmap.accounts.policy import LoginPolicy, failures_after, is_locked, locked_until
from civmap.accounts.users import User
from civmap.audit import entry, record_now
from civmap.storage import accounts as stored

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["SignIn", "OUTCOMES", "sign_in"]

#: ``ok``; ``failed`` (unknown name or wrong password: not told apart); ``locked`` (too many
#: failures: ``until`` says till when); ``disabled`` (right password, account switched off).
OUTCOMES = ("ok", "failed", "locked", "disabled")


@dataclass(frozen=True)
class SignIn:
    outcome: str
    user: User | None = None
    until: dt.datetime | None = None


def sign_in(engine: Engine, login: str, password: str, policy: LoginPolicy) -> SignIn:
    login = (login or "").strip()
    row = stored.user_row(engine, login)
    now = clock.now()
    if row is None:
        verify_password(DUMMY_HASH, password)  # as slow as a known name
        record_now(engine, login or "?", "login_failed", login, reason="unknown")
        return SignIn("failed")
    if is_locked(row["failed_logins"], row["failed_at"], now, policy):
        record_now(engine, login, "login_locked", login)
        return SignIn("locked", until=locked_until(row["failed_logins"], row["failed_at"], policy))
    right = verify_password(row["password_hash"], password)
    outcome: list[SignIn] = []

    def change(current: dict):  # under the write lock, from the count as it is now
        now = clock.now()
        if not right:
            count = failures_after(current["failed_logins"], current["failed_at"], now, policy)
            until = locked_until(count, now, policy)
            outcome.append(SignIn("locked", until=until) if until is not None else SignIn("failed"))
            return ({"failed_logins": count, "failed_at": now},
                    [entry(login, "login_failed", login, at=now, reason="password", failures=count)])
        if current["disabled"]:
            outcome.append(SignIn("disabled"))
            return {}, [entry(login, "login_failed", login, at=now, reason="disabled")]
        outcome.append(SignIn("ok", user=User.from_row(current)))
        return {"failed_logins": 0, "failed_at": None}, [entry(login, "login_ok", login, at=now, via="password")]

    if stored.change_user(engine, login, change) is None:  # removed in between
        return SignIn("failed")
    return outcome[0]
