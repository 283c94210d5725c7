"""Ledger import and export: checked uploads and export files (pages/ledger.py).

A checked upload is cached (so the preview and the commit button do not check it again)
only while it is small: the cache is shared by every session and holds each result whole,
so a few large uploads would otherwise keep hundreds of megabytes alive after their
sessions ended. Larger files are checked on each run, within the import limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import streamlit as st

from civmap.filters import Filters
from civmap.storage.scope import Scope
from civmap.ui.core import cache_key, city_store, current_store, settings, vocab

__all__ = [
    "ledger_check", "ledger_commit", "ledger_export", "ledger_names",
]


#: Largest upload whose check is cached (bytes); the cache holds at most ``_CHECKS`` of them.
CACHED_UPLOAD_BYTES = 4 * 1024 * 1024
_CHECKS = 4


def _check(data: bytes, name: str, kind: str, crs: str, create_units: bool, year: int | None):
    from civmap.ledger import ImportOptions, Limits, check_file

    cfg = settings()
    options = ImportOptions(create_units=create_units, standard_score=cfg.standard_score, year=year)
    return check_file(data, name, kind, current_store(), vocab(), crs, limits=Limits.from_settings(cfg), options=options)


@st.cache_data(max_entries=_CHECKS, ttl=dt.timedelta(hours=1), show_spinner=False)
def _ledger_check(version: str, scope: Scope, data: bytes, name: str, kind: str, crs: str, create_units: bool,
                  year: int | None):
    return _check(data, name, kind, crs, create_units, year)


def ledger_check(data: bytes, name: str, kind: str, crs: str, create_units: bool = False,
                 year: int | None = None):
    """The checked ledger for an uploaded file; checked again once the store changes.

    ``year`` is the year of dates written without one (None: such dates are rejected);
    it is part of the cache key, since it changes which rows are good.
    """
    if len(data) > CACHED_UPLOAD_BYTES:
        return _check(data, name, kind, crs, create_units, year)
    return _ledger_check(*cache_key(), data, name, kind, crs, create_units, year)


@st.cache_data(max_entries=4, show_spinner=False)
def _ledger_names(version: str, scope: Scope) -> dict[str, dict[str, str]]:
    from civmap.ledger import display_names

    return display_names(city_store().within(scope))


def ledger_names() -> dict[str, dict[str, str]]:
    return _ledger_names(*cache_key())


@st.cache_data(max_entries=12, show_spinner=False)  # two selections of each of the six formats
def _ledger_export(version: str, scope: Scope, fmt: str, filters: Filters, as_of: dt.date) -> bytes:
    from civmap.ledger.export import export_as

    return export_as(fmt, city_store().within(scope), filters, vocab(), as_of, photos_dir=settings().photos_dir)


def ledger_export(fmt: str, filters: Filters) -> Callable[[], bytes]:
    """The selection exported in ``fmt``, one of ``civmap.ledger.export.FORMATS``, as the
    function a download button calls on the click.

    The user's scope is bound here, in the script run: Streamlit calls the function later,
    outside any run, where the session's sign-in cannot be read (it would export nothing).
    """
    version, scope = cache_key()
    as_of = current_store().as_of()
    return lambda: _ledger_export(version, scope, fmt, filters, as_of)


def ledger_commit(checked, file_name: str, kind: str, user):
    """Commit a checked upload as ``user`` and put it in the audit trail (who, file, counts),
    as the command line does for the operator."""
    from civmap.audit import record_import
    from civmap.ledger import commit_ledger

    store = current_store()
    result = commit_ledger(store, checked, vocab())
    record_import(store.engine, user.login, file_name, kind, result)
    return result
