"""Reading one ledger row into store values, collecting an issue for each bad field.

A field is read under a *policy*: ``REQUIRED`` (blank is an issue), ``CLEAR`` (blank
clears the stored value) or ``KEEP`` (blank keeps the stored value on update, and the
insert takes a default). Where the row lies comes from ``civmap.ledger.locate``; the
stated district must agree with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from civmap.ledger import cells
from civmap.ledger.limits import EARLIEST_DATE
from civmap.ledger.locate import Located, outside_city, position_field
from civmap.ledger.reference import Reference

__all__ = ["RowReader", "REQUIRED", "CLEAR", "KEEP", "POSITION_FIELDS", "DECIMALS", "position_field"]

REQUIRED, CLEAR, KEEP = "required", "clear", "keep"
#: Fields that are codes, not prose: full-width letters and digits in them are folded.
_CODES = ("id", "chief_phone")
#: Stored coordinates keep 7 decimals (about 1 cm), as the demo city does.
DECIMALS = 7


class RowReader:
    """One row being read: its values, its insert-only defaults, and where it lies."""

    def __init__(self, raw, number, row_cells, log, ref: Reference, lengths: dict[str, int], located: Located,
                 today, latest: dt.date | None = None, year: int | None = None):
        self.raw, self.number, self.row_cells, self.log, self.ref = raw, number, row_cells, log, ref
        #: Column → the longest text the store keeps there (``civmap.storage.rows.text_limits``).
        self.lengths = lengths
        self.located, self.today, self.latest = located, today, latest
        #: The year of dates written without one (``ImportOptions.year``); None rejects them.
        self.year = year
        self.values: dict = {}
        self.defaults: dict = {}
        self.stated_district: str | None = None
        self.point: dict | None = None  # problems: the assessment point it belongs to
        self.key: str | None = None     # units, circles, inspections: the key the store matches by
        #: Units to create for names the store does not know (name → units row), or None
        #: to reject such a row (``ImportOptions.create_units``); shared by a ledger's rows.
        self.new_units: dict[str, dict] | None = None
        self.placed = False

    def cell(self, field: str):
        label = self.raw.columns.get(field)
        return None if label is None else self.row_cells.get(label)

    def issue(self, field: str, code: str, value="", **params) -> None:
        self.log.add(self.number, field, code, value, **params)

    def set(self, field: str, value, policy: str) -> None:
        if value is not None:
            self.values[field] = value
        elif policy == REQUIRED:
            self.issue(field, "missing")
        elif policy == CLEAR and self.raw.has(field):
            self.values[field] = None

    def text(self, field: str, policy: str) -> str | None:
        value = cells.text(self.cell(field), fold=field in _CODES)
        limit = self.lengths.get(field)
        if value is not None and limit and len(value) > limit:
            self.issue(field, "too_long", value[:24] + "…", limit=limit)
            return None
        self.set(field, value, policy)
        return value

    def named(self, field: str, names_kind: str, what: str, policy: str) -> str | None:
        """A vocabulary label or code, a district or a unit: matched to its code."""
        written = cells.text(self.cell(field))
        if written is None:
            self.set(field, None, policy)
            return None
        names = self.ref.names[names_kind]
        code = names.find(written)
        if code is None and names_kind == "unit" and self.new_units is not None:
            code = self.new_units.setdefault(written, new_unit(written))["code"]
        if code is None:
            self.unknown(field, written, what, names.suggest(written))
            return None
        self.values[field] = code
        return code

    def unknown(self, field, written, what, suggestions) -> None:
        if suggestions:
            self.issue(field, "unknown_suggest", written, what=what, suggest="、".join(suggestions))
        else:
            self.issue(field, "unknown", written, what=what)

    def date(self, field: str, policy: str, future: bool = False) -> dt.date | None:
        """A day; unless ``future``, one after today is rejected (a finding not yet made).

        Days before 1949-10-01, or (``future``) after ``latest``, are impossible in a
        ledger: a typo such as 0001 or 9999-12-31 would sort and count as a real date.
        A day without a year (3月5日) takes ``self.year``; without one the issue says how
        to give it, taking this year as the example.
        """
        try:
            value = cells.date(self.cell(field), self.year)
        except cells.CellError as error:
            if error.code == "no_year":
                self.issue(field, "no_year", error.value, year=self.today.year)
            else:
                self.issue(field, "bad_date", error.value)
            return None
        if value is not None and value < EARLIEST_DATE:
            self.issue(field, "date_too_early", value.isoformat(), earliest=EARLIEST_DATE.isoformat())
            return None
        if value is not None and not future and value > self.today:
            self.issue(field, "future_date", value.isoformat(), today=self.today.isoformat())
            return None
        if value is not None and self.latest is not None and value > self.latest:
            years = self.latest.year - self.today.year
            self.issue(field, "date_too_late", value.isoformat(), latest=self.latest.isoformat(), years=years)
            return None
        self.set(field, value, policy)
        return value

    def numeric(self, field: str, policy: str) -> float | None:
        try:
            value = cells.number(self.cell(field))
        except cells.CellError as error:
            self.issue(field, "bad_number", error.value)
            return None
        self.set(field, value, policy)
        return value

    # -- where the row is ---------------------------------------------------------------
    def place(self, required: bool = True) -> bool:
        """Set lon/lat, district and street from the row's position; False if it has none."""
        loc, n = self.located, self.number
        stated = cells.text(self.cell("district_code"))
        stated_code = None
        if stated is not None:
            stated_code = self.ref.names["district"].find(stated)
            if stated_code is None:
                self.unknown("district_code", stated, "district", self.ref.names["district"].suggest(stated))
        self.stated_district = stated_code
        if not loc.given[n]:
            if required and not self.log.has(n, *POSITION_FIELDS):
                self.issue(position_field(self.raw), "missing_coords")
            return False
        lon, lat = float(loc.lon[n]), float(loc.lat[n])
        found = loc.district[n]
        where = loc.written[n]
        if pd.isna(found):
            code = "outside_city" if outside_city(lon, lat, self.ref.districts) else "no_district"
            self.issue(position_field(self.raw), code, where)
            return True
        if stated_code is not None and stated_code != found:
            self.issue("district_code", "district_mismatch", stated, found=self.ref.district_name.get(found, found),
                       where=where)
            return True
        self.values.update(lon=round(lon, DECIMALS), lat=round(lat, DECIMALS), district_code=found)
        self._street(found, loc.street[n])
        return True

    def _street(self, district: str, contained) -> None:
        written = cells.text(self.cell("street_code"))
        streets = self.ref.streets_by_district.get(district)
        if written is None:
            inside = not pd.isna(contained) and self.ref.street_parent.get(contained) == district
            self.values["street_code"] = contained if inside else None
            return
        code = streets.find(written) if streets else None
        if code is not None:
            self.values["street_code"] = code
            return
        elsewhere = [c for d, names in self.ref.streets_by_district.items() if d != district
                     for c in [names.find(written)] if c]
        if elsewhere:
            district_name = self.ref.district_name.get(district, district)
            self.issue("street_code", "street_not_in_district", written, district=district_name)
        else:
            self.unknown("street_code", written, "street", streets.suggest(written) if streets else [])

    def shape(self):
        shape = self.located.geometry.get(self.number)
        return None if shape is None or (isinstance(shape, float) and np.isnan(shape)) else shape


POSITION_FIELDS = ("lon", "lat", "coords", "wkt", "start", "end")


def new_unit(name: str) -> dict:
    """The units row made for a unit a ledger names and the store does not know: a city-level
    unit of kind ``other``, until the office's units ledger says more about it."""
    return {"code": unit_code_for(name), "name": name, "kind": "other", "district_code": None,
            "street_code": None, "head_name": None, "head_phone": None}


def unit_code_for(name: str) -> str:
    """A stable code for a unit named without one: the same name always gets the same code,
    so re-importing a ledger updates the unit instead of adding another."""
    return "U" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8].upper()
