"""Ledger import and export: checked uploads and export files (pages/ledger.py)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from civmap.filters import Filters
from civmap.ui.core import store, vocab

__all__ = [
    "ledger_check", "ledger_export", "ledger_names",
]


@st.cache_data(max_entries=4, show_spinner=False)
def _ledger_check(version: str, data: bytes, name: str, kind: str, crs: str):
    from civmap.ledger import check_file

    return check_file(data, name, kind, store(), vocab(), crs)


def ledger_check(data: bytes, name: str, kind: str, crs: str):
    """The checked ledger for an uploaded file; checked again once the store changes."""
    return _ledger_check(store().data_version(), data, name, kind, crs)


@st.cache_data(max_entries=4, show_spinner=False)
def _ledger_names(version: str) -> dict[str, dict[str, str]]:
    from civmap.ledger import display_names

    return display_names(store())


def ledger_names() -> dict[str, dict[str, str]]:
    return _ledger_names(store().data_version())


@st.cache_data(max_entries=6, show_spinner=False)
def _ledger_export(version: str, fmt: str, filters: Filters, as_of: dt.date) -> bytes:
    from civmap.ledger.export import export_geojson, export_workbook
    from civmap.ledger.open311 import export_open311

    if fmt == "xlsx":
        return export_workbook(store(), filters, vocab(), as_of)
    if fmt == "geojson":
        return export_geojson(store(), filters)
    return export_open311(store(), filters, vocab(), as_of)


def ledger_export(fmt: str, filters: Filters) -> bytes:
    """The selection exported as ``xlsx``, ``geojson`` or ``open311`` (built on demand)."""
    return _ledger_export(store().data_version(), fmt, filters, store().as_of())
