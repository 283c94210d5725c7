"""What a checked ledger is: good records ready for the store, and the issues of bad rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from civmap.i18n import t
from civmap.ledger.parse import RawLedger

__all__ = ["Issue", "Record", "Checked", "ACTIONS", "ImportOptions"]

#: What committing a good record will do: add it, change it, nothing (already so), or
#: remove it (a circles ledger's 删除 column).
ACTIONS = ("insert", "update", "same", "remove")


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes for one import (the page's checkboxes, the CLI's flags).

    ``create_units``: a responsible unit the ledger names that the store does not know is
    created (and listed) instead of rejecting the row. ``standard_score``: the score rate
    at or above which an inspection is up to standard when its 是否达标 cell is blank.
    ``year``: the year of dates written without one (3月5日, 3-5); None rejects them,
    since only the user knows which year a sheet of month-and-day dates belongs to.
    """

    create_units: bool = False
    standard_score: float = 0.8
    year: int | None = None


@dataclass(frozen=True)
class Issue:
    """One reason a row cannot be imported.

    ``row`` is the row number the user sees in the file; ``header`` the column as the
    file heads it; ``code`` names the reason (``ledger.reason.<code>``) and ``params``
    fill its placeholders.
    """

    row: int
    field: str
    header: str
    value: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def reason(self, lang: str = "zh") -> str:
        params = dict(self.params)
        if "what" in params:
            params["what"] = t(f"ledger.what.{params['what']}", lang)
        return t(f"ledger.reason.{self.code}", lang, value=self.value, **params)


@dataclass(frozen=True)
class Record:
    """A good row, as store values.

    ``values`` are written on insert and on update; ``defaults`` only on insert (a blank
    status in a corrected ledger keeps the problem's status instead of resetting it).
    """

    row: int
    key: str
    values: dict
    defaults: dict = field(default_factory=dict)

    def for_insert(self) -> dict:
        return {**self.defaults, **self.values}


@dataclass(frozen=True)
class Checked:
    """The result of checking a ledger against the store, before anything is written."""

    raw: RawLedger
    crs: str
    records: tuple[Record, ...]
    issues: tuple[Issue, ...]
    actions: dict[str, str]
    notes: tuple[tuple[str, dict], ...] = ()
    #: Units the ledger names that are not in the store, to be created on commit
    #: (``ImportOptions.create_units``): rows of the units table.
    new_units: tuple[dict, ...] = ()

    @property
    def kind(self) -> str:
        return self.raw.kind

    @property
    def bad_rows(self) -> list[int]:
        return sorted({issue.row for issue in self.issues})

    def summary(self) -> dict[str, int]:
        """Rows read, good and bad, and what the good ones will do."""
        counts = {action: 0 for action in ACTIONS}
        for action in self.actions.values():
            counts[action] += 1
        return {"rows": len(self.raw.cells), "good": len(self.records), "bad": len(self.bad_rows), **counts}
