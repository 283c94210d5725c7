"""Reading a ledger file into rows of raw cells, with the row numbers its users see.

Spreadsheets (.xlsx/.xlsm/.xls/.ods through calamine, .csv) are read without a header;
the header row is then found as the row naming the most known columns, so merged
title rows above it ("XX区创城点位台账（2024年）") and a second header row beneath
grouped headings (坐标 → 经度 | 纬度) are both handled. Blank rows are dropped
wherever they are, and so are totals and signatures (合计, 填表人：…; see ``footers``).
Vector files (GeoJSON, a zipped Shapefile) keep their feature order; their geometries
are returned in WGS-84 degrees when the file says it is projected, otherwise as written
(a GCJ-02 file is still converted later, by the ``crs`` option).

Before anything is inflated the file's cost is checked against ``Limits`` (an archive's
declared sizes, a sheet's row count); a cell longer than any real spreadsheet allows is
cut short and its row reported bad, and a feature whose geometry cannot be read (an
unclosed ring) is reported on its row instead of failing the whole file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import python_calamine

from civmap.ledger.cells import is_blank
from civmap.ledger.columns import (
    field_by_name, fields_of, header_score, match_headers, required_groups,
)
from civmap.ledger.errors import LedgerError
from civmap.ledger.footers import without_footers
from civmap.ledger.limits import MAX_CELL_CHARS, Limits
from civmap.ledger.vector import check_zip, read_features, read_zipped_shapefile
from civmap.safecells import unquoted

__all__ = ["RawLedger", "read_ledger", "SPREADSHEET_SUFFIXES", "VECTOR_SUFFIXES", "SUFFIXES"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
VECTOR_SUFFIXES = (".geojson", ".json", ".zip")
SUFFIXES = SPREADSHEET_SUFFIXES + VECTOR_SUFFIXES
_HEADER_SEARCH_ROWS = 30
_ZIPPED = (".xlsx", ".xlsm", ".ods", ".zip")
_CALAMINE_ERRORS = (python_calamine.CalamineError, ValueError, OSError)


@dataclass(frozen=True)
class RawLedger:
    """A ledger's data rows as written, before any value is interpreted.

    ``cells`` has one column per file column (labelled by its header, made unique) and
    is indexed by the row number a user sees: the spreadsheet row, or the feature's
    position (1-based) in a vector file. ``columns`` maps field names to those labels.
    """

    kind: str
    name: str
    cells: pd.DataFrame
    columns: dict[str, str]
    ignored: tuple[str, ...] = ()
    sheet: str | None = None
    header_row: int | None = None
    geometry: pd.Series | None = None
    notes: tuple[tuple[str, dict], ...] = field(default=())
    #: (row, column label, length) of each cell cut short for being longer than a sheet allows.
    oversized: tuple[tuple[int, str, int], ...] = ()
    #: (row, reason) of each feature whose geometry could not be read at all.
    bad_shapes: tuple[tuple[int, str], ...] = ()
    #: Rows dropped as totals, signatures or notes (合计, 填表人：…), not data.
    skipped: tuple[int, ...] = ()

    def has(self, name: str) -> bool:
        return name in self.columns

    def column(self, name: str) -> pd.Series:
        """The raw cells of a field (all blank when the file has no such column)."""
        if name == "_geometry":
            return self.geometry if self.geometry is not None else pd.Series(None, index=self.cells.index)
        if name not in self.columns:
            return pd.Series(None, index=self.cells.index, dtype=object)
        return self.cells[self.columns[name]]

    def header(self, name: str, lang: str = "zh") -> str:
        """How the file headed a field, or civmap's own header when it has none."""
        if name in self.columns:
            return self.columns[name]
        # a geometry column is headed the same in every kind (boundaries have no WKT column)
        found = [f for f in (*fields_of(self.kind), *fields_of("points")) if f.name == name]
        if not found:
            return name
        return found[0].header if lang == "zh" else found[0].header_en


def read_ledger(data: bytes, name: str, kind: str, limits: Limits | None = None) -> RawLedger:
    """Read ``data`` (the bytes of a file called ``name``) as a ledger of ``kind``.

    Raises
    ------
    LedgerError
        When the file type is not supported, cannot be read, would cost more than
        ``limits`` allow, has no recognisable header row, or lacks a column every row
        needs (the message names it).
    """
    limits = limits or Limits()
    fields_of(kind)  # raises on an unknown kind
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise LedgerError("bad_suffix", suffix=suffix or name, allowed=" ".join(SUFFIXES))
    if kind == "boundaries" and suffix not in VECTOR_SUFFIXES:
        raise LedgerError("boundaries_need_vector")
    if suffix in _ZIPPED:
        check_zip(data, suffix, limits)
    else:
        limits.check_size(len(data), name)
    if suffix in VECTOR_SUFFIXES:
        raw = _read_vector(data, name, kind)
    else:
        raw = _read_table(data, name, kind, suffix, limits)
    _check_required(raw)
    return raw


# -- spreadsheets -------------------------------------------------------------------------
def _read_table(data: bytes, name: str, kind: str, suffix: str, limits: Limits) -> RawLedger:
    if suffix in (".csv", ".txt"):
        sheets = {None: _csv_frame(data, name, limits)}
    else:
        try:
            sheets = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, sheet_name=None,
                                   dtype=object, keep_default_na=False)  # a cell "NA" or "NULL" is text
        except _CALAMINE_ERRORS as error:
            raise LedgerError("unreadable", detail=str(error)[:200]) from None
        for sheet, frame in sheets.items():  # .xls and .ods rows are only known once read
            limits.check_rows(len(frame), str(sheet))
    best = None
    for sheet, frame in sheets.items():
        found = _find_header(frame, kind)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], sheet, frame, found[1], found[2])
    if best is None:
        raise LedgerError("no_header", expected=_expected(kind))
    _, sheet, frame, header_pos, headers = best
    start = header_pos + (2 if _is_two_row(frame, header_pos, kind) else 1)
    body = frame.iloc[start:]
    return without_footers(_build(kind, name, headers, body, sheet=sheet, header_row=header_pos + 1,
                                  index=body.index + 1))


def _csv_frame(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerError("bad_encoding")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # The csv module refuses fields over 131,072 characters with an error naming no row; a
    # field can be no longer than the text, and a long one is reported on its row later.
    if len(text) >= csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        if len(rows) >= limits.max_rows:
            limits.check_rows(len(rows) + 1 + sum(1 for _ in reader), name)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    # '=1+1 → =1+1: the apostrophe civmap's CSV writers put before a formula (civmap.safecells)
    return pd.DataFrame([[unquoted(c) for c in r] + [""] * (width - len(r)) for r in rows], dtype=object)


def _find_header(frame: pd.DataFrame, kind: str) -> tuple[int, int, list[str]] | None:
    """(score, row position, header texts) of the best header row in the first rows."""
    best = None
    for pos in range(min(_HEADER_SEARCH_ROWS, len(frame))):
        headers = _row_headers(frame, pos)
        score = header_score(kind, headers)
        if best is None or score > best[0]:
            best = (score, pos)
    if best is None or best[0] < 2:
        return None
    score, pos = best
    headers = _row_headers(frame, pos)
    if _is_two_row(frame, pos, kind):
        lower = _row_headers(frame, pos + 1)
        headers = [low or up for up, low in zip(headers, lower)]
        score = header_score(kind, headers)
    return score, pos, headers


def _row_headers(frame: pd.DataFrame, pos: int) -> list[str]:
    return ["" if is_blank(v) else str(v).strip() for v in frame.iloc[pos].tolist()]


def _is_two_row(frame: pd.DataFrame, pos: int, kind: str) -> bool:
    """Is the row below the header a second header row (经度 | 纬度 under a merged 坐标)?

    Only when every filled cell of it names a field, and at least one of them sits
    under a cell that names none: a data row always holds something that is no header.
    """
    if pos + 1 >= len(frame):
        return False
    upper = _row_headers(frame, pos)
    lower = _row_headers(frame, pos + 1)
    filled = [c for c, text in enumerate(lower) if text]
    if not filled:
        return False
    upper_found, _ = match_headers(kind, upper)
    upper_cols = set(upper_found.values())
    for col in filled:
        if not match_headers(kind, [lower[col]])[0]:
            return False
    return any(col not in upper_cols for col in filled)


# -- vector files -------------------------------------------------------------------------
def _read_vector(data: bytes, name: str, kind: str) -> RawLedger:
    if name.lower().endswith(".zip"):
        frame, unreadable = read_zipped_shapefile(data)
    else:
        try:
            frame, unreadable = read_features(lambda: io.BytesIO(data))
        except UnicodeDecodeError as error:
            raise LedgerError("unreadable", detail=str(error)[:200]) from None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")  # projected (e.g. CGCS2000 Gauss-Krüger) → degrees
    notes: list[tuple[str, dict]] = []
    if "layer" in frame.columns:
        # civmap's own GeoJSON holds every layer (boundaries too); keep the one being imported.
        # A file none of whose features is of that layer is left whole: its "layer" is its own.
        mine = frame["layer"].astype(str).eq(kind)
        if mine.any() and not mine.all():
            notes.append(("note.other_layers", {"count": int((~mine).sum())}))
            frame = frame[mine]
    frame = frame.dropna(axis=1, how="all")  # e.g. the other layers' properties
    frame = frame.reset_index(drop=False)
    positions = frame.pop("index") + 1
    bad_shapes = tuple((int(row), unreadable[row - 1]) for row in positions if row - 1 in unreadable)
    geometry = pd.Series(frame.geometry.to_numpy(), index=positions.to_numpy())
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    attributes = attributes.where(attributes.notna(), None)
    attributes.columns = range(attributes.shape[1])
    headers = [str(c) for c in frame.columns if c != frame.geometry.name]
    raw = _build(kind, name, headers, attributes, index=positions.to_numpy(), keep_blank=True)
    return replace(raw, geometry=geometry.loc[raw.cells.index], notes=raw.notes + tuple(notes),
                   bad_shapes=bad_shapes)


# -- shared -------------------------------------------------------------------------------
def _build(kind: str, name: str, headers: list[str], body: pd.DataFrame, *, index, sheet=None,
           header_row=None, keep_blank: bool = False) -> RawLedger:
    labels = _unique(headers)
    cells = pd.DataFrame(body.to_numpy(dtype=object), index=pd.Index(index, name="row"), columns=labels)
    oversized = _cut_oversized(cells)
    blank = cells.map(is_blank)
    if not keep_blank:  # blank trailing rows, blank rows between blocks
        cells = cells[~blank.all(axis=1)]
    cells = cells[[label for label, header in zip(labels, headers) if header or not blank[label].all()]]
    found, unknown = match_headers(kind, [headers[labels.index(c)] for c in cells.columns])
    columns = {field_name: cells.columns[pos] for field_name, pos in found.items()}
    ignored = tuple(str(cells.columns[pos]) for pos in unknown)
    return RawLedger(kind=kind, name=name, cells=cells, columns=columns, ignored=ignored, sheet=sheet,
                     header_row=header_row, oversized=oversized)


def _cut_oversized(cells: pd.DataFrame) -> tuple[tuple[int, str, int], ...]:
    """Cut each cell longer than a spreadsheet allows to its start, in place; say where.

    Keeping such a cell whole would carry it through the checks, the preview and the page's
    cache; its row is rejected anyway, and the start is enough to recognise it.
    """
    found = []
    for position, label in enumerate(cells.columns):
        values = cells.iloc[:, position]
        long = values.map(lambda v: isinstance(v, str) and len(v) > MAX_CELL_CHARS)
        for row in values.index[long.to_numpy(dtype=bool)]:
            text = values.at[row]
            found.append((int(row), str(label), len(text)))
            cells.iat[cells.index.get_loc(row), position] = text[:24] + "…"
    return tuple(found)


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers):
        label = header or f"({position + 1})"
        if label in seen:
            seen[label] += 1
            label = f"{label}.{seen[label]}"
        else:
            seen[label] = 0
        out.append(label)
    return out


def _expected(kind: str) -> str:
    return "、".join(f.header for f in fields_of(kind)[:6])


def _check_required(raw: RawLedger) -> None:
    present = set(raw.columns) | ({"wkt"} if raw.geometry is not None else set())
    for group in required_groups(raw.kind):
        if not present & set(group):
            headers = " / ".join(field_by_name(raw.kind, n).header for n in group)
            raise LedgerError("missing_column", column=headers, found="、".join(map(str, raw.cells.columns)))
    if raw.cells.empty:
        raise LedgerError("no_rows")

