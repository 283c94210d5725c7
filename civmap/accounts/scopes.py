"""From a user to the part of the city his store may read: the one place a role becomes a ``Scope``.

The page frame asks here once per run and hands every read a store ``within`` that scope,
so a map, a figure, a list, an export or a URL cannot reach past it.
"""

from __future__ import annotations

from typing import Mapping

from civmap.accounts.roles import Role
from civmap.accounts.users import User
from civmap.storage.scope import NOTHING, Scope

__all__ = ["scope_of"]


def scope_of(user: User, role: Role, district_of_street: Mapping[str, str | None]) -> Scope:
    """The ``Scope`` of ``user`` with ``role``.

    Parameters
    ----------
    district_of_street
        Street code → its district's code; street staff see their streets, inside their
        streets' districts (so the district lists offer those districts and no others).

    A role of a limited scope with no area given sees nothing, never the whole city.
    """
    personal = role.may("personal_data")
    codes = user.area_codes(role) or (NOTHING,)
    if role.scope == "city":
        return Scope(personal=personal)
    if role.scope == "district":
        return Scope(districts=tuple(sorted(codes)), personal=personal)
    if role.scope == "street":
        districts = {district_of_street.get(code) for code in codes}
        return Scope(districts=tuple(sorted(d for d in districts if d)) or (NOTHING,), streets=tuple(sorted(codes)),
                     personal=personal)
    return Scope(unit=codes[0], personal=personal)
