"""Who sees what: the part of the city a store may read and write.

A ``Scope`` names districts, streets and one responsible unit; an empty field does not
limit, so ``Scope()`` (``WHOLE_CITY``) is the whole city. ``personal=False`` blanks the
columns that name or reach a person (``PERSONAL_COLUMNS``) in every read, for a role that
must not see them (the wall): redacted where the data is read, not where it is shown. Every ``Store`` read applies its
scope in SQL, intersected with the user's ``Filters``; writes refuse rows outside it.
The value is frozen and hashable, so caches can be keyed by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = ["Scope", "WHOLE_CITY", "NOTHING", "PERSONAL_COLUMNS"]

#: A code no row has (longer than any code column holds, and plain text, which PostgreSQL
#: requires: it refuses NUL): a scope whose parts do not meet sees nothing (not everything).
NOTHING = "<no area: the scope's parts do not meet>"

#: Store columns holding a person's name or contact details, or a person's words: blanked
#: by a scope without ``personal``.
PERSONAL_COLUMNS = ("head_name", "head_phone", "chief_name", "chief_phone", "inspector", "actor", "note")


@dataclass(frozen=True)
class Scope:
    """District codes, street codes and a responsible unit's code; empty = no limit."""

    districts: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    unit: str = ""
    personal: bool = True

    @property
    def whole_city(self) -> bool:
        return not (self.districts or self.streets or self.unit)

    def narrowed(self, districts: Iterable[str]) -> "Scope":
        """This scope, further limited to ``districts`` (none at all: nothing)."""
        wanted = tuple(sorted(set(districts))) or (NOTHING,)
        return self & Scope(districts=wanted)

    def __and__(self, other: "Scope") -> "Scope":
        unit = self.unit or other.unit
        if self.unit and other.unit and self.unit != other.unit:
            unit = NOTHING
        return Scope(_meet(self.districts, other.districts), _meet(self.streets, other.streets), unit,
                     self.personal and other.personal)

    def admits(self, row: Mapping) -> bool:
        """Whether a row with these ``district_code``/``street_code``/``unit_code`` values lies
        inside; a column the row does not have does not limit it."""
        for column, allowed in (("district_code", self.districts), ("street_code", self.streets),
                                ("unit_code", (self.unit,) if self.unit else ())):
            if allowed and column in row and row[column] not in allowed:
                return False
        return True


WHOLE_CITY = Scope()


def _meet(one: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    if not one or not other:
        return one or other
    return tuple(sorted(set(one) & set(other))) or (NOTHING,)
