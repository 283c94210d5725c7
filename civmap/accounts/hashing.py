"""Passwords and screen tokens: only their hashes are ever stored.

Passwords are hashed with argon2id (argon2-cffi's defaults, salted per hash and slow on
purpose). Screen tokens are 256 random bits: guessing one is hopeless, so a fast SHA-256
is enough for them and lets the store find a token by its hash.
"""

from __future__ import annotations

import hashlib
import secrets as _random

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from civmap.accounts.policy import MIN_PASSWORD

__all__ = ["hash_password", "verify_password", "check_password", "new_token", "token_hash", "DUMMY_HASH"]

_HASHER = PasswordHasher()


def check_password(password: str) -> str:
    """A password good enough to keep, or ValueError saying why (never echoing it)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    if password != password.strip():
        raise ValueError("password: must not start or end with a space or a line break")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing or damaged hash matches nothing."""
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Verified against when a login is unknown, so an unknown name costs the same time as a known one.
DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")


def new_token() -> tuple[str, str]:
    """A fresh screen token and its hash: the token is shown once, the hash is stored."""
    token = _random.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
