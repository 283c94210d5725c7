"""The Bulletin page's Streamlit side: the period picker and the cached document.

A bulletin takes a few seconds (figures, circles, three images, the template), so it is
made once per data version, period, district, language, template and number, and kept
for the session's reruns (a download click reruns the page).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from civmap.i18n import t
from civmap.storage.scope import Scope
from civmap.ui.core import cache_key, city_store, current_store, lang, settings, vocab
from civmap.ui.progress import date_range_input

__all__ = ["bulletin_period", "made_bulletin", "bulletin_pdf", "pdf_available"]


def bulletin_period() -> tuple[dt.date, dt.date]:
    """The period picker: by default the last 14 days ending yesterday, in the city's clock
    (today is not over, so a fortnight ending today would count a part-day)."""
    from civmap.progress.figures import LIST_DAYS

    yesterday = current_store().as_of() - dt.timedelta(days=1)
    default = (yesterday - dt.timedelta(days=LIST_DAYS - 1), yesterday)
    return date_range_input(t("bulletin.ui.period", lang()), default, "b_period", t("bulletin.ui.period_help", lang()))


@st.cache_data(max_entries=8, show_spinner=False)
def _bulletin(version: str, scope: Scope, start: dt.date, end: dt.date, district: str | None, lang_code: str,
              template: bytes | None, number: str | None, issued: dt.date) -> tuple[bytes, str]:
    from civmap.bulletin.figures import options_from
    from civmap.bulletin.report import make_bulletin

    made = make_bulletin(city_store().within(scope), vocab(), options_from(settings()), start, end, district, lang_code,
                         template, issued, number)
    return made.docx, made.values["summary"]


def made_bulletin(start: dt.date, end: dt.date, district: str | None, template: bytes | None = None,
                  number: str | None = None) -> tuple[bytes, str]:
    """The bulletin's .docx bytes and its summary sentence; raises ``TemplateError`` (a
    ValueError) naming what an uploaded template asks for and civmap does not know."""
    return _bulletin(*cache_key(), start, end, district, lang(), template, number or None, current_store().as_of())


@st.cache_data(max_entries=4, show_spinner=False)
def bulletin_pdf(docx: bytes) -> bytes:
    """The same document as PDF (LibreOffice); raises ``PdfUnavailable`` saying why not."""
    from civmap.bulletin.report import to_pdf

    return to_pdf(docx)


def pdf_available() -> bool:
    from civmap.bulletin.report import pdf_converter

    return pdf_converter() is not None
