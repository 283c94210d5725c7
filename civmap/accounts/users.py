"""A user as the rest of civmap sees one: who, which role, which area; never a password.

The area is plain codes (districts, streets or one responsible unit); the role's scope says
which of them counts. ``covers`` is the one test of whether a problem lies in a user's area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from civmap.accounts.roles import Role

__all__ = ["User", "covers", "check_login", "check_display_name"]

_MAX_NAME = 64


@dataclass(frozen=True)
class User:
    login: str
    display_name: str
    role: str
    districts: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    unit_code: str | None = None
    disabled: bool = False
    sso_sub: str | None = None
    sso_email: str | None = None
    has_password: bool = False

    @classmethod
    def from_row(cls, row: Mapping) -> "User":
        return cls(login=row["login"], display_name=row["display_name"], role=row["role"],
                   districts=tuple((row["district_codes"] or "").split()),
                   streets=tuple((row["street_codes"] or "").split()), unit_code=row["unit_code"] or None,
                   disabled=bool(row["disabled"]), sso_sub=row["sso_sub"], sso_email=row["sso_email"],
                   has_password=row["password_hash"] is not None)

    def area_codes(self, role: Role) -> tuple[str, ...]:
        """The codes the role's scope reads: districts, streets, the unit, or () for the city."""
        return {"district": self.districts, "street": self.streets,
                "unit": (self.unit_code,) if self.unit_code else ()}.get(role.scope, ())


def covers(user: User, role: Role, problem: Mapping) -> bool:
    """Whether ``problem`` (a mapping with district_code, street_code, unit_code) is in the
    user's area: the one place a role's scope is tested against a problem."""
    if role.code != user.role:
        raise ValueError(f"role {role.code!r} is not user {user.login!r}'s role {user.role!r}")
    column = {"district": "district_code", "street": "street_code", "unit": "unit_code"}.get(role.scope)
    if column is None:
        return True
    return problem.get(column) in user.area_codes(role)


def _check_name(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValueError(f"{field}: must not be empty")
    if len(text) > _MAX_NAME:
        raise ValueError(f"{field}: at most {_MAX_NAME} characters (got {len(text)})")
    if any(ch.isspace() and ch != " " or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError(f"{field}: {text!r} holds a control character")
    return text


def check_login(value: str) -> str:
    """A login name: 1–64 characters, no spaces or control characters (it is typed at sign-in)."""
    text = _check_name(value, "login")
    if " " in text:
        raise ValueError(f"login: {text!r} must not contain spaces")
    return text


def check_display_name(value: str) -> str:
    return _check_name(value, "display name")
