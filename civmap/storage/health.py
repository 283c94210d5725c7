"""Is the store there and sound: the errors a store raises, and the watch on a SQLite file.

An office's store is never created behind its back: a missing, empty or unreadable store
is a ``StoreError`` whose message (``store.error.<code>`` in ``data/i18n/store.csv``) says
which, in either language, so the app and the command line refuse to run on it instead of
showing zeros. A running app asks ``FileWatch.check`` on every data-version read: a file
that is gone, replaced or cut short is noticed before stale or broken data is shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

from civmap.i18n import t

__all__ = ["StoreError", "StoreLocked", "FileWatch", "read_failure"]


class StoreError(ValueError):
    """The store cannot be used: missing, empty, not civmap's, unreadable, or locked.

    ``code`` names the message and ``params`` fill it (``where`` is the store's location),
    so a page and the command line say the same in either language.
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        return t(f"store.error.{self.code}", lang, **self.params)


def read_failure(dialect: str, where: str, error: DBAPIError) -> StoreError:
    """The ``StoreError`` for a failed read: a file to restore from a backup on SQLite; on a
    database server, the server to check (it is down, unreachable, or refuses the account
    in ``CIVMAP_DATABASE_URL``) or the account's rights, since there is no file to restore."""
    reason = str(error.orig).strip()
    if dialect == "sqlite":
        return StoreError("unreadable", where=where, reason=reason)
    code = "server_unreachable" if isinstance(error, OperationalError) else "server_unreadable"
    return StoreError(code, where=where, reason=reason)


class StoreLocked(StoreError):
    """Another import or status change held the write lock for longer than the lock timeout;
    nothing was written."""

    def __init__(self, seconds: float):
        super().__init__("locked", seconds=f"{seconds:g}")


@dataclass(frozen=True)
class FileWatch:
    """The identity of a SQLite store's file when it was opened.

    SQLite keeps reading a deleted or renamed file through the connections already open,
    so without this a running app would serve the old data for ever. A new inode means the
    file was replaced (perhaps by a restored good copy): the store must be opened again.
    A file smaller than when it was opened was cut short (SQLite never shrinks its main
    file except by VACUUM): it is opened again too, and so checked from scratch.
    """

    path: Path
    device: int
    inode: int
    size: int

    @classmethod
    def of(cls, path: Path) -> "FileWatch":
        stat = _stat(path)
        return cls(path, stat.st_dev, stat.st_ino, stat.st_size)

    def check(self) -> None:
        """Raise ``StoreError`` when the file is gone, replaced or shorter than it was."""
        stat = _stat(self.path)
        if (stat.st_dev, stat.st_ino) != (self.device, self.inode):
            raise StoreError("replaced", where=str(self.path))
        if stat.st_size < self.size:
            raise StoreError("truncated", where=str(self.path))


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise StoreError("missing", where=str(path)) from None
    except OSError as error:  # permissions, a folder gone, a stale network mount
        raise StoreError("unreachable", where=str(path), reason=error.strerror or str(error)) from None
