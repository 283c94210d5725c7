"""Who is using the app, decided once per run in the frame (``dashboard.py``): ``gate``.

Ways in, tried in order: a command-centre screen's token (``?token=``, a wall account,
checked afresh on every run so a revoked token stops at once); the city's single sign-on
(``st.login``, when ``.streamlit/secrets.toml`` has ``[auth]``), looked up in civmap's own
accounts so a role changed there takes effect on the next click; a local account signed in
with the form here (lock-out and the audit row from ``civmap.accounts``); and, in a store
seeded as the demo city only, the demo's default account. Nobody: the sign-in form, and
the run stops before any page or data. The account is read afresh on every run.

The gate keeps the user and his ``Scope`` in the session for ``civmap.ui.core.current_scope``;
pages ask ``current()`` and nothing below re-decides who sees what.
"""

from __future__ import annotations

import streamlit as st

from civmap import accounts, clock
from civmap.accounts import LoginPolicy, Role, User
from civmap.audit import record_now
from civmap.demo.accounts import DEMO_ACCOUNTS, DEMO_DEFAULT, DEMO_LOGINS, DEMO_PASSWORD, demo_mode
from civmap.storage.health import StoreError
from civmap.i18n import t
from civmap.ui.core import NOW_KEY, city_store, ensure_frame, lang, run_version, settings, vocab
from civmap.ui.text import plain

__all__ = ["gate", "current", "area_label", "signed_in_user", "user_role", "sidebar", "sso_configured",
           "screen_user", "is_demo"]

_USER, _SEEN, _EXPIRED, _OUT, _SCREEN = ("civmap_user", "civmap_seen", "civmap_expired", "civmap_signed_out",
                                         "civmap_screen")
#: Session entries a change of user keeps: the language, and who is now signed in.
_KEEP = ("lang", "civmap_lang")


def sso_configured() -> bool:
    """Whether an OpenID Connect provider is set up for ``st.login``."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def is_demo() -> bool:
    """Whether this store was seeded as the demo city (then it runs in demo mode)."""
    return demo_mode(city_store())


def _policy() -> LoginPolicy:
    return LoginPolicy.from_settings(settings())


def _forget() -> None:
    for key in (_USER, _SEEN, _SCREEN):
        st.session_state.pop(key, None)


def _start(login: str) -> None:
    """A new user in this session: whatever the last one chose (filters, picks, forms) is dropped."""
    for key in list(st.session_state):
        if key not in _KEEP:
            del st.session_state[key]
    st.session_state[_USER], st.session_state[_SEEN] = login, clock.now()


def _sso_user() -> User | None:
    if not (sso_configured() and getattr(st.user, "is_logged_in", False)):
        return None
    if st.session_state.get(_OUT):  # signed out here: end the single sign-on cookie too
        st.logout()
        return None
    found = accounts.user_by_identity(city_store().engine, st.user.get("sub"), st.user.get("email"))
    if found is None:
        st.warning(t("auth.sso_unknown", lang(), who=plain(st.user.get("email") or st.user.get("sub") or "?")))
        return None
    if st.session_state.get(_USER) != found.login:  # once per session, not on every click
        record_now(city_store().engine, found.login, "login_ok", found.login, via="sso")
        _start(found.login)
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
    if user is None or user.disabled or (user.login in DEMO_LOGINS and not is_demo()):
        _forget()
        return None
    st.session_state[_SEEN] = now
    return user


def screen_user() -> User | None:
    """A command-centre screen's account from its ``?token=``; the first run of a session
    records the sign-in, later runs only check the token is still live."""
    token = st.query_params.get("token", "")
    if not token:
        return None
    first = st.session_state.get(_SCREEN) != token
    user = accounts.user_for_token(city_store().engine, vocab(), token, record=first)
    if user is None:
        st.session_state.pop(_SCREEN, None)
        st.error(t("auth.bad_token", lang()))
        return None
    st.session_state[_SCREEN] = token
    return user


def _demo_user() -> User | None:
    """In demo mode, until the visitor signs out: the demo's default account."""
    if st.session_state.get(_OUT) or not is_demo():
        return None
    user = accounts.get_user(city_store().engine, DEMO_DEFAULT)
    if user is None or user.disabled:
        return None
    record_now(city_store().engine, user.login, "login_ok", user.login, via="demo")
    _start(user.login)
    return user


def user_role(user: User) -> Role:
    """The user's role; a role the office has since removed from roles.csv stops the page."""
    roles = accounts.roles_of(vocab())
    if user.role not in roles:
        st.error(t("auth.no_role", lang(), login=plain(user.login), role=plain(user.role)))
        st.stop()
    return roles[user.role]


@st.cache_data(max_entries=4, show_spinner=False)
def _district_of(version: str, scope: str) -> dict[str, str | None]:
    """Street (or unit) code → its district, for a street (or unit) role's scope."""
    return accounts.districts_of(city_store(), scope)


def _login_form() -> None:
    code = lang()
    st.subheader(t("auth.title", code))
    if st.session_state.pop(_EXPIRED, False):
        st.info(t("auth.expired", code))
    if is_demo():
        st.info(t("demo.form_hint", code, password=DEMO_PASSWORD,
                  logins=", ".join(f"{login} ({accounts.role_of(vocab(), role).label(code)})"
                                   for login, _, role in DEMO_ACCOUNTS if role in accounts.roles_of(vocab()))))
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
        if result.outcome == "ok" and result.user.login in DEMO_LOGINS and not is_demo():
            st.error(t("auth.failed", code))  # a demo account outside the demo is no account
        elif result.outcome == "ok":
            _start(result.user.login)
            st.rerun()
        elif result.outcome == "locked":
            st.error(t("auth.locked", code, until=f"{result.until:%H:%M}"))
        else:
            st.error(t(f"auth.{result.outcome}", code))
    if sso_configured():
        st.button(t("auth.sso", code), on_click=st.login)


def gate() -> tuple[User, Role] | None:
    """The user of this run and his role; nobody: the sign-in form is drawn and None returned
    (the frame then stops before any page is drawn or any data read).

    Called by the frame before the navigation. Keeps the user's scope for ``current_scope``.
    """
    st.session_state.pop(NOW_KEY, None)  # nothing from an earlier run counts until decided again
    user = screen_user() or signed_in_user() or _demo_user()
    if user is None:
        _login_form()
        return None
    role = user_role(user)
    parents = _district_of(run_version(), role.scope) if not role.reads_all else {}
    st.session_state[NOW_KEY] = (user, role, accounts.scope_of(user, role, parents))
    return user, role


def current() -> tuple[User, Role]:
    """The user the frame's ``gate`` let in on this run, and his role."""
    ensure_frame()
    decided = st.session_state.get(NOW_KEY)
    if decided is None:  # no user decided: nobody
        st.stop()
    return decided[0], decided[1]


def _switch_demo() -> None:
    login = st.session_state.get("civmap_demo_account")
    # Demo accounts only, in the demo only: the switch is the one way in without a password.
    if login in DEMO_LOGINS and is_demo() and accounts.get_user(city_store().engine, login) is not None:
        record_now(city_store().engine, login, "login_ok", login, via="demo")
        _start(login)


def _sign_out() -> None:
    _start("")
    _forget()
    st.session_state[_OUT] = True  # in demo mode too: the form, not the default account again


def _area_names(role: Role) -> str:
    """The names of the area a limited role sees (its districts, streets or unit); "" for the city."""
    from civmap.ui.core import current_store, district_names

    if role.scope == "district":
        return "、".join(district_names().values())
    if role.scope == "street":
        streets = current_store().areas("street")
        return "、".join(streets[streets["code"].isin(current_store().scope.streets)]["name"])
    if role.scope == "unit":
        return "、".join(current_store().units()["name"])
    return ""


def area_label() -> str:
    """The area this run's user is limited to, named ("" for a role that reads the whole
    city): a district head on a phone sees whose figures these are without the sidebar."""
    return _area_names(current()[1])


def sidebar(user: User, role: Role) -> None:
    """The frame's part of the sidebar on every page: the demo badge and the switch between
    demo accounts (demo mode only), who is signed in, and signing out."""
    code = lang()
    with st.sidebar:
        if is_demo():
            st.badge(t("demo.badge", code), icon=":material/science:", color="orange")
            names = {login: f"{name} · {accounts.role_of(vocab(), r).label(code)}" for login, name, r in DEMO_ACCOUNTS
                     if r in accounts.roles_of(vocab())}
            if user.login in names:
                # Set from here on every run: the browser then redraws the choice in this run's
                # language (given only as the index, it kept the label of the language before).
                st.session_state["civmap_demo_account"] = user.login
                st.selectbox(t("demo.switch", code), list(names),
                             format_func=names.get, key="civmap_demo_account", on_change=_switch_demo,
                             help=t("demo.switch_help", code, password=DEMO_PASSWORD))
        area = _area_names(role)
        st.caption(t("auth.signed_in_area" if area else "auth.signed_in_as", code, name=plain(user.display_name),
                     role=plain(role.label(code)), area=plain(area)))
        if st.session_state.get(_SCREEN) is None:  # a screen has nobody to sign out
            st.button(t("auth.sign_out", code), key="civmap_sign_out", icon=":material/logout:", on_click=_sign_out)
