"""Collecting the issues of bad rows while a ledger is checked."""

from __future__ import annotations

from civmap.ledger.limits import MAX_CELL_CHARS
from civmap.ledger.model import Issue
from civmap.ledger.parse import RawLedger

__all__ = ["IssueLog"]


class IssueLog:
    """Issues in the order found; ``add`` names the field, the log finds its header.

    It starts with the cells the reader cut short, so every kind of ledger rejects their rows.
    """

    def __init__(self, raw: RawLedger):
        self.raw = raw
        self.items: list[Issue] = []
        self._bad: set = set()
        self._fields: set = set()
        fields = {label: name for name, label in raw.columns.items()}
        for row, label, length in raw.oversized:  # found by the reader, which cut them short
            self.add(row, fields.get(label, label), "cell_too_long", raw.cells.at[row, label], length=f"{length:,}",
                     limit=f"{MAX_CELL_CHARS:,}")

    def add(self, row, field: str, code: str, value="", **params) -> None:
        value = "" if value is None else str(value)
        self.items.append(Issue(int(row), field, self.raw.header(field), value, code,
                                tuple((k, str(v)) for k, v in params.items())))
        self._bad.add(row)
        self._fields.add((row, field))

    def is_bad(self, row) -> bool:
        return row in self._bad

    def has(self, row, *fields: str) -> bool:
        """Has the row an issue on any of ``fields`` already (so as not to say it twice)?"""
        return any((row, f) in self._fields for f in fields)

    def sorted(self) -> tuple[Issue, ...]:
        return tuple(sorted(self.items, key=lambda i: i.row))
