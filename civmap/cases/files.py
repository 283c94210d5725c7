"""Photo files on disk, named by their content's SHA-256, under the photos folder.

Content names mean a user's file name never becomes a path, the same photo uploaded twice
is kept once, and a file written for a move that then failed is harmless: it is simply
the same bytes the next attempt would write. Files are never deleted by civmap.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from civmap.cases.photos import Photo

__all__ = ["save_photo", "read_file"]


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)  # atomic: a reader never sees half a photo
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_photo(folder: Path, photo: Photo) -> tuple[str, str]:
    """Write the photo and its thumbnail; their paths relative to ``folder``."""
    stem = f"{photo.sha256[:2]}/{photo.sha256}"
    file, thumb = f"{stem}.{photo.extension}", f"{stem}.thumb.jpg"
    _write(folder / file, photo.data)
    _write(folder / thumb, photo.thumbnail)
    return file, thumb


def read_file(folder: Path, relative: str) -> bytes:
    """A stored photo or thumbnail; ValueError for a path that leaves the folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"photo path {relative!r} is outside the photos folder")
    return path.read_bytes()
