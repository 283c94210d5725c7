"""Checking a ledger row by row against the store, before anything is written.

Every row either becomes a ``Record`` of store values or gets one ``Issue`` per bad
field (its row number, the column as the file heads it, and why). Nothing is written
here: ``civmap.ledger.commit`` does that, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import difflib

import geopandas as gpd
import pandas as pd
import pyproj

from civmap.ledger import cells
from civmap.ledger.boundaries import check_boundaries
from civmap.ledger.commit import TABLE_OF, classify, existing_rows
from civmap.ledger.ids import check_ids
from civmap.ledger.issues import IssueLog
from civmap.ledger.limits import Limits
from civmap.ledger.locate import locate_rows
from civmap.ledger.model import Checked, ImportOptions, Record
from civmap.ledger.office import OFFICE_KINDS, check_office
from civmap.ledger.parse import RawLedger
from civmap.ledger.reference import Reference, load_reference, point_shapes
from civmap.ledger.rowread import CLEAR, DECIMALS, KEEP, POSITION_FIELDS, REQUIRED, RowReader, position_field
from civmap.storage.rows import text_limits
from civmap.storage.store import Store
from civmap.vocab import Vocabulary
from geo import SYSTEMS, WGS84, nearest_point, round_coordinates

__all__ = ["check_ledger", "NEAREST_POINT_M", "normalise_crs"]

#: A problem without a stated point is tied to the nearest assessment point this close.
NEAREST_POINT_M = 100.0
_GEOD = pyproj.Geod(ellps="WGS84")


def normalise_crs(crs: str) -> str:
    key = str(crs or "wgs84").lower().replace("-", "").replace("_", "")
    if key not in SYSTEMS:
        raise ValueError(f"unknown coordinate system {crs!r}; expected one of {', '.join(SYSTEMS)}")
    return key


def check_ledger(raw: RawLedger, store: Store, vocab: Vocabulary, crs: str = "wgs84",
                 today: dt.date | None = None, limits: Limits | None = None,
                 options: ImportOptions | None = None) -> Checked:
    """Check every row of ``raw`` and say what committing it would do.

    Parameters
    ----------
    raw : RawLedger
        From ``read_ledger``.
    store : Store
        Areas, units and points are read from it (within its scope), and the rows that
        already exist, to tell new rows from changed and unchanged ones.
    crs : {"wgs84", "gcj02", "bd09"}
        Where the coordinates were picked: GPS/Tianditu, AMap/Tencent, or Baidu.
    today : date, optional
        Findings after it are rejected (default: the store's ``as_of``).
    limits : Limits, optional
        How far ahead of ``today`` a deadline may lie (default: the settings' default).
    options : ImportOptions, optional
        Whether unknown units are created, the score rate that is up to standard, and the
        year of dates written without one.
    """
    crs = normalise_crs(crs)
    today = today or store.as_of()
    limits = limits or Limits()
    options = options or ImportOptions()
    if raw.kind == "boundaries":
        return check_boundaries(raw, store, crs)
    ref = load_reference(store, vocab, raw.kind)
    if raw.kind in OFFICE_KINDS:
        return check_office(raw, store, ref, today, limits.latest_date(today), options, _notes(raw, crs))
    log = IssueLog(raw)
    located = locate_rows(raw, crs, ref.districts, ref.streets, log)
    existing = existing_rows(store, raw.kind)
    check_ids({row: cells.text(value, fold=True) for row, value in raw.column("id").items()}, existing, log, "id")
    rows = raw.cells.to_dict("index")
    builders = {"points": _point_row, "alleys": _alley_row, "problems": _problem_row}
    pending: list[RowReader] = []
    lengths = text_limits(TABLE_OF[raw.kind])
    new_units: dict[str, dict] | None = {} if options.create_units else None
    for row_number, row_cells in rows.items():
        row = RowReader(raw, row_number, row_cells, log, ref, lengths, located, today, limits.latest_date(today),
                        options.year)
        row.new_units = new_units
        builders[raw.kind](row)
        pending.append(row)
    if raw.kind == "problems":
        _tie_to_points(pending, ref, raw)
    records = tuple(Record(r.number, str(r.values["id"]), r.values, r.defaults)
                    for r in pending if not log.is_bad(r.number))
    actions = {rec.key: classify(rec, existing.get(rec.key)) for rec in records}
    named = {rec.values.get("unit_code") for rec in records} | {rec.defaults.get("unit_code") for rec in records}
    created = tuple(unit for unit in (new_units or {}).values() if unit["code"] in named)
    return Checked(raw, crs, records, log.sorted(), actions, _notes(raw, crs), created)


def _notes(raw: RawLedger, crs: str) -> tuple[tuple[str, dict], ...]:
    notes = list(raw.notes)
    if raw.sheet is not None:
        notes.insert(0, ("note.sheet", {"sheet": raw.sheet, "row": raw.header_row}))
    if raw.ignored:
        notes.append(("note.ignored", {"columns": "、".join(raw.ignored)}))
    if crs != "wgs84":
        notes.append(("note.converted", {"crs": crs.upper()}))
    return tuple(notes)


def _kept(shape):
    """A row's shape to the ledger's precision (``DECIMALS``), as its lon/lat are kept."""
    return round_coordinates(shape, DECIMALS)


# -- the three kinds ----------------------------------------------------------------------
def _point_row(row: RowReader) -> None:
    row.text("id", KEEP)  # blank or repeated ids are found by check_ids
    row.text("name", REQUIRED)
    category = row.named("category", "point_categories", "category", REQUIRED)
    for field in ("community", "chief_name", "chief_phone", "address", "partner_unit"):
        row.text(field, CLEAR)
    row.named("unit_code", "unit", "unit", CLEAR)
    if row.text("authority", KEEP) is None and category is not None:
        authority = row.ref.vocab.point_categories.at[category, "authority"]
        row.defaults["authority"] = authority or None
    row.place()
    shape = row.shape()
    if shape is not None and shape.geom_type != "Point":
        row.values["shape"] = _kept(shape)


def _alley_row(row: RowReader) -> None:
    row.text("id", KEEP)  # blank or repeated ids are found by check_ids
    row.text("name", REQUIRED)
    if row.named("state", "alley_states", "state", KEEP) is None:
        row.defaults["state"] = _first(row.ref.vocab.alley_states)
    for field in ("chief_name", "chief_phone"):
        row.text(field, CLEAR)
    row.named("unit_code", "unit", "unit", CLEAR)
    length = row.numeric("length_m", KEEP)
    shape = row.shape()
    if shape is None or shape.geom_type not in ("LineString", "MultiLineString"):
        if not row.log.has(row.number, *POSITION_FIELDS):
            row.issue(position_field(row.raw), "need_line", "" if shape is None else shape.geom_type)
        return
    row.place()
    row.values["shape"] = _kept(shape)
    if length is None:
        row.values["length_m"] = round(float(_GEOD.geometry_length(shape)), 1)


def _problem_row(row: RowReader) -> None:
    row.text("id", KEEP)  # blank or repeated ids are found by check_ids
    row.text("description", REQUIRED)
    category = row.named("category", "problem_categories", "category", REQUIRED)
    if row.named("source", "problem_sources", "source", KEEP) is None:
        row.defaults["source"] = _first(row.ref.vocab.problem_sources)
    if row.named("status", "statuses", "status", KEEP) is None:
        row.defaults["status"] = row.ref.vocab.initial_status
    row.text("address", CLEAR)
    row.named("unit_code", "unit", "unit", KEEP)
    row.text("chief_name", KEEP)
    found = row.date("found_on", REQUIRED)
    deadline = row.date("deadline", KEEP, future=True)
    if found is not None and deadline is not None and deadline < found:
        row.issue("deadline", "deadline_before_found", deadline.isoformat(), found=found.isoformat())
    # The day the stated status was reached (a closing date): its event is dated then, not
    # at the import, so a ledger of past closings does not count them all as closed today.
    status_on = row.date("status_on", KEEP)
    if found is not None and status_on is not None and status_on < found:
        row.issue("status_on", "status_before_found", status_on.isoformat(), found=found.isoformat())
    if deadline is None and found is not None and category is not None:
        row.defaults["deadline"] = found + dt.timedelta(days=row.ref.vocab.time_limit_days(category))
    row.point = _stated_point(row)
    row.placed = row.place(required=row.point is None)


def _first(table: pd.DataFrame) -> str:
    return str(table.sort_values("order").index[0]) if "order" in table else str(table.index[0])



def _stated_point(row: RowReader) -> dict | None:
    """The assessment point a problem row names, by id or by (unique or nearest) name."""
    written = cells.text(row.cell("point_id"), fold=True)
    if written is None:
        return None
    ref = row.ref
    found = ref.names["point"].find(written)
    ids = [found] if found is not None else ref.point_ids_by_name.get(cells.text(row.cell("point_id")), [])
    if not ids:
        suggestions = difflib.get_close_matches(written, list(ref.point_ids_by_name), n=3)
        row.unknown("point_id", written, "point", suggestions)
        return None
    if len(ids) > 1:
        loc = row.located
        if not loc.given[row.number]:
            row.issue("point_id", "ambiguous_point", written)
            return None
        here = gpd.GeoSeries(gpd.points_from_xy([loc.lon[row.number]], [loc.lat[row.number]]), crs=WGS84)
        candidates = ref.points[ref.points["id"].isin(ids)]
        nearest = nearest_point(here, candidates.geometry, max_distance_m=50_000)
        if not nearest["matched"].iloc[0]:
            row.issue("point_id", "ambiguous_point", written)
            return None
        ids = [candidates.at[nearest["target"].iloc[0], "id"]]
    row.values["point_id"] = ids[0]
    return ref.point_rows[ids[0]]


def _tie_to_points(rows: list[RowReader], ref: Reference, raw: RawLedger) -> None:
    """Fill in what a problem's point tells: the nearest point when none is named, the
    position when the row gives none, and the point's unit and chief as defaults."""
    loose = [r for r in rows if r.point is None and r.placed and "lon" in r.values]
    if loose and len(ref.points):
        here = gpd.GeoSeries(gpd.points_from_xy([r.values["lon"] for r in loose], [r.values["lat"] for r in loose]),
                             crs=WGS84)
        nearest = nearest_point(here, point_shapes(ref.points), max_distance_m=NEAREST_POINT_M)
        for r, target, matched in zip(loose, nearest["target"], nearest["matched"]):
            if matched:
                r.point = ref.point_rows[ref.points.at[target, "id"]]
                r.defaults["point_id"] = r.point["id"]
    for r in rows:
        if r.point is None:
            continue
        if not r.placed and not r.log.has(r.number, *POSITION_FIELDS):
            if r.stated_district is not None and r.stated_district != r.point["district_code"]:
                r.issue("district_code", "district_mismatch", cells.text(r.cell("district_code")),
                        found=ref.district_name.get(r.point["district_code"], ""), where=r.point["name"])
            r.defaults.update(lon=r.point["lon"], lat=r.point["lat"], district_code=r.point["district_code"],
                              street_code=r.point["street_code"])
        for column in ("unit_code", "chief_name"):
            if column not in r.values and r.point[column] is not None:
                r.defaults[column] = r.point[column]
