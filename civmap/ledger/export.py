"""Taking the selection out: an Excel workbook (one sheet per layer and per office ledger,
and a printable supervision list), GeoJSON, and Open311 requests and service list, each
as JSON or XML (see ``civmap.ledger.open311``). ``export_as`` is the one place a format
name becomes a file, so the command line and the Import page cannot drift apart.

All coordinates are WGS-84 degrees. Every layer and ledger sheet (and the supervision
list, whose title rows the importer skips) imports again as a ledger and changes nothing,
and so does each layer of the GeoJSON. Text is stored as text, never as a formula
(``civmap.safecells``), however it starts.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from civmap import clock
from civmap.cases.files import read_file
from civmap.filters import Filters
from civmap.i18n import t
from civmap.ledger.columns import field_by_name
from civmap.ledger.geojson import export_geojson
from civmap.ledger.sheets import SHEET_KINDS, layer_tables, office_tables, sheet_names, supervision_frame
from civmap.safecells import keep_text
from civmap.storage.cases import latest_thumbs
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["export_workbook", "export_geojson", "export_as", "export_file_name", "FORMATS", "MEDIA_TYPES"]

#: Export formats; the ``open311*`` ones are GeoReport v2 requests and service list.
FORMATS = ("xlsx", "geojson", "open311", "open311-xml", "open311-services", "open311-services-xml")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "open311": "application/json",
    "open311-xml": "application/xml",
    "open311-services": "application/json",
    "open311-services-xml": "application/xml",
}
_SUFFIXES = {"xlsx": "xlsx", "geojson": "geojson", "open311": "open311.json", "open311-xml": "open311.xml",
             "open311-services": "open311-services.json", "open311-services-xml": "open311-services.xml"}
_HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")
_BOLD = Font(bold=True)
_THICK_TOP = Border(top=Side(style="medium"))
_WIDE = {"问题描述": 36, "名称": 22, "地址": 20, "几何(WKT)": 30, "责任单位": 22, "点位名称": 18}
_DATE_FORMAT = "yyyy-mm-dd"
#: Supervision-list columns printed; longitude and latitude follow, outside the print area.
_PRINTED = 13


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, first_row: int = 1):
    ws = wb.create_sheet(title)
    for col, header in enumerate(frame.columns, start=1):
        cell = ws.cell(row=first_row, column=col, value=str(header))
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        keep_text(cell)
        ws.column_dimensions[get_column_letter(col)].width = _WIDE.get(str(header), 12)
    for r, values in enumerate(frame.itertuples(index=False), start=first_row + 1):
        for c, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            cell = ws.cell(row=r, column=c, value=value.item() if hasattr(value, "item") else value)
            if isinstance(value, dt.date):
                cell.number_format = _DATE_FORMAT
            keep_text(cell)  # ledger text is never a formula
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if len(frame.columns):
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(frame.columns))}{first_row + len(frame)}"
    return ws


#: The supervision list's photo column: each overdue problem's newest photo, as a thumbnail.
_PHOTO_HEADER, _PHOTO_PX = "整改照片", 64


def _thumbnails(store: Store, problem_ids: pd.Series, photos_dir: Path | None) -> list[bytes | str | None]:
    """For each problem, its newest photo's thumbnail (bytes), a note when the file cannot
    be read (the row still prints), or None when it has no photo."""
    if photos_dir is None or problem_ids.empty:
        return [None] * len(problem_ids)
    found = latest_thumbs(store.engine, problem_ids.tolist())
    out: list[bytes | str | None] = []
    for problem_id in problem_ids:
        relative = found.get(problem_id)
        try:
            out.append(read_file(photos_dir, relative) if relative else None)
        except (OSError, ValueError):
            out.append(t("ledger.supervision.photo_missing", "zh", file=relative))
    return out


def _place_thumbnails(ws, thumbs: list[bytes | str | None], column: int, first_row: int) -> None:
    letter = get_column_letter(column)
    ws.column_dimensions[letter].width = 11
    for i, thumb in enumerate(thumbs):
        row = first_row + i
        if isinstance(thumb, str):
            keep_text(ws.cell(row=row, column=column, value=thumb))
        elif thumb:
            image = SheetImage(io.BytesIO(thumb))
            scale = _PHOTO_PX / max(image.width, image.height)
            image.width, image.height = round(image.width * scale), round(image.height * scale)
            ws.add_image(image, f"{letter}{row}")
            ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, _PHOTO_PX * 0.75 + 4)


def _supervision_sheet(wb: Workbook, frame: pd.DataFrame, as_of: dt.date, selection: str,
                       thumbs: list[bytes | str | None] | None = None) -> None:
    unit_header = "责任单位"
    units = frame[unit_header].fillna(t("ledger.supervision.unit_none", "zh"))
    ws = _sheet(wb, t("ledger.sheet.supervision", "zh"), frame, first_row=3)
    ws.auto_filter.ref = None
    width = get_column_letter(_PRINTED)
    ws["A1"] = t("ledger.supervision.title", "zh", date=as_of.isoformat())
    ws["A1"].font = Font(bold=True, size=16)
    ws["A2"] = t("ledger.supervision.subtitle", "zh", selection=selection, count=len(frame), units=units.nunique())
    for row in (1, 2):
        ws.merge_cells(f"A{row}:{width}{row}")
        ws[f"A{row}"].alignment = Alignment(horizontal="center", wrap_text=True)
    keep_text(ws["A2"])  # the selection names districts, which an office may have named anything
    ws.row_dimensions[2].height = 30
    for column in ("D", "E", "H"):  # description, category, address wrap within the page
        for cell in ws[column][3:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i in range(1, len(frame)):
        if units.iloc[i] != units.iloc[i - 1]:
            row = 3 + 1 + i
            ws.row_breaks.append(Break(id=row - 1))  # each unit starts a printed page
            for c in range(1, _PRINTED + 1):
                ws.cell(row=row, column=c).border = _THICK_TOP
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{width}{3 + len(frame)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if thumbs and any(thumbs):
        header = ws.cell(row=3, column=len(frame.columns) + 1, value=_PHOTO_HEADER)
        header.font, header.fill = _BOLD, _HEADER_FILL
        _place_thumbnails(ws, thumbs, len(frame.columns) + 1, 4)
    summary = (pd.DataFrame({unit_header: units, "days": frame[t("ledger.supervision.overdue_days", "zh")],
                             "district": frame["所属区"]})
               .groupby(unit_header, sort=False)
               .agg(count=("days", "size"), longest=("days", "max"),
                    districts=("district", lambda d: "、".join(sorted(set(d.dropna())))))
               .reset_index())
    summary.columns = [unit_header, t("ledger.supervision.count", "zh"), t("ledger.supervision.max_days", "zh"),
                       "所属区"]
    _sheet(wb, t("ledger.sheet.supervision_summary", "zh"), summary)


def export_workbook(store: Store, filters: Filters, vocab: Vocabulary, as_of: dt.date,
                    now: dt.datetime | None = None, photos_dir: Path | None = None) -> bytes:
    """The selection as an .xlsx workbook.

    Sheets: 测评点位, 背街小巷, 问题台账 (the layers), 责任单位, 重点点位圈, 测评结果
    (the office's units, key circles and inspection results; each sheet with Chinese
    headers, labels for codes, and re-importable as its kind), 督办清单 (overdue problems grouped by responsible unit, one unit per printed page,
    A4 landscape), 督办汇总 (count and longest delay per unit) and 说明 (what was
    exported, when, with which filters). With ``photos_dir`` the supervision list shows
    each problem's newest photo as a thumbnail beside its row, so a printed list carries
    the evidence.
    """
    now = now or clock.now()
    names = sheet_names(store)
    selection = filters.describe(vocab, names["district_code"], "zh")
    tables = layer_tables(store, filters, vocab, names) | office_tables(store, filters, vocab, names)
    wb = Workbook()
    wb.remove(wb.active)
    for kind in SHEET_KINDS:
        _sheet(wb, t(f"ledger.sheet.{kind}", "zh"), tables[kind])
    overdue_selection = filters.without_statuses().describe(vocab, names["district_code"], "zh")
    late = supervision_frame(store, filters, vocab, as_of, names)
    _supervision_sheet(wb, late, as_of, overdue_selection,
                       _thumbnails(store, late[field_by_name("problems", "id").header], photos_dir))
    about = wb.create_sheet(t("ledger.sheet.about", "zh"))
    lines = [(t("ledger.about.exported", "zh"), now.isoformat(sep=" ")),
             (t("ledger.about.selection", "zh"), selection),
             (t("ledger.about.crs", "zh"), t("ledger.about.crs_value", "zh"))]
    lines += [("", t("ledger.about.count", "zh", sheet=t(f"ledger.sheet.{kind}", "zh"), count=len(tables[kind])))
              for kind in SHEET_KINDS]
    lines.append(("", t("ledger.about.reimport", "zh")))
    for line in lines:
        about.append(list(line))
    for row in about.iter_rows():
        for cell in row:
            keep_text(cell)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 90
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_as(fmt: str, store: Store, filters: Filters, vocab: Vocabulary, as_of: dt.date,
              photos_dir: Path | None = None) -> bytes:
    """The selection in format ``fmt`` (one of ``FORMATS``); the service list ignores the
    selection, since it describes the categories, not the problems. ``photos_dir``: where
    the evidence photos are, for the thumbnails of the Excel supervision list."""
    from civmap.ledger.open311 import export_open311, export_open311_services

    if fmt == "xlsx":
        return export_workbook(store, filters, vocab, as_of, photos_dir=photos_dir)
    if fmt == "geojson":
        return export_geojson(store, filters)
    if fmt in ("open311", "open311-xml"):
        return export_open311(store, filters, vocab, as_of, xml=fmt.endswith("-xml"))
    if fmt in ("open311-services", "open311-services-xml"):
        return export_open311_services(vocab, xml=fmt.endswith("-xml"))
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")


def export_file_name(fmt: str, day: dt.date, tag: str = "") -> str:
    """The name a download is saved under: 创城台账-江城区-2024-06-01.xlsx and the like;
    ``tag`` says what it holds (``Filters.file_tag``)."""
    return f"{t('ledger.export.file_stem', 'zh')}-{tag + '-' if tag else ''}{day.isoformat()}.{_SUFFIXES[fmt]}"
