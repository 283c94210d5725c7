"""A plan as a task list (整治任务清单): one row per place with something to fix.

Rows hold codes and numbers (what the place shows, who answers for it, a suggested
deadline); :func:`task_workbook` words them in the UI language and writes the Excel file.

Suggested deadline: the earliest of, for each open problem, its own deadline when still
ahead, else today plus its category's time limit (处置时限); a place that is only below
standard gets ``RENOVATION_DAYS``. Never later than the day before the assessment (国测),
nor earlier than today.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from civmap.i18n import t
from civmap.planning.inputs import PlanningData
from civmap.safecells import keep_text
from civmap.vocab import Vocabulary

__all__ = ["RENOVATION_DAYS", "task_rows", "task_workbook"]

RENOVATION_DAYS = 30
_COLUMNS = ("place", "kind", "district", "fix", "unit", "chief", "phone", "deadline", "code")
_WIDTHS = {"place": 24, "fix": 60, "unit": 24, "deadline": 14}


def _deadline(problems: pd.DataFrame, below: bool, vocab: Vocabulary, as_of: dt.date, latest: dt.date) -> dt.date:
    days = []
    for category, deadline in zip(problems["category"], problems["deadline"]):
        deadline = pd.to_datetime(deadline).date() if pd.notna(deadline) else None
        if deadline is not None and deadline >= as_of:
            days.append(deadline)
        else:
            limit = vocab.time_limit_days(category) if category in vocab.problem_categories.index else RENOVATION_DAYS
            days.append(as_of + dt.timedelta(days=limit))
    if below or not days:
        days.append(as_of + dt.timedelta(days=RENOVATION_DAYS))
    return max(as_of, min(min(days), latest))


def task_rows(places: pd.DataFrame, closing: pd.DataFrame, data: PlanningData, vocab: Vocabulary,
              assessment_date: dt.date) -> pd.DataFrame:
    """One row per place of the plan that is below standard or has open problems.

    ``places`` and ``closing`` are a what-if's ``places`` and ``problems``. Columns:
    ``place_type``, ``place_id``, ``name``, ``category``, ``district_code``, ``below``,
    ``score_rate``, ``problems`` (``{category: count}``), ``overdue``, ``unit_name``,
    ``chief_name``, ``chief_phone``, ``deadline``; worst first (overdue, open, below).
    """
    facts = data.facts.merge(places, on=["place_type", "place_id"], how="inner")
    latest = max(data.as_of, assessment_date - dt.timedelta(days=1))
    by_place = {key: group for key, group in closing.groupby(["place_type", "place_id"])}
    rows = []
    for fact in facts.itertuples(index=False):
        problems = by_place.get((fact.place_type, fact.place_id), closing.iloc[:0])
        if not fact.below and problems.empty:
            continue
        rows.append({"place_type": fact.place_type, "place_id": fact.place_id, "name": fact.name,
                     "category": fact.category, "district_code": fact.district_code, "below": bool(fact.below),
                     "score_rate": fact.score_rate, "problems": dict(Counter(problems["category"])),
                     "overdue": int(problems["overdue"].sum()) if "overdue" in problems else 0,
                     "unit_name": fact.unit_name, "chief_name": fact.chief_name, "chief_phone": fact.chief_phone,
                     "deadline": _deadline(problems, bool(fact.below), vocab, data.as_of, latest)})
    table = pd.DataFrame(rows, columns=["place_type", "place_id", "name", "category", "district_code", "below",
                                        "score_rate", "problems", "overdue", "unit_name", "chief_name", "chief_phone",
                                        "deadline"])
    if table.empty:
        return table
    table["open"] = table["problems"].map(lambda counts: sum(counts.values()))
    table = table.sort_values(["deadline", "overdue", "open", "below", "place_id"],
                              ascending=[True, False, False, False, True], kind="stable")
    return table.drop(columns="open").reset_index(drop=True)


def _fix(row, vocab: Vocabulary, lang: str) -> str:
    parts = []
    if row["below"]:
        if row["place_type"] == "alley":
            parts.append(t("planning.task.alley", lang))
        else:
            rate = "—" if pd.isna(row["score_rate"]) else f"{row['score_rate']:.0%}"
            parts.append(t("planning.task.below", lang, rate=rate))
    if row["problems"]:
        labels = vocab.labels("problem_categories", lang)
        kinds = t("list.sep", lang).join(f"{labels.get(c, c)} ×{n}" for c, n in sorted(row["problems"].items()))
        parts.append(t("planning.task.problems", lang, n=sum(row["problems"].values()), kinds=kinds,
                       overdue=row["overdue"]))
    return t("planning.task.sep", lang).join(parts)


def task_workbook(rows: pd.DataFrame, vocab: Vocabulary, district_names: dict[str, str], lang: str,
                  plan_name: str, as_of: dt.date) -> bytes:
    """The task list as an .xlsx file: place, what to fix, responsible unit, point chief,
    suggested deadline. Timeline text is written as text, never as a formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = t("planning.task.sheet", lang)
    wb.properties.title = plan_name
    ws.cell(row=1, column=1, value=t("planning.task.heading", lang, plan=plan_name, date=as_of.isoformat()))
    keep_text(ws.cell(row=1, column=1))
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    labels = vocab.labels("point_categories", lang)
    for col, key in enumerate(_COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=t(f"planning.task.col.{key}", lang))
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(key, 14)
    for r, (_, row) in enumerate(rows.iterrows(), start=3):
        values = {"place": row["name"], "kind": labels.get(row["category"], row["category"]),
                  "district": district_names.get(row["district_code"], row["district_code"]),
                  "fix": _fix(row, vocab, lang), "unit": row["unit_name"], "chief": row["chief_name"],
                  "phone": row["chief_phone"], "deadline": row["deadline"], "code": row["place_id"]}
        for c, key in enumerate(_COLUMNS, start=1):
            value = values[key]
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if key == "deadline":
                cell.number_format = "yyyy-mm-dd"
            keep_text(cell)
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
