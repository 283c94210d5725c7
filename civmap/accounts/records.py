"""Accounts in the store: add, list, disable, change password or role. Every change is
written with its audit row in one transaction, by a named actor (a user's login, or
``civmap.audit.operator()`` for the command line)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civmap import clock
from civmap.accounts.hashing import hash_password
from civmap.accounts.roles import Role, role_of
from civmap.accounts.users import User, check_display_name, check_login
from civmap.audit import entry
from civmap.storage import accounts as stored
from civmap.vocab import Vocabulary

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["Area", "get_user", "list_users", "add_user", "set_disabled", "set_password", "set_role",
           "user_by_identity"]


class Area:
    """A role's area as given by an operator: district codes, street codes, or a unit code."""

    def __init__(self, districts=(), streets=(), unit: str | None = None):
        self.districts = tuple(dict.fromkeys(d.strip() for d in districts if d.strip()))
        self.streets = tuple(dict.fromkeys(d.strip() for d in streets if d.strip()))
        self.unit = (unit or "").strip() or None

    def columns(self) -> dict:
        return {"district_codes": " ".join(self.districts), "street_codes": " ".join(self.streets),
                "unit_code": self.unit}


def _checked_area(engine: Engine, role: Role, area: Area) -> Area:
    """The area a role of this scope needs, every code known to the store; ValueError naming
    the field otherwise."""
    given = {"district": area.districts, "street": area.streets, "unit": (area.unit,) if area.unit else ()}
    needed = {"district": "--district", "street": "--street", "unit": "--unit"}
    for scope, codes in given.items():
        if codes and scope != role.scope:
            raise ValueError(f"{needed[scope]}: role {role.code!r} reads {role.scope!r}; give no {scope} for it")
    if role.scope == "city":
        return area
    codes = given[role.scope]
    if not codes:
        raise ValueError(f"{needed[role.scope]}: role {role.code!r} needs at least one {role.scope} code")
    known = stored.known_codes(engine, role.scope, codes)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"{needed[role.scope]}: no {role.scope} {', '.join(unknown)} in this store")
    return area


def get_user(engine: Engine, login: str) -> User | None:
    row = stored.user_row(engine, login)
    return None if row is None else User.from_row(row)


def list_users(engine: Engine) -> list[User]:
    return [User.from_row(row) for row in stored.user_rows(engine)]


def user_by_identity(engine: Engine, sub: str | None, email: str | None) -> User | None:
    """The account of a single sign-on identity: by its subject, else by its e-mail address."""
    by_sub, by_email = stored.users_by_identity(engine, sub, email)
    if by_sub:
        return User.from_row(by_sub[0])
    if len(by_email) == 1:  # two accounts on one address: neither, rather than a guess
        return User.from_row(by_email[0])
    return None


def _change(engine: Engine, login: str, change) -> dict:
    old = stored.change_user(engine, login, change)
    if old is None:
        raise ValueError(f"login: no account {login!r}")
    return old


def add_user(engine: Engine, vocab: Vocabulary, actor: str, login: str, display_name: str, role: str,
             area: Area = Area(), password: str | None = None, sso_sub: str | None = None,
             sso_email: str | None = None) -> User:
    """Create an account; ValueError naming the field when anything is wrong, and nothing written."""
    login, display_name = check_login(login), check_display_name(display_name)
    the_role = role_of(vocab, role)
    hashed = hash_password(password) if password is not None else None
    if hashed is None and not (sso_sub or sso_email) and not the_role.may("screen"):
        raise ValueError("password: an account needs a password or a single sign-on identity (--sso-sub/--sso-email)")
    area = _checked_area(engine, the_role, area)
    at = clock.now()
    stored.insert_user(engine, dict(login=login, display_name=display_name, role=the_role.code, disabled=False,
                                    password_hash=hashed, sso_sub=sso_sub or None, sso_email=sso_email or None,
                                    failed_logins=0, created_at=at, changed_at=at, **area.columns()),
                       [entry(actor, "user_add", login, at=at, role=the_role.code, **_area_detail(area))])
    return get_user(engine, login)


def _area_detail(area: Area) -> dict:
    return {k: v for k, v in (("districts", list(area.districts)), ("streets", list(area.streets)),
                              ("unit", area.unit)) if v}


def set_disabled(engine: Engine, actor: str, login: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; a disabled one cannot sign in, its history stays."""
    _change(engine, login, lambda row: ({"disabled": disabled, "changed_at": clock.now()},
                                        [entry(actor, "user_disable" if disabled else "user_enable", login)]))


def set_password(engine: Engine, actor: str, login: str, password: str) -> None:
    """A new password (hashed); it also lifts a lock-out."""
    hashed = hash_password(password)
    _change(engine, login, lambda row: ({"password_hash": hashed, "failed_logins": 0, "failed_at": None,
                                         "changed_at": clock.now()}, [entry(actor, "user_password", login)]))


def set_role(engine: Engine, vocab: Vocabulary, actor: str, login: str, role: str, area: Area = Area()) -> User:
    """Give an account another role and area; it takes effect at the user's next page."""
    the_role = role_of(vocab, role)
    area = _checked_area(engine, the_role, area)

    def change(row: dict):
        before = User.from_row(row)
        return ({"role": the_role.code, "changed_at": clock.now(), **area.columns()},
                [entry(actor, "role_change", login, from_role=before.role, to_role=the_role.code,
                       from_area=list(before.districts + before.streets + ((before.unit_code,) if before.unit_code
                                                                           else ())), **_area_detail(area))])

    _change(engine, login, change)
    return get_user(engine, login)
