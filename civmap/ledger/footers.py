"""Rows that are not data: totals and the signature block offices put under a ledger.

A ledger as an office hands it in ends with 合计 (a total), 填表人：张三 审核人：李四,
制表日期 and 单位（盖章）; a 小计 row may sit between blocks of data. Such a row is not a
bad record, and reporting it as one (no id, no coordinates, an unreadable date) hides
the real problems among false ones. So the reader drops them before any cell is read,
and says how many it dropped and where.

A row is only taken for such a row when it cannot be data: a marker word opens one of
its first two filled cells, and its key column (the id the store matches by) is blank
or holds the marker itself. A description that merely mentions 合计 is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

import pandas as pd

from civmap.ledger.cells import is_blank

if TYPE_CHECKING:  # parse.py calls this module: no import back at run time
    from civmap.ledger.parse import RawLedger

__all__ = ["MARKERS", "is_marker", "footer_rows", "without_footers"]

#: Words that open a total or signature cell. Matched at the start of the cell, after
#: full-width forms are folded and spaces dropped (offices write 合　计 to centre it).
MARKERS = ("合计", "小计", "总计", "共计", "累计", "填表人", "填报人", "审核人", "审批人", "制表人",
           "制表日期", "填表日期", "填报日期", "负责人签字", "负责人", "单位负责人", "分管领导", "主要领导",
           "单位盖章", "单位(盖章)", "(盖章)", "盖章", "签字", "签名", "联系电话")
#: Words that open a note under the table only when a colon follows (注：1.本表由各区填报).
_NOTE_WORDS = ("注", "备注", "说明", "填表说明")
_MARKER = re.compile("^(?:" + "|".join(map(re.escape, MARKERS)) + ")")
_NOTE = re.compile("^(?:" + "|".join(map(re.escape, _NOTE_WORDS)) + r")\d*:")
#: The fields the store matches a row by, per kind: a footer row never fills them.
_KEYS = {"units": ("code", "name"), "inspections": ("point_id",)}
_FIRST_CELLS = 2


def is_marker(value) -> bool:
    """Does the cell open with a total or signature word (合计, 填表人：…, 注：…)?"""
    if is_blank(value) or not isinstance(value, str):
        return False
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    return bool(_MARKER.match(folded) or _NOTE.match(folded))


def footer_rows(cells: pd.DataFrame, columns: dict[str, str], kind: str) -> list:
    """The index labels of ``cells`` rows that are totals, signatures or notes, not data.

    ``columns`` maps field names to the labels of ``cells`` (``RawLedger.columns``).
    """
    keyless = pd.Series(True, index=cells.index)
    for name in _KEYS.get(kind, ("id",)):  # first the key: it rules out nearly every row cheaply
        if name in columns:
            keyless &= cells[columns[name]].map(lambda v: is_blank(v) or is_marker(v)).astype(bool)
    found = []
    for number, row in zip(cells.index[keyless.to_numpy()], cells[keyless].itertuples(index=False, name=None)):
        if any(is_marker(v) for v in islice((v for v in row if not is_blank(v)), _FIRST_CELLS)):
            found.append(number)
    return found


def without_footers(raw: RawLedger) -> RawLedger:
    """``raw`` without its total, signature and note rows; their numbers in ``skipped``.

    A cell the reader cut short in such a row is forgotten with it: the row is not
    reported, so neither is its cell.
    """
    rows = footer_rows(raw.cells, raw.columns, raw.kind)
    if not rows:
        return raw
    gone = set(rows)
    return replace(raw, cells=raw.cells.drop(index=rows), skipped=tuple(int(r) for r in rows),
                   oversized=tuple(o for o in raw.oversized if o[0] not in gone))
