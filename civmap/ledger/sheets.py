"""The layers and the office's own ledgers (units, circles, inspection results) as ledger
sheets: Chinese headers, labels instead of codes, WGS-84 degrees.

Headers are the ``Field.header`` of ``civmap.ledger.columns``, so every sheet built here
is itself a ledger ``read_ledger`` accepts; a few columns for reading only (点位名称,
最近测评得分率) have headers the importer ignores.
"""

from __future__ import annotations

import pandas as pd
import shapely

from civmap.figures import overdue_days, overdue_mask
from civmap.filters import Filters
from civmap.i18n import t
from civmap.ledger.columns import VOCABULARY_OF, field_by_name
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["LedgerTables", "layer_tables", "office_tables", "supervision_frame", "sheet_names", "LAYER_COLUMNS",
           "OFFICE_COLUMNS", "SHEET_KINDS"]

#: (store column, field name) per layer, in sheet order; field None = informational column.
LAYER_COLUMNS = {
    "points": ("id", "name", "category", "district_code", "street_code", "community", "lon", "lat", "wkt",
               "chief_name", "chief_phone", "unit_code", "authority", "partner_unit", "address"),
    "alleys": ("id", "name", "district_code", "street_code", "state", "length_m", "lon", "lat", "wkt",
               "chief_name", "chief_phone", "unit_code"),
    "problems": ("id", "description", "category", "source", "status", "status_on", "district_code", "street_code",
                 "point_id", "point_name", "address", "found_on", "deadline", "unit_code", "chief_name", "lon", "lat"),
}
#: The office's reference ledgers, likewise; none has a geometry of its own.
OFFICE_COLUMNS = {
    "units": ("code", "name", "district_code", "street_code", "kind", "head_name", "head_phone"),
    "circles": ("id", "name", "centre_point_id", "kind"),
    "inspections": ("point_id", "date", "score_rate", "up_to_standard", "inspector"),
}
#: Every importable sheet of the workbook, in sheet order.
SHEET_KINDS = (*LAYER_COLUMNS, *OFFICE_COLUMNS)
_INFO = {"point_name": "ledger.supervision.point_name"}
_DATES = ("found_on", "deadline", "date", "status_on")
#: 是否达标 as written: the words ``civmap.ledger.office.yes_no`` reads first.
_YES_NO = {True: "是", False: "否"}


def _wkt(shapes: pd.Series) -> pd.Series:
    """Shapes as the 几何(WKT) cells of a sheet, every digit kept (None: no shape)."""
    values = shapes.to_numpy(dtype=object)
    return pd.Series([shapely.to_wkt(g, rounding_precision=-1) if isinstance(g, shapely.Geometry) else None
                      for g in values], index=shapes.index, dtype=object)


class LedgerTables(dict):
    """layer name → sheet DataFrame (headers in Chinese), plus the selection's problems."""


def _labelled(frame: pd.DataFrame, layer: str, vocab: Vocabulary, names: dict[str, dict],
              columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``columns`` of ``frame`` (default: the layer's sheet) under their Chinese headers,
    codes shown as labels and names, dates as dates."""
    out = pd.DataFrame(index=frame.index)
    for column in columns or {**LAYER_COLUMNS, **OFFICE_COLUMNS}[layer]:
        values = frame[column] if column in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        kind = VOCABULARY_OF.get((layer, column))
        if kind:
            values = values.map(vocab.labels(kind, "zh")).fillna(values)
        elif column in names:
            values = values.map(names[column]).where(values.notna(), None)
        if column in _DATES:
            values = pd.to_datetime(values).dt.date
        elif column == "up_to_standard":
            values = values.map(lambda v: _YES_NO[bool(v)] if pd.notna(v) else None)
        header = t(_INFO[column], "zh") if column in _INFO else field_by_name(layer, column).header
        out[header] = values.astype(object).where(values.notna(), None)
    return out.reset_index(drop=True)


def sheet_names(store: Store) -> dict[str, dict]:
    """Code → name of the areas and units the sheets show: read once per export."""
    from civmap.ledger import display_names

    names = display_names(store)
    return {k: names[k] for k in ("district_code", "street_code", "unit_code")}


def layer_tables(store: Store, filters: Filters, vocab: Vocabulary, names: dict[str, dict]) -> LedgerTables:
    """The selection's points, alleys and problems as ledger sheets (``names``: ``sheet_names``)."""
    points = pd.DataFrame(store.points(filters)).sort_values("id")
    points["wkt"] = _wkt(points["shape"])
    alleys = pd.DataFrame(store.alleys(filters)).sort_values("id")
    alleys["wkt"] = _wkt(alleys["geometry"])
    problems = pd.DataFrame(store.problems(filters)).sort_values("id")
    problems["status_on"] = problems["status_since"]  # exported as the day the status was reached
    tables = LedgerTables(
        points=_labelled(points, "points", vocab, names),
        alleys=_labelled(alleys, "alleys", vocab, names),
        problems=_labelled(problems, "problems", vocab, names),
    )
    return tables


def office_tables(store: Store, filters: Filters, vocab: Vocabulary, names: dict[str, dict]) -> LedgerTables:
    """The units, circles and inspection results of the selection as ledger sheets.

    A unit is in the selection when it belongs to a selected district or to none (a
    city bureau answers in every district); a circle and an inspection follow their
    point (the circle's centre), as the map does. Score rates stay shares (0.92): the
    importer reads a number up to 1 as a share, so the sheet imports again unchanged.
    """
    units = store.units()
    if filters.districts:
        units = units[units["district_code"].isna() | units["district_code"].isin(filters.districts)]
    circles = pd.DataFrame(store.circles(filters)).sort_values("id")
    inspections = store.inspections(filters).sort_values(["point_id", "date"])
    return LedgerTables(
        units=_labelled(units.sort_values("code"), "units", vocab, names),
        circles=_labelled(circles, "circles", vocab, names),
        inspections=_labelled(inspections, "inspections", vocab, names),
    )


def supervision_frame(store: Store, filters: Filters, vocab: Vocabulary, as_of, names: dict[str, dict]) -> pd.DataFrame:
    """Overdue problems of the selection (whatever its status filter: overdue is itself a
    status test), by responsible unit, longest overdue first, as a ledger sheet with a
    序号 restarting for each unit and the days overdue."""
    problems = pd.DataFrame(store.problems(filters.without_statuses()))
    late = problems[overdue_mask(problems, vocab, as_of)].copy()
    late["days"] = overdue_days(late, as_of)
    late["unit_sort"] = late["unit_name"].fillna("\uffff")
    late = late.sort_values(["unit_sort", "days", "id"], ascending=[True, False, True])
    columns = ("unit_code", "id", "description", "category", "district_code", "street_code", "address", "found_on",
               "deadline", "status", "chief_name")
    body = _labelled(late, "problems", vocab, names, columns)
    body.insert(0, t("ledger.supervision.seq", "zh"), late.groupby("unit_sort").cumcount().to_numpy() + 1)
    body[t("ledger.supervision.overdue_days", "zh")] = late["days"].to_numpy()
    body[field_by_name("problems", "lon").header] = late["lon"].to_numpy()
    body[field_by_name("problems", "lat").header] = late["lat"].to_numpy()
    return body
