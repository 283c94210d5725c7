"""Reading one cell: text, numbers, dates and coordinates as real ledgers write them.

Every parser takes whatever the file reader produced (str, float, int, datetime, None,
NaN) and returns a Python value or raises ``CellError`` with a short reason code;
the validator turns that into a reason on the row. Full-width digits and punctuation
(１１０．２９，２５．２７) are folded with NFKC before anything else.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

__all__ = ["CellError", "is_blank", "text", "number", "date", "coordinate", "coordinate_pair",
           "EXCEL_EPOCH"]

#: Day 0 of Excel's 1900 date system as it is actually used: serial 1 = 1900-01-01, and
#: counting from 1899-12-30 absorbs Excel's fictitious 1900-02-29 for every later date.
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers accepted as dates: 1954-10-03 .. 2119-01-09. A wider range would read
# ordinary numbers (an id, a count) as dates.
_SERIAL_RANGE = (20000, 80000)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00a0"), " ")


class CellError(ValueError):
    """A cell that cannot be read; ``code`` names the reason (an i18n key suffix)."""

    def __init__(self, code: str, value: str = ""):
        super().__init__(f"{code}: {value!r}")
        self.code = code
        self.value = value


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value.__class__.__name__ in ("NaTType", "NAType"):
        return True
    return isinstance(value, str) and not value.translate(_ZERO_WIDTH).strip()


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value.translate(_ZERO_WIDTH)).strip()


def text(value, fold: bool = False) -> str | None:
    """A cell as clean text: None when blank; 1001.0 → "1001" (Excel stores ids as numbers).

    Prose keeps its full-width punctuation (中山街（御景段）); ``fold=True`` folds
    full-width letters, digits and signs for codes and phone numbers (ＣＰ００１ → CP001).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    cleaned = _fold(str(value)) if fold else str(value).translate(_ZERO_WIDTH).strip()
    return re.sub(r"[ \t]+", " ", cleaned) or None


def _plain_number(raw: str) -> float:
    cleaned = raw.replace("。", ".").replace(",", "").replace(" ", "")
    cleaned = re.sub(r"(米|公里|km|m)$", "", cleaned, flags=re.IGNORECASE)
    return float(cleaned)


def number(value) -> float | None:
    """A number, allowing full-width digits, thousands separators and a unit (米, m)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("bad_number", str(value))
    if isinstance(value, (int, float)):
        return float(value)
    raw = _fold(str(value))
    try:
        result = _plain_number(raw)
    except ValueError:
        raise CellError("bad_number", raw) from None
    if not math.isfinite(result):
        raise CellError("bad_number", raw)
    return result


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.*$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
#: A month and day without the year: 3月5日, 3-5, 3/5 (never 3.5, which is a number).
_NO_YEAR_PATTERNS = (
    re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.*$"),
    re.compile(r"^(\d{1,2})\s*[-/]\s*(\d{1,2})$"),
)


def _serial(serial: float, raw: str) -> dt.date:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise CellError("bad_date", raw)
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def date(value, year: int | None = None) -> dt.date | None:
    """A calendar day from any of the ways ledgers write one.

    Accepts date/datetime objects, Excel serial numbers (45000 → 2023-03-15), and text
    such as 2023-03-05, 2023/3/5, 2023.3.5, 2023年3月5日, 20230305, with or without a
    time after it. A month and day alone (3月5日, 3-5, 3/5) is read in ``year``; without
    one it raises ``CellError("no_year")``, since guessing the year would file a finding
    of last December under this one. Anything else, or a day that does not exist
    (2023-02-30), raises ``CellError("bad_date")``.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, bool):
        raise CellError("bad_date", str(value))
    if isinstance(value, (int, float)):
        if isinstance(value, int) or float(value).is_integer():
            as_text = str(int(value))
            if len(as_text) == 8:
                return date(as_text, year)
        return _serial(float(value), str(value))
    raw = _fold(str(value))
    for pattern in _DATE_PATTERNS:
        found = pattern.match(raw)
        if found:
            year, month, day = (int(part) for part in found.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError("bad_date", raw) from None
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return _serial(float(raw), raw)
    for pattern in _NO_YEAR_PATTERNS:
        found = pattern.match(raw)
        if found:
            if year is None:
                raise CellError("no_year", raw)
            try:
                return dt.date(year, *(int(part) for part in found.groups()))
            except ValueError:
                raise CellError("bad_date", raw) from None
    raise CellError("bad_date", raw)


_DMS = re.compile(r"^([NSEW东西南北]?)\s*(\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′分])?\s*"
                  r"(?:(\d+(?:\.\d+)?)\s*(?:[\"″秒]|''|′′)?)?\s*([NSEW东西南北]?)$", re.IGNORECASE)


def coordinate(value) -> float | None:
    """One coordinate in degrees: 110.29, "１１０．２９", "110°17′24″E" or "东经110度17分24秒"."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):  # NaN or infinity: no place, and not "missing" either
            raise CellError("bad_coords", str(value))
        return float(value)
    raw = _fold(str(value)).replace("东经", "E").replace("北纬", "N").replace("西经", "W").replace("南纬", "S")
    try:
        result = _plain_number(raw)
    except ValueError:
        result = None
    if result is not None:
        if not math.isfinite(result):
            raise CellError("bad_coords", raw)
        return result
    found = _DMS.match(raw)
    if not found:
        raise CellError("bad_coords", raw)
    before, degrees, minutes, seconds, after = found.groups()
    result = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    hemisphere = (before or after).upper()
    return -result if hemisphere in ("S", "W", "南", "西") else result


_PAIR_SPLIT = re.compile(r"\s*[,;，；|]\s*|\s+")


def coordinate_pair(value) -> tuple[float, float] | None:
    """ "110.29,25.27" (longitude first, as AMap and Baidu copy them) → (110.29, 25.27).

    Brackets are ignored and the separator may be a comma, semicolon or space, full-width
    or not. Raises ``CellError("bad_coords")`` unless exactly two coordinates are found.
    """
    if is_blank(value):
        return None
    raw = _fold(str(value)).strip("()[]{}<> ")
    parts = [p for p in _PAIR_SPLIT.split(raw) if p]
    if len(parts) != 2:
        raise CellError("bad_coords", raw)
    try:
        return coordinate(parts[0]), coordinate(parts[1])
    except CellError:
        raise CellError("bad_coords", raw) from None
