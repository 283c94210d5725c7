"""Text that a spreadsheet would run as a formula, made inert on the way out and given back
unchanged on the way in.

Excel, WPS and LibreOffice read a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` phones home, ``=cmd|' /C calc'!A0`` asks to start a
program), also after leading spaces or tabs, and a cell starting with a tab or carriage
return is suspect too (OWASP, "CSV Injection"). Ledger text comes from many hands, so
every file civmap writes keeps such text as text:

- in .xlsx the cell is stored as a string (never a formula, never an error code such as
  ``#N/A``), exactly as the store holds it, and marked with Excel's quote prefix so that
  editing it keeps it text;
- in CSV the OWASP rule applies: the cell gets one leading apostrophe ``'``.

Only text is touched: numbers stay numbers, and text that is a plain number (``-3``,
``+86``, ``1.5e3``) stays as written, since a spreadsheet reads it as that number and
nothing more.

Reading a CSV ledger undoes exactly that (``unquoted``): a cell that starts with an
apostrophe followed by what would start a formula (after any further apostrophes)
loses that one apostrophe, the way a spreadsheet hides the apostrophe typed before
``=``. Text that itself starts with ``'=`` is written with one more apostrophe, so
whatever the store holds comes back from a CSV as it was. Other formats carry no mark
and are read as they are.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["starts_formula", "quoted", "unquoted", "csv_frame", "csv_text", "keep_text"]

#: What a spreadsheet takes for the start of a formula: = + - @ after blanks, or a
#: leading tab or carriage return (the OWASP list).
_FORMULA = re.compile(r"[ \t\r\n]*[=+\-@]|[\t\r]")
#: Text that is just a number: a spreadsheet reads it as that number, never a formula.
_NUMBER = re.compile(r"[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*")


def starts_formula(text: str) -> bool:
    """Would a spreadsheet opening ``text`` as a cell read it as a formula?"""
    return bool(_FORMULA.match(text)) and not _NUMBER.fullmatch(text)


def _marked(text: str) -> bool:
    """Text of the form ``'*`` + formula start: what ``quoted`` marks and ``unquoted`` unmarks."""
    return starts_formula(text.lstrip("'"))


def quoted(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: one apostrophe before a formula start."""
    return "'" + text if _marked(text) else text


def unquoted(text: str) -> str:
    """The inverse of ``quoted``, for a cell read from a CSV file."""
    return text[1:] if text.startswith("'") and _marked(text) else text


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header ``quoted``; numbers and dates as they are."""
    def inert(value):
        return quoted(value) if isinstance(value, str) else value

    out = frame.copy()
    out.columns = [inert(c) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(position, column.map(inert))
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) that no spreadsheet runs.

    Lines end with CR LF (RFC 4180), so a field holding a carriage return is quoted: with
    pandas' bare LF it is not, and a spreadsheet would start a new row, and a new cell
    that may be a formula, at that carriage return.
    """
    return csv_frame(frame).to_csv(index=False, lineterminator="\r\n")


def keep_text(cell) -> None:
    """Make an openpyxl cell holding text keep it as text.

    openpyxl stores any string starting with ``=`` as a formula and ``#N/A`` and the
    like as error codes; both read back from the file as empty. This stores the string
    as a string, with Excel's quote prefix where a spreadsheet would see a formula.
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if starts_formula(cell.value):
            cell.quotePrefix = True
