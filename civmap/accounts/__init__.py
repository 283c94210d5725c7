"""Accounts: roles as data, users, passwords (argon2 hashes only), lock-out, screen tokens.

Nothing here imports Streamlit; the sign-in form lives in ``civmap.ui.auth``. Which store
scope a user's role gives is decided from ``User`` and ``Role`` by whoever opens the store.
"""

from civmap.accounts.hashing import hash_password, verify_password
from civmap.accounts.policy import LoginPolicy, is_locked, locked_until, failures_after, session_expired
from civmap.accounts.records import (
    Area, add_user, get_user, list_users, set_disabled, set_password, set_role, user_by_identity,
)
from civmap.accounts.roles import CAPABILITIES, SCOPES, Role, role_of, roles_of
from civmap.accounts.scopes import districts_of, scope_of
from civmap.accounts.screens import issue_token, list_tokens, revoke_token, user_for_token
from civmap.accounts.signin import SignIn, sign_in
from civmap.accounts.users import User, covers

__all__ = [
    "Role", "SCOPES", "CAPABILITIES", "roles_of", "role_of", "User", "covers", "Area",
    "hash_password", "verify_password", "LoginPolicy", "is_locked", "locked_until", "failures_after",
    "session_expired", "add_user", "get_user", "list_users", "set_disabled", "set_password", "set_role",
    "user_by_identity", "SignIn", "sign_in", "issue_token", "revoke_token", "list_tokens", "user_for_token", "scope_of", "districts_of",
]
