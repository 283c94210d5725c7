"""From a user to the part of the city his store may read: the one place a role becomes a ``Scope``.

The page frame asks here once per run and hands every read a store ``within`` that scope,
so a map, a figure, a list, an export or a URL cannot reach past it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from civmap.accounts.roles import Role
from civmap.accounts.users import User
from civmap.storage.scope import NOTHING, Scope

if TYPE_CHECKING:
    from civmap.storage import Store

__all__ = ["scope_of", "districts_of"]


def scope_of(user: User, role: Role, district_of: Mapping[str, str | None]) -> Scope:
    """The ``Scope`` of ``user`` with ``role``.

    Parameters
    ----------
    district_of
        Street code (street roles) or responsible unit code (unit roles) → its district's
        code: street staff see their streets inside their streets' districts, a unit its
        problems inside its district (a city-level unit: any district), so the district
        lists offer those districts and no others.

    A role of a limited scope with no area given sees nothing, never the whole city.
    """
    personal = role.may("personal_data")
    codes = user.area_codes(role) or (NOTHING,)
    if role.scope == "city":
        return Scope(personal=personal)
    if role.scope == "district":
        return Scope(districts=tuple(sorted(codes)), personal=personal)
    if role.scope == "street":
        districts = {district_of.get(code) for code in codes}
        return Scope(districts=tuple(sorted(d for d in districts if d)) or (NOTHING,), streets=tuple(sorted(codes)),
                     personal=personal)
    district = district_of.get(codes[0])
    return Scope(districts=(district,) if district else (), unit=codes[0], personal=personal)


def districts_of(store: Store, scope: str) -> dict[str, str | None]:
    """For a ``street`` or ``unit`` role scope: each street's (or unit's) district code, read
    from the whole-city ``store`` (``scope_of``'s ``district_of``); {} for other scopes."""
    if scope == "street":
        streets = store.areas("street")
        return dict(zip(streets["code"], streets["parent_code"]))
    if scope == "unit":
        units = store.units()
        return {code: (district if isinstance(district, str) and district else None)
                for code, district in zip(units["code"], units["district_code"])}
    return {}
