"""Ledgers (台账) in and out: read, check, commit, export.

The flow the Import page and ``python -m civmap import`` share::

    checked = check_file(data, "点位台账.xlsx", "points", store, vocab, crs="gcj02")
    issues_frame(checked)            # the bad rows: row, column, value, reason
    rejects_csv(checked)             # the rejects file
    commit_ledger(store, checked, vocab)   # one transaction; counts back

and for the way out: ``export_workbook``, ``export_geojson``, ``export_open311`` (and
``export_open311_services``), or any of them by name with ``export.export_as``.
"""

from __future__ import annotations

from civmap.ledger.columns import DATED_KINDS, KINDS, LEDGER_KINDS, UNIT_NAMING_KINDS, fields_of
from civmap.ledger.commit import ACTOR_PREFIX, CommitResult, commit_ledger
from civmap.ledger.errors import LedgerError
from civmap.ledger.limits import Limits
from civmap.ledger.model import Checked, ImportOptions, Issue, Record
from civmap.ledger.parse import SUFFIXES, RawLedger, read_ledger
from civmap.ledger.report import (
    committed_text, issues_frame, notes_text, preview_frame, rejects_csv, rejects_frame, summary_text,
)
from civmap.ledger.validate import check_ledger, normalise_crs
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = [
    "KINDS", "LEDGER_KINDS", "UNIT_NAMING_KINDS", "DATED_KINDS", "SUFFIXES", "fields_of", "LedgerError", "RawLedger", "Checked", "Issue", "Record",
    "CommitResult", "ACTOR_PREFIX", "read_ledger", "check_ledger", "check_file", "commit_ledger",
    "issues_frame", "rejects_frame", "rejects_csv", "preview_frame", "summary_text", "committed_text", "notes_text",
    "display_names", "normalise_crs", "Limits", "ImportOptions",
]


def check_file(data: bytes, name: str, kind: str, store: Store, vocab: Vocabulary, crs: str = "wgs84",
               limits: Limits | None = None, options: ImportOptions | None = None) -> Checked:
    """Read and check a ledger file's bytes; raises ``LedgerError`` if the file as a whole is
    unusable or would cost more than ``limits`` (default: the settings' defaults) allow."""
    return check_ledger(read_ledger(data, name, kind, limits), store, vocab, crs, limits=limits, options=options)


def display_names(store: Store) -> dict[str, dict[str, str]]:
    """Code → name of areas and units, for showing a preview with names instead of codes."""
    frame = store.areas(None)
    areas = dict(zip(frame["code"], frame["name"]))
    units = store.units()
    return {"district_code": areas, "street_code": areas, "parent_code": areas,
            "unit_code": dict(zip(units["code"], units["name"]))}
