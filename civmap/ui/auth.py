"""Who is using the app: a local sign-in form or the city's single sign-on, idle expiry.

Local accounts sign in with the form here (the lock-out rule and the audit row come from
``civmap.accounts``); when ``.streamlit/secrets.toml`` has an ``[auth]`` section the page
also offers ``st.login`` and looks the identity up in civmap's own accounts, so a role
changed there takes effect on the user's next click. The account is read afresh on every
run for the same reason. Pages ask ``require_user()`` once; nothing below re-decides.
"""

from __future__ import annotations

import streamlit as st

from civmap import accounts, clock
from civmap.accounts import LoginPolicy, Role, User
from civmap.audit import record_now
from civmap.storage.health import StoreError
from civmap.i18n import t
from civmap.ui.core import city_store, lang, settings, vocab
from civmap.ui.text import plain

__all__ = ["require_user", "signed_in_user", "user_role", "sign_out_button", "sso_configured", "screen_user"]

_USER, _SEEN, _EXPIRED = "civmap_user", "civmap_seen", "civmap_expired"


def sso_configured() -> bool:
    """Whether an OpenID Connect provider is set up for ``st.login``."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def _policy() -> LoginPolicy:
    return LoginPolicy.from_settings(settings())


def _forget() -> None:
    for key in (_USER, _SEEN):
        st.session_state.pop(key, None)


def _sso_user() -> User | None:
    if not (sso_configured() and getattr(st.user, "is_logged_in", False)):
        return None
    found = accounts.user_by_identity(city_store().engine, st.user.get("sub"), st.user.get("email"))
    if found is None:
        st.warning(t("auth.sso_unknown", lang(), who=plain(st.user.get("email") or st.user.get("sub") or "?")))
        return None
    if st.session_state.get(_USER) != found.login:  # once per session, not on every click
        record_now(city_store().engine, found.login, "login_ok", found.login, via="sso")
        st.session_state[_USER] = found.login
    return None if found.disabled else found


def signed_in_user() -> User | None:
    """The signed-in account, or None (never signed in, expired, disabled, or removed)."""
    user = _sso_user()
    if user is not None:
        return user
    login = st.session_state.get(_USER)
    if login is None:
        return None
    now = clock.now()
    if accounts.session_expired(st.session_state.get(_SEEN), now, _policy()):
        _forget()
        st.session_state[_EXPIRED] = True
        return None
    user = accounts.get_user(city_store().engine, login)
    if user is None or user.disabled:
        _forget()
        return None
    st.session_state[_SEEN] = now
    return user


def user_role(user: User) -> Role:
    """The user's role; a role the office has since removed from roles.csv stops the page."""
    roles = accounts.roles_of(vocab())
    if user.role not in roles:
        st.error(t("auth.no_role", lang(), login=plain(user.login), role=plain(user.role)))
        st.stop()
    return roles[user.role]


def _login_form() -> None:
    code = lang()
    st.subheader(t("auth.title", code))
    if st.session_state.pop(_EXPIRED, False):
        st.info(t("auth.expired", code))
    with st.form("civmap_login"):
        login = st.text_input(t("auth.login", code), key="civmap_login_name")
        password = st.text_input(t("auth.password", code), type="password", key="civmap_login_password")
        submitted = st.form_submit_button(t("auth.submit", code), type="primary")
    if submitted:
        try:
            result = accounts.sign_in(city_store().engine, login, password, _policy())
        except StoreError as error:  # the write lock stayed taken
            st.error(error.message(code))
            return
        finally:
            del st.session_state["civmap_login_password"]  # not kept in the session, whatever the outcome
        if result.outcome == "ok":
            st.session_state[_USER], st.session_state[_SEEN] = result.user.login, clock.now()
            st.rerun()
        elif result.outcome == "locked":
            st.error(t("auth.locked", code, until=f"{result.until:%H:%M}"))
        else:
            st.error(t(f"auth.{result.outcome}", code))
    if sso_configured():
        st.button(t("auth.sso", code), on_click=st.login)


def require_user() -> User:
    """The signed-in user; otherwise the sign-in form, and the page stops there."""
    user = signed_in_user()
    if user is None:
        _login_form()
        st.stop()
    return user


def sign_out_button(user: User) -> None:
    code = lang()
    st.caption(t("auth.signed_in_as", code, name=plain(user.display_name), role=plain(user_role(user).label(code))))
    if st.button(t("auth.sign_out", code), key="civmap_sign_out"):
        _forget()
        if sso_configured() and getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()


def screen_user() -> User | None:
    """A command-centre screen's account from its ``?token=`` (for the wall page)."""
    token = st.query_params.get("token", "")
    return accounts.user_for_token(city_store().engine, vocab(), token) if token else None
