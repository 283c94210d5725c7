"""The one error a ledger file as a whole can raise; bad rows are reported, not raised."""

from __future__ import annotations

from civmap.i18n import t

__all__ = ["LedgerError"]


class LedgerError(ValueError):
    """A file that cannot be imported at all (unknown type, no header row, a missing column).

    ``code`` names the message (``ledger.error.<code>`` in ``data/i18n/ledger.csv``) and
    ``params`` fill it, so the page and the command line say the same in either language.
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        return t(f"ledger.error.{self.code}", lang, **self.params)
