"""A checked ledger shown to people: preview, bad rows, the rejects file, a summary.

The page and the command line both use these, so they say the same about the same file.
The rejects file holds each bad row as the file had it, after two columns saying where
it was and why; fixed up, it can be imported again as it is (those columns are ignored).
"""

from __future__ import annotations

import pandas as pd
import shapely

from civmap.i18n import t
from civmap.ledger.columns import VOCABULARY_OF, fields_of
from civmap.ledger.commit import CommitResult
from civmap.ledger.model import ACTIONS, Checked
from civmap.safecells import csv_text
from civmap.vocab import Vocabulary

__all__ = ["issues_frame", "rejects_frame", "rejects_csv", "preview_frame", "summary_text", "committed_text",
           "notes_text", "PREVIEW_COLUMNS"]

PREVIEW_COLUMNS = {
    "points": ("id", "name", "category", "district_code", "street_code", "lon", "lat", "chief_name", "unit_code",
               "address"),
    "alleys": ("id", "name", "state", "district_code", "street_code", "length_m", "lon", "lat", "unit_code"),
    "problems": ("id", "description", "category", "source", "status", "district_code", "street_code", "point_id",
                 "found_on", "deadline", "unit_code", "lon", "lat"),
    "boundaries": ("code", "name", "level", "parent_code"),
    "units": ("code", "name", "kind", "district_code", "street_code", "head_name", "head_phone"),
    "circles": ("id", "name", "centre_point_id", "kind"),
    "inspections": ("point_id", "date", "score_rate", "up_to_standard", "inspector"),
}

#: Skipped rows named in the summary; a sheet of many 小计 rows would otherwise fill it.
_SKIPPED_SHOWN = 10


def _header(kind: str, name: str, lang: str) -> str:
    for field in fields_of(kind):
        if field.name == name:
            return field.header if lang == "zh" else field.header_en
    return name


def issues_frame(checked: Checked, lang: str = "zh") -> pd.DataFrame:
    """One line per problem found: row number, column, the value written, and why."""
    columns = [t(f"ledger.col.{c}", lang) for c in ("row", "field", "value", "reason")]
    rows = [(i.row, i.header, i.value, i.reason(lang)) for i in checked.issues]
    return pd.DataFrame(rows, columns=columns)


def rejects_frame(checked: Checked, lang: str = "zh") -> pd.DataFrame:
    """Every bad row as the file had it, after its row number and its reasons."""
    raw = checked.raw
    reasons: dict[int, list[str]] = {}
    for issue in checked.issues:
        reasons.setdefault(issue.row, []).append(f"{issue.header}: {issue.reason(lang)}")
    rows = sorted(reasons)
    body = raw.cells.loc[rows].copy() if rows else raw.cells.iloc[0:0].copy()
    if raw.geometry is not None:
        shapes = raw.geometry.loc[rows] if rows else raw.geometry.iloc[0:0]
        body["几何(WKT)" if lang == "zh" else "Geometry (WKT)"] = [
            None if g is None else shapely.to_wkt(g, rounding_precision=-1) for g in shapes]
    body.insert(0, t("ledger.col.reasons", lang), ["；".join(reasons[r]) for r in rows])
    body.insert(0, t("ledger.col.source_row", lang), rows)
    return body.reset_index(drop=True)


def rejects_csv(checked: Checked, lang: str = "zh") -> bytes:
    """The rejects file: UTF-8 with a byte-order mark, so Excel shows the Chinese right.

    Text that would start a formula gets the apostrophe ``civmap.safecells`` adds, which
    the importer drops again: the file re-imports as the ledger had it.
    """
    return csv_text(rejects_frame(checked, lang)).encode("utf-8-sig")


def preview_frame(checked: Checked, vocab: Vocabulary, names: dict[str, dict[str, str]], lang: str = "zh",
                  limit: int | None = None) -> pd.DataFrame:
    """The good rows as they will be stored, with labels instead of codes.

    ``names`` maps ``district_code``, ``street_code``, ``unit_code`` (and ``parent_code``)
    to {code: name}. Inserted rows show their defaults (a blank status as 待交办);
    updated rows show only what the ledger sets.
    """
    kind = checked.kind
    wanted = PREVIEW_COLUMNS[kind]
    action_label = {a: t(f"ledger.action.{a}", lang) for a in ACTIONS}
    records = checked.records[:limit] if limit else checked.records
    lines = []
    for record in records:
        action = checked.actions.get(record.key, "insert")
        values = record.for_insert() if action == "insert" else record.values
        line = {t("ledger.col.row", lang): record.row, t("ledger.col.action", lang): action_label[action]}
        for column in wanted:
            value = values.get(column)
            vocab_kind = VOCABULARY_OF.get((kind, column))
            if value is not None and vocab_kind:
                value = vocab.label(vocab_kind, value, lang)
            elif value is not None and column in names:
                value = names[column].get(value, value)
            elif column == "level" and value is not None:
                value = t(f"ledger.level.{value}", lang)
            elif isinstance(value, bool):
                value = t("value.yes" if value else "value.no", lang)
            line[_header(kind, column, lang)] = value
        lines.append(line)
    frame = pd.DataFrame(lines)
    # A text the ledger leaves blank reads blank, not "None" (numbers keep their empty cells).
    text = frame.select_dtypes(include=["object", "string"]).columns
    frame[text] = frame[text].astype(object).where(frame[text].notna(), "")
    return frame


def summary_text(checked: Checked, lang: str = "zh") -> str:
    """Rows read, good and rejected; then, when there are any, removals, units to create and
    the total and signature rows skipped (so a user sees why the count is not the sheet's)."""
    counts = checked.summary()
    text = t("ledger.summary", lang, **counts)
    if counts["remove"]:
        text += t("ledger.summary.remove", lang, remove=counts["remove"])
    if checked.new_units:
        text += t("ledger.summary.new_units", lang, count=len(checked.new_units),
                  names=t("list.sep", lang).join(u["name"] for u in checked.new_units))
    skipped = checked.raw.skipped
    if skipped:
        rows = t("list.sep", lang).join(map(str, skipped[:_SKIPPED_SHOWN]))
        text += t("ledger.summary.skipped", lang, count=len(skipped),
                  rows=rows + ("…" if len(skipped) > _SKIPPED_SHOWN else ""))
    return text


def committed_text(result: CommitResult, lang: str = "zh") -> str:
    """What a commit did, as the page and the command line both say it."""
    text = t("ledger.committed", lang, inserted=result.inserted, updated=result.updated,
             unchanged=result.unchanged, rejected=result.rejected, events=result.events)
    if result.removed:
        text += t("ledger.committed.removed", lang, removed=result.removed)
    if result.units_created:
        text += t("ledger.committed.units", lang, count=len(result.units_created),
                  names=t("list.sep", lang).join(result.units_created))
    return text


def notes_text(checked: Checked, lang: str = "zh") -> list[str]:
    return [t(f"ledger.{code}", lang, **params) for code, params in checked.notes]
