"""How much an import may cost, checked before a file is read.

A ledger file is small on the wire but may unpack to far more: an .xlsx is a zip of XML
(one 400 MB cell fits in a 400 KB workbook), a zipped Shapefile can be a zip bomb, and a
sheet can hold a million rows. Reading such a file takes memory in proportion to what it
unpacks to (about ten times the unpacked bytes, measured on real ledgers with calamine and
the checks), so the archive's own directory is read first and a file that would need more
than the ceiling is refused with a message saying why, before anything is inflated.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass

from civmap.config import SETTINGS
from civmap.ledger.errors import LedgerError

__all__ = ["Limits", "MEMORY_PER_BYTE", "MAX_CELL_CHARS", "MAX_RATIO", "EARLIEST_DATE", "count_sheet_rows"]

#: Bytes of memory an import takes per unpacked byte of its file (measured: 8–10).
MEMORY_PER_BYTE = 10
#: Excel's own limit on a cell; a longer cell cannot come from a real ledger.
MAX_CELL_CHARS = 32_767
#: Most a member of an archive may be compressed (deflate reaches ~1000:1 on repeated bytes;
#: real XML and .dbf files stay well under 100:1) once it is larger than ``_RATIO_FLOOR``.
MAX_RATIO = 200
_RATIO_FLOOR = 16 * 1024 * 1024
#: The founding of the People's Republic: no ledger of a civilised-city campaign is older.
EARLIEST_DATE = dt.date(1949, 10, 1)
_MB = 1024 * 1024
# A row start tag that is not self-closing (empty formatted rows hold no cells and cost nothing).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^<>]*(?<!/)>")
_CHUNK = 1024 * 1024


def _default(name: str) -> int:
    return int(next(s.default for s in SETTINGS if s.name == name))


@dataclass(frozen=True)
class Limits:
    """The ceilings of one import: memory (bytes), rows per sheet, years ahead for a date.

    The defaults are the settings' defaults (``CIVMAP_IMPORT_MEMORY_MB`` and friends);
    ``from_settings`` takes an office's own.
    """

    memory_bytes: int = _default("import_memory_mb") * _MB
    max_rows: int = _default("import_max_rows")
    years_ahead: int = _default("date_years_ahead")

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(memory_bytes=settings.import_memory_mb * _MB, max_rows=settings.import_max_rows,
                   years_ahead=settings.date_years_ahead)

    def latest_date(self, today: dt.date) -> dt.date:
        """The last day a ledger date may name: ``years_ahead`` years after ``today``."""
        try:
            return today.replace(year=today.year + self.years_ahead)
        except ValueError:  # 29 February
            return today.replace(year=today.year + self.years_ahead, day=28)

    def check_size(self, unpacked: int, what: str) -> None:
        """Refuse a file whose ``unpacked`` bytes would take more memory than the ceiling."""
        if unpacked * MEMORY_PER_BYTE > self.memory_bytes:
            raise LedgerError("too_big", what=what, size=_mb(unpacked), need=_mb(unpacked * MEMORY_PER_BYTE),
                              limit=_mb(self.memory_bytes))

    def check_rows(self, rows: int, where: str = "") -> None:
        if rows > self.max_rows:
            raise LedgerError("too_many_rows", rows=f"{rows:,}", limit=f"{self.max_rows:,}", where=where)

    def check_archive(self, members: list[zipfile.ZipInfo]) -> None:
        """Refuse an archive whose members inflate beyond the ceiling or like a zip bomb.

        Uses the sizes the archive declares; extraction is bounded by them (zipfile stops at
        the declared size and fails the CRC check of a member that lies).
        """
        total = sum(m.file_size for m in members)
        if total * MEMORY_PER_BYTE > self.memory_bytes:
            biggest = sorted(members, key=lambda m: m.file_size, reverse=True)[:3]
            self.check_size(total, "、".join(m.filename for m in biggest if m.file_size > _MB) or "?")
        for member in members:
            if member.file_size > _RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise LedgerError("zip_bomb", member=member.filename, size=_mb(member.file_size),
                                  ratio=f"{member.file_size // max(member.compress_size, 1):,}")


def count_sheet_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Rows holding cells in a worksheet's XML, read in chunks of a megabyte.

    Self-closing ``<row/>`` elements (blank rows a template formatted) hold no cells and
    cost nothing to read, so they are not counted.
    """
    count, carry = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"<")
            cut = cut if cut >= 0 and len(data) - cut < 4096 and b">" not in data[cut:] else len(data)
            count += len(_ROW_TAG.findall(data, 0, cut))
            carry = data[cut:]
    return count + len(_ROW_TAG.findall(carry))


def _mb(size: int) -> str:
    return f"{size / _MB:,.1f}"
