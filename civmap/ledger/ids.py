"""Ledger ids (and area codes): missing, repeated, or differing from another only in case.

Rows are matched to stored rows by id, so two rows with one id cannot both be right.
Ids are compared case-insensitively: "P001" and "p001" are one id written two ways, and
storing both would make two rows of one point. The first spelling met wins (a stored id
before any row of the file); a later row spelling it otherwise is rejected, naming the
spelling it clashes with. Rows repeating one spelling are all rejected, as which of them
is right cannot be told; their message lists a bounded number of the rows, so a file
repeating one id thousands of times costs little.
"""

from __future__ import annotations

from collections.abc import Iterable

from civmap.ledger.issues import IssueLog

__all__ = ["check_ids", "row_list", "LISTED_ROWS"]

#: Rows named in one message about a repeated id; the rest are counted.
LISTED_ROWS = 10


def row_list(rows: list[int]) -> str:
    """The first ``LISTED_ROWS`` row numbers, as the messages print them."""
    return "、".join(map(str, rows[:LISTED_ROWS]))


def check_ids(keys: dict[int, str | None], stored: Iterable[str], log: IssueLog, field: str) -> None:
    """Log each row whose id (``keys``: row → id, None when blank) cannot be used.

    ``stored`` holds the ids already in the store, for case-only clashes with them.
    """
    first: dict[str, tuple[str, int | None]] = {key.casefold(): (key, None) for key in stored}
    rows_of: dict[str, list[int]] = {}
    for row, key in keys.items():
        if key is None:
            log.add(row, field, "missing")
            continue
        spelling, where = first.setdefault(key.casefold(), (key, row))
        if spelling != key:
            if where is None:
                log.add(row, field, "id_case_stored", key, other=spelling)
            else:
                log.add(row, field, "id_case_clash", key, other=spelling, first_row=where)
            continue
        rows_of.setdefault(key, []).append(row)
    for key, rows in rows_of.items():
        if len(rows) <= 1:
            continue
        listed = row_list(rows)
        for row in rows:
            if len(rows) <= LISTED_ROWS:
                log.add(row, field, "duplicate_id", key, rows=listed)
            else:
                log.add(row, field, "duplicate_id_many", key, rows=listed, count=f"{len(rows):,}",
                        more=f"{len(rows) - LISTED_ROWS:,}")
