"""What the map says about each feature, once: its popup fields and the page's detail panel.

A layer's table is its frame with the display columns added (labels in the UI language,
the district's name, days overdue) and the ``Field`` list that names them. ``layers.js``
shows the fields in a popup; ``feature_details`` shows the same fields beside the map
for the feature a user picked, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from civmap.figures import overdue_days, overdue_mask
from civmap.i18n import t
from civmap.maps.batches import Field
from civmap.vocab import Vocabulary

__all__ = ["alley_table", "circle_table", "feature_details", "labelled", "point_table", "problem_table"]


def labelled(frame: pd.DataFrame, column: str, labels: dict[str, str]) -> pd.Series:
    return frame[column].map(labels).fillna(frame[column])


def point_table(points, vocab: Vocabulary, lang: str, district_names: dict[str, str]):
    frame = points.assign(
        category_label=labelled(points, "category", vocab.labels("point_categories", lang)),
        district_label=points["district_code"].map(district_names),
        standard_label=points["up_to_standard"].map({True: t("value.yes", lang), False: t("value.no", lang)}),
    )
    fields = [Field(t("field.id", lang), "id"), Field(t("field.category", lang), "category_label", "dict"),
              Field(t("field.district", lang), "district_label", "dict"),
              Field(t("field.community", lang), "community", "dict"),
              Field(t("field.chief", lang), "chief_name"), Field(t("field.unit", lang), "unit_name", "dict"),
              Field(t("field.authority", lang), "authority", "dict"), Field(t("field.address", lang), "address"),
              Field(t("field.inspected_on", lang), "inspected_on"), Field(t("field.score", lang), "score_rate", "pct"),
              Field(t("field.standard", lang), "standard_label", "dict")]
    return frame, fields


def circle_table(circles, vocab: Vocabulary, lang: str, district_names: dict[str, str], radius_m: float):
    frame = circles.assign(kind_label=labelled(circles, "kind", vocab.labels("centre_kinds", lang)),
                           district_label=circles["district_code"].map(district_names),
                           radius=radius_m)
    fields = [Field(t("field.id", lang), "id"), Field(t("field.kind", lang), "kind_label", "dict"),
              Field(t("field.district", lang), "district_label", "dict"), Field(t("field.chief", lang), "chief_name"),
              Field(t("field.unit", lang), "unit_name", "dict"), Field(t("field.radius", lang), "radius", "num")]
    return frame, fields


def alley_table(alleys, vocab: Vocabulary, lang: str, district_names: dict[str, str]):
    frame = alleys.assign(state_label=labelled(alleys, "state", vocab.labels("alley_states", lang)),
                          district_label=alleys["district_code"].map(district_names),
                          category_label=vocab.label("point_categories", "back_alley", lang))
    fields = [Field(t("field.id", lang), "id"), Field(t("field.category", lang), "category_label", "dict"),
              Field(t("field.state", lang), "state_label", "dict"),
              Field(t("field.district", lang), "district_label", "dict"), Field(t("field.chief", lang), "chief_name"),
              Field(t("field.unit", lang), "unit_name", "dict"), Field(t("field.length", lang), "length_m", "num")]
    return frame, fields


def problem_table(problems, vocab: Vocabulary, lang: str, district_names: dict[str, str], as_of: dt.date):
    """Problems with their overdue state (``overdue``: a bool column the map styles by)."""
    overdue = overdue_mask(problems, vocab, as_of)
    frame = problems.assign(
        status_label=labelled(problems, "status", vocab.labels("statuses", lang)),
        category_label=labelled(problems, "category", vocab.labels("problem_categories", lang)),
        district_label=problems["district_code"].map(district_names),
        where=problems["point_name"].fillna("") + " " + problems["address"].fillna(""),
        days_overdue=overdue_days(problems, as_of).where(overdue),
        overdue=overdue,
    )
    fields = [Field(t("field.id", lang), "id"), Field(t("field.category", lang), "category_label", "dict"),
              Field(t("field.where", lang), "where"), Field(t("field.district", lang), "district_label", "dict"),
              Field(t("field.found_on", lang), "found_on"), Field(t("field.deadline", lang), "deadline"),
              Field(t("field.status", lang), "status_label", "dict"),
              Field(t("field.overdue_days", lang), "days_overdue", "num"),
              Field(t("field.unit", lang), "unit_name", "dict"), Field(t("field.chief", lang), "chief_name")]
    return frame, fields


def _shown(value, kind: str) -> str | None:
    """A cell as the popup shows it (``layers.js`` ``cell``): blank cells are left out."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if kind == "pct":
        return f"{float(value) * 100:.1f}%"
    if kind == "num":
        number = float(value)
        return f"{number:g}" if number != int(number) else f"{int(number)}"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def feature_details(frame: pd.DataFrame, fields: list[Field], feature_id: str,
                    title: str = "name") -> tuple[str, list[tuple[str, str]]] | None:
    """The picked feature's title and its (label, text) lines; None when it is not in ``frame``.

    The id comes from a click or a URL, so it is matched as text and an unknown one is
    simply not found (the page says so), never an error.
    """
    rows = frame[frame["id"].astype(str) == str(feature_id)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    lines = [(f.label, text) for f in fields if f.column in row.index
             and (text := _shown(row[f.column], f.kind)) is not None]
    heading = _shown(row[title], "text") if title in row.index else None
    return heading or str(feature_id), lines
