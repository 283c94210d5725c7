"""Photos made for the tests: a JPEG with EXIF GPS and time, written by Pillow."""

from __future__ import annotations

import io

from PIL import Image
from PIL.TiffImagePlugin import IFDRational


def _dms(value: float) -> tuple:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10_000), 10_000)


def jpeg(lon: float | None = None, lat: float | None = None, taken: str | None = None,
         size=(64, 48), colour="green") -> bytes:
    """A small JPEG; with ``lon``/``lat`` a GPS IFD, with ``taken`` (``YYYY:MM:DD HH:MM:SS``)
    a DateTimeOriginal, as a phone's camera writes them."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if lon is not None:
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "PNG")
    return out.getvalue()
