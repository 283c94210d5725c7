"""Evidence photos, checked before anything is kept: type by content, size, EXIF place and time.

A phone's photo may carry where and when it was taken (EXIF GPS and DateTimeOriginal).
A photo offered as proof of a fix is flagged when that place is far from the problem or
that time is before the problem was assigned: the commonest ways to fake a closing are an
old photo or one taken somewhere else. A photo without EXIF is kept unflagged (many apps
strip it); the flag is a prompt for the checker, not a verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from geo import ground_distance_m

__all__ = ["Photo", "PhotoError", "MEDIA_TYPES", "read_photo", "flags_for", "THUMB_SIZE", "MAX_PIXELS"]

#: Accepted types, told by their first bytes (never by the file name): type → extension.
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
#: Longest side of a thumbnail (pixels).
THUMB_SIZE = 320
#: Largest picture accepted (pixels): a small file can unpack to gigabytes ("decompression bomb").
MAX_PIXELS = 60_000_000
_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_DATETIME_ORIGINAL, _DATETIME = 36867, 306


class PhotoError(ValueError):
    """A file that cannot be kept as a photo; ``code`` for the UI's words, ``values`` to fill them."""

    def __init__(self, code: str, name: str, **values):
        self.code, self.name, self.values = code, name, values
        super().__init__(f"{name}: {code} {values}" if values else f"{name}: {code}")


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes
    media_type: str
    sha256: str
    thumbnail: bytes
    taken_at: dt.datetime | None = None
    lon: float | None = None
    lat: float | None = None

    @property
    def extension(self) -> str:
        return MEDIA_TYPES[self.media_type]


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _degrees(value, ref) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    sign = -1 if str(ref).strip().upper() in ("S", "W") else 1
    return sign * (d + m / 60 + s / 3600)


def _exif(image: Image.Image) -> tuple[dt.datetime | None, float | None, float | None]:
    exif = image.getexif()
    gps = exif.get_ifd(_GPS_IFD)
    lat = _degrees(gps.get(2), gps.get(1, "N")) if 2 in gps else None
    lon = _degrees(gps.get(4), gps.get(3, "E")) if 4 in gps else None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        lat = lon = None  # 0,0 is what some phones write when they had no fix
    text = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    taken = None
    if isinstance(text, str):
        try:  # camera wall time; taken as the city's, as stored times are
            taken = dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            taken = None
    return taken, lon, lat


def read_photo(data: bytes, name: str, max_bytes: int) -> Photo:
    """Check ``data`` and make its thumbnail; ``PhotoError`` naming the file when it is not a
    JPEG, PNG or WebP picture, is empty, too large, or cannot be decoded."""
    if not data:
        raise PhotoError("empty", name)
    if len(data) > max_bytes:
        raise PhotoError("too_large", name, size_mb=round(len(data) / 1e6, 1), max_mb=round(max_bytes / 1e6, 1))
    media_type = _sniff(data)
    if media_type is None:
        raise PhotoError("not_a_photo", name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("too_many_pixels", name, pixels=image.width * image.height)
            taken, lon, lat = _exif(image)
            image.load()
            thumb = ImageOps.exif_transpose(image)
            thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
            out = io.BytesIO()
            thumb.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as error:
        if isinstance(error, PhotoError):
            raise
        raise PhotoError("unreadable", name) from None
    return Photo(name=name, data=data, media_type=media_type, sha256=hashlib.sha256(data).hexdigest(),
                 thumbnail=out.getvalue(), taken_at=taken, lon=lon, lat=lat)


def flags_for(photo: Photo, problem_lon: float, problem_lat: float, assigned_at: dt.datetime | None,
              max_distance_m: float) -> tuple[tuple[str, ...], float | None]:
    """Why a "fixed" photo is doubtful (``far``, ``before_assigned``) and its distance in
    metres from the problem (None without GPS)."""
    flags = []
    distance = None
    if photo.lon is not None and photo.lat is not None:
        distance = ground_distance_m(photo.lon, photo.lat, problem_lon, problem_lat)
        if distance > max_distance_m:
            flags.append("far")
    if photo.taken_at is not None and assigned_at is not None and photo.taken_at < assigned_at:
        flags.append("before_assigned")
    return tuple(flags), distance
