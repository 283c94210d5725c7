"""Checking the office's own reference ledgers: responsible units, key point-circles and
inspection results (测评结果).

They need no coordinates: a unit belongs to a district or street (or the city), a circle
to its centre point, an inspection to its point. Each row is read with the same
``RowReader`` as the layers, so a bad cell gets the same row, column and reason, and a
good row becomes a ``Record`` keyed as the store keys it (a unit by its code, a circle by
its id, an inspection by its point and day).
"""

from __future__ import annotations

import datetime as dt

from civmap.ledger import cells
from civmap.ledger.commit import TABLE_OF, classify, existing_rows
from civmap.storage.rows import inspection_ref, text_limits
from civmap.ledger.ids import check_ids
from civmap.ledger.issues import IssueLog
from civmap.ledger.model import Checked, ImportOptions, Record
from civmap.ledger.parse import RawLedger
from civmap.ledger.reference import Reference
from civmap.ledger.rowread import CLEAR, KEEP, REQUIRED, RowReader, unit_code_for
from civmap.storage.store import Store

__all__ = ["OFFICE_KINDS", "check_office", "yes_no", "score_rate"]

OFFICE_KINDS = ("units", "circles", "inspections")
_YES = {"是", "达标", "合格", "yes", "y", "true", "1", "√", "✓", "是的", "删除", "撤销"}
_NO = {"否", "不达标", "不合格", "no", "n", "false", "0", "×", "✗", "未达标"}


def yes_no(value) -> bool | None:
    """是/否 (and the other ways offices write it); None when blank; ValueError otherwise."""
    written = cells.text(value, fold=True)
    if written is None:
        return None
    key = written.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(written)


def score_rate(value) -> float | None:
    """A score rate as a share of 1: 92, 0.92 and 92% are all 0.92; ValueError if impossible."""
    written = cells.text(value, fold=True)
    if written is None:
        return None
    percent = written.endswith("%")
    number = cells.number(written[:-1] if percent else written)
    if number is None:
        raise ValueError(written)
    share = number / 100 if percent or number > 1 else number
    if not 0 <= share <= 1:
        raise ValueError(written)
    return round(share, 4)


def check_office(raw: RawLedger, store: Store, ref: Reference, today: dt.date, latest: dt.date | None,
                 options: ImportOptions, notes: tuple) -> Checked:
    """Check a units, circles or inspections ledger (``raw.kind``) against the store."""
    log = IssueLog(raw)
    existing = existing_rows(store, raw.kind)
    lengths = text_limits(TABLE_OF[raw.kind])
    readers = []
    for number, row_cells in raw.cells.to_dict("index").items():
        row = RowReader(raw, number, row_cells, log, ref, lengths, None, today, latest, options.year)
        {"units": _unit_row, "circles": _circle_row, "inspections": _inspection_row}[raw.kind](row, options)
        readers.append(row)
    # A row whose key could not be read has its issue already; check the others' keys.
    keys = {r.number: r.key for r in readers if r.key is not None or not log.is_bad(r.number)}
    if raw.kind == "units":
        stored = {row["code"] for row in existing.values()}
        check_ids(keys, stored, log, "code" if raw.has("code") else "name")
    elif raw.kind == "circles":
        check_ids(keys, existing, log, "id")
        _one_circle_per_centre(readers, existing, log)
    else:
        check_ids(keys, existing, log, "point_id")
    records = tuple(Record(r.number, r.key, r.values, r.defaults) for r in readers if not log.is_bad(r.number))
    actions = {rec.key: _action(rec, existing.get(rec.key)) for rec in records}
    return Checked(raw, "wgs84", records, log.sorted(), actions, notes)


def _action(record: Record, old: dict | None) -> str:
    if record.values.get("remove"):
        return "remove" if old is not None else "same"
    return classify(record, old)


# -- the three kinds --------------------------------------------------------------------------
def _unit_row(row: RowReader, options: ImportOptions) -> None:
    name = row.text("name", REQUIRED)
    code = row.text("code", KEEP)
    if code is None and name is not None:
        code = row.ref.names["unit"].find(name) or unit_code_for(name)
    row.key = code
    if code is not None:
        row.values["code"] = code
    _unit_area(row)
    if row.named("kind", "unit_kinds", "unit_kind", KEEP) is None:
        row.defaults["kind"] = "street" if row.values.get("street_code") else (
            "district" if row.values.get("district_code") else "bureau")
    for field in ("head_name", "head_phone"):
        row.text(field, CLEAR)


def _unit_area(row: RowReader) -> None:
    """The unit's district and street: either column may name either (blank: city level)."""
    ref = row.ref
    district, street = (cells.text(row.cell(f)) for f in ("district_code", "street_code"))
    district_code = street_code = None
    if district is not None:
        district_code = ref.names["district"].find(district)
        if district_code is None:
            street_code = ref.names["street"].find(district)  # a street written in the district column
            if street_code is None:
                row.unknown("district_code", district, "district", ref.names["district"].suggest(district))
                return
            district_code = ref.street_parent.get(street_code)
    if street is not None:
        names = ref.streets_by_district.get(district_code) if district_code else ref.names["street"]
        found = names.find(street) if names else None
        if found is None:
            row.unknown("street_code", street, "street", names.suggest(street) if names else [])
            return
        street_code, district_code = found, ref.street_parent.get(found, district_code)
    if row.raw.has("district_code") or row.raw.has("street_code"):
        row.values.update(district_code=district_code, street_code=street_code)


def _circle_row(row: RowReader, options: ImportOptions) -> None:
    ref = row.ref
    row.key = row.text("id", KEEP)
    try:
        remove = bool(yes_no(row.cell("remove")))
    except ValueError as error:
        row.issue("remove", "bad_yes_no", str(error))
        return
    if remove:
        row.values["remove"] = True
        return
    centre = _known_point(row, "centre_point_id")
    if row.text("name", KEEP) is None and centre is not None:
        row.defaults["name"] = f"{ref.point_rows[centre]['name']}点位圈"
    kind = row.named("kind", "centre_kinds", "centre_kind", KEEP)
    if kind is None and centre is not None and not row.log.has(row.number, "kind"):
        implied = ref.vocab.centre_kind_of(ref.point_rows[centre]["category"])
        if implied is None:
            row.issue("kind", "missing")
        else:
            row.defaults["kind"] = implied


def _known_point(row: RowReader, field: str) -> str | None:
    """The assessment point ``field`` names by id (required); its id, or None with the issue."""
    written = cells.text(row.cell(field), fold=True)
    point = row.ref.names["point"].find(written) if written else None
    if written is None:
        row.issue(field, "missing")
    elif point is None:
        row.unknown(field, written, "point", [])
    else:
        row.values[field] = point
    return point


def _one_circle_per_centre(readers: list[RowReader], existing: dict[str, dict], log: IssueLog) -> None:
    """A point anchors at most one circle: another circle's stored centre, or an earlier row's."""
    removed = {r.key for r in readers if r.values.get("remove")}
    taken = {row["centre_point_id"]: key for key, row in existing.items() if key not in removed}
    for r in readers:
        centre = r.values.get("centre_point_id")
        if centre is None or log.is_bad(r.number):
            continue
        holder = taken.setdefault(centre, r.key)
        if holder != r.key:
            log.add(r.number, "centre_point_id", "centre_taken", centre, circle=holder)


def _inspection_row(row: RowReader, options: ImportOptions) -> None:
    point = _known_point(row, "point_id")
    day = row.date("date", REQUIRED)
    row.key = inspection_ref(point, day) if point is not None and day is not None else None
    if row.key is not None:
        row.values["ref"] = row.key
    try:
        rate = score_rate(row.cell("score_rate"))
    except ValueError as error:
        row.issue("score_rate", "bad_score", str(error))
        rate = None
    if rate is not None:
        row.values["score_rate"] = rate
    elif not row.log.has(row.number, "score_rate"):
        row.issue("score_rate", "missing")
    try:
        met = yes_no(row.cell("up_to_standard"))
    except ValueError as error:
        row.issue("up_to_standard", "bad_yes_no", str(error))
        return
    if met is None and rate is not None:
        met = rate >= options.standard_score
    if met is not None:
        row.values["up_to_standard"] = met
    row.text("inspector", CLEAR)

