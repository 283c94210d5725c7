"""Accounts in the store: add, list, disable, change password or role. Every change is
written with its audit row in one transaction, by a named actor (a user's login, or
``civmap.audit.operator()`` for the command line)."""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, select, update

from civmap import clock
from civmap.storage import schema as s
from civmap.accounts.hashing import hash_password
from civmap.accounts.roles import Role, role_of
from civmap.accounts.users import User, check_display_name, check_login
from civmap.audit import record
from civmap.storage.engine import write_transaction
from civmap.vocab import Vocabulary

__all__ = ["Area", "get_user", "list_users", "add_user", "set_disabled", "set_password", "set_role",
           "user_by_identity"]

U = s.users


class Area:
    """A role's area as given by an operator: district codes, street codes, or a unit code."""

    def __init__(self, districts=(), streets=(), unit: str | None = None):
        self.districts = tuple(dict.fromkeys(d.strip() for d in districts if d.strip()))
        self.streets = tuple(dict.fromkeys(d.strip() for d in streets if d.strip()))
        self.unit = (unit or "").strip() or None

    def columns(self) -> dict:
        return {"district_codes": " ".join(self.districts), "street_codes": " ".join(self.streets),
                "unit_code": self.unit}


def _checked_area(conn, role: Role, area: Area) -> Area:
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
    if role.scope == "unit":
        known = set(conn.execute(select(s.units.c.code).where(s.units.c.code.in_(codes))).scalars())
    else:
        known = set(conn.execute(select(s.areas.c.code).where(s.areas.c.code.in_(codes),
                                                              s.areas.c.level == role.scope)).scalars())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"{needed[role.scope]}: no {role.scope} {', '.join(unknown)} in this store")
    return area


def get_user(engine: Engine, login: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(U).where(U.c.login == login)).mappings().one_or_none()
    return None if row is None else User.from_row(row)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(select(U).order_by(U.c.login)).mappings().all()
    return [User.from_row(row) for row in rows]


def user_by_identity(engine: Engine, sub: str | None, email: str | None) -> User | None:
    """The account of a single sign-on identity: by its subject, else by its e-mail address."""
    with engine.connect() as conn:
        if sub:
            row = conn.execute(select(U).where(U.c.sso_sub == sub)).mappings().one_or_none()
            if row is not None:
                return User.from_row(row)
        if email:
            rows = conn.execute(select(U).where(func.lower(U.c.sso_email) == email.strip().lower())).mappings().all()
            if len(rows) == 1:  # two accounts on one address: neither, rather than a guess
                return User.from_row(rows[0])
    return None


def _existing(conn, login: str) -> dict:
    row = conn.execute(select(U).where(U.c.login == login)).mappings().one_or_none()
    if row is None:
        raise ValueError(f"login: no account {login!r}")
    return dict(row)


def add_user(engine: Engine, vocab: Vocabulary, actor: str, login: str, display_name: str, role: str,
             area: Area = Area(), password: str | None = None, sso_sub: str | None = None,
             sso_email: str | None = None) -> User:
    """Create an account; ValueError naming the field when anything is wrong, and nothing written."""
    login, display_name = check_login(login), check_display_name(display_name)
    the_role = role_of(vocab, role)
    hashed = hash_password(password) if password is not None else None
    if hashed is None and not (sso_sub or sso_email) and not the_role.may("screen"):
        raise ValueError("password: an account needs a password or a single sign-on identity (--sso-sub/--sso-email)")
    with write_transaction(engine) as conn:
        if conn.execute(select(U.c.login).where(U.c.login == login)).first() is not None:
            raise ValueError(f"login: {login!r} is taken")
        if sso_sub and conn.execute(select(U.c.login).where(U.c.sso_sub == sso_sub)).first() is not None:
            raise ValueError(f"--sso-sub: {sso_sub!r} already belongs to another account")
        area = _checked_area(conn, the_role, area)
        at = clock.now()
        conn.execute(insert(U).values(login=login, display_name=display_name, role=the_role.code, disabled=False,
                                      password_hash=hashed, sso_sub=sso_sub or None, sso_email=sso_email or None,
                                      failed_logins=0, created_at=at, changed_at=at, **area.columns()))
        record(conn, actor, "user_add", login, at=at, role=the_role.code, **_area_detail(area))
    return get_user(engine, login)


def _area_detail(area: Area) -> dict:
    return {k: v for k, v in (("districts", list(area.districts)), ("streets", list(area.streets)),
                              ("unit", area.unit)) if v}


def set_disabled(engine: Engine, actor: str, login: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; a disabled one cannot sign in, its history stays."""
    with write_transaction(engine) as conn:
        _existing(conn, login)
        conn.execute(update(U).where(U.c.login == login).values(disabled=disabled, changed_at=clock.now()))
        record(conn, actor, "user_disable" if disabled else "user_enable", login)


def set_password(engine: Engine, actor: str, login: str, password: str) -> None:
    """A new password (hashed); it also lifts a lock-out."""
    hashed = hash_password(password)
    with write_transaction(engine) as conn:
        _existing(conn, login)
        conn.execute(update(U).where(U.c.login == login).values(password_hash=hashed, failed_logins=0,
                                                                 failed_at=None, changed_at=clock.now()))
        record(conn, actor, "user_password", login)


def set_role(engine: Engine, vocab: Vocabulary, actor: str, login: str, role: str, area: Area = Area()) -> User:
    """Give an account another role and area; it takes effect at the user's next page."""
    the_role = role_of(vocab, role)
    with write_transaction(engine) as conn:
        old = _existing(conn, login)
        area = _checked_area(conn, the_role, area)
        conn.execute(update(U).where(U.c.login == login).values(role=the_role.code, changed_at=clock.now(),
                                                                 **area.columns()))
        before = User.from_row(old)
        record(conn, actor, "role_change", login, from_role=before.role, to_role=the_role.code,
               from_area=list(before.districts + before.streets + ((before.unit_code,) if before.unit_code else ())),
               **_area_detail(area))
    return get_user(engine, login)
