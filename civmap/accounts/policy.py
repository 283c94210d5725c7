"""Lock-out and idle expiry as pure functions of the city clock's times and the settings.

Kept apart from the store so each rule is tested on plain datetimes: an account is locked
for ``lock_minutes`` once ``max_failures`` wrong passwords came in a row; a lock that has
run out starts a fresh count; a session with no click for ``idle_minutes`` is over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["LoginPolicy", "locked_until", "is_locked", "failures_after", "session_expired", "MIN_PASSWORD"]

#: Shortest password accepted (characters). Length is what makes a password hard to guess.
MIN_PASSWORD = 8


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    idle_minutes: int = 30

    @classmethod
    def from_settings(cls, settings) -> "LoginPolicy":
        return cls(settings.login_max_failures, settings.login_lock_minutes, settings.session_idle_minutes)


def locked_until(failures: int, last_failed: dt.datetime | None, policy: LoginPolicy) -> dt.datetime | None:
    """When the lock of an account with ``failures`` wrong passwords in a row ends (None: no lock)."""
    if failures < policy.max_failures or last_failed is None:
        return None
    return last_failed + dt.timedelta(minutes=policy.lock_minutes)


def is_locked(failures: int, last_failed: dt.datetime | None, now: dt.datetime, policy: LoginPolicy) -> bool:
    until = locked_until(failures, last_failed, policy)
    return until is not None and now < until


def failures_after(failures: int, last_failed: dt.datetime | None, now: dt.datetime, policy: LoginPolicy) -> int:
    """The count after one more wrong password at ``now``: a lock that has run out starts afresh."""
    until = locked_until(failures, last_failed, policy)
    if until is not None and now >= until:
        return 1
    return failures + 1


def session_expired(last_seen: dt.datetime | None, now: dt.datetime, policy: LoginPolicy) -> bool:
    """Whether a sign-in last used at ``last_seen`` has lapsed by ``now`` (None: never signed in)."""
    return last_seen is None or now - last_seen >= dt.timedelta(minutes=policy.idle_minutes)
