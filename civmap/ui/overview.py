"""The overview's own pieces (pages/overview.py): its tiles, its phone layout, its district pick."""

from __future__ import annotations

import uuid

import streamlit as st

from civmap.config import ROOT
from civmap.figures import Headline, format_rate
from civmap.i18n import t
from civmap.ui.core import lang, settings
from civmap.ui.params import set_view

__all__ = ["MAP_HEIGHT", "first_run", "headline_tiles", "on_a_phone", "only_district", "overview_style"]

#: The overview map's height in pixels (its rendered page is cached with it).
MAP_HEIGHT = 560

_CSS = ROOT / "static" / "civmap" / "overview.css"
_OPENED = "overview_opened"


def overview_style() -> None:
    """The overview's stylesheet (compact tiles, the lists first on a phone), from the app's files."""
    st.html(f"<style>{_CSS.read_text(encoding='utf-8')}</style>")


def first_run() -> str | None:
    """On the session's first run of the overview, a token for the map to report back with
    once it is drawn (``show_map(report_shown=...)``); None on every later run, and on a phone.

    The list grid waits for that report: on a first visit its scripts and drawing held the
    map's frame back in the browser by about 0.7 s (the demo city, ``bench/bench_map.py``).
    The rerun the report causes sends the grid, as does any other later run, so a map that
    never reports holds the lists back only until the user's next step. A phone shows the
    overdue list above the map (``overview.css``): what a district head reads first is not
    held back for what he scrolls to. The layout follows the width and this the browser's
    word: a narrow desktop window still waits, as does a phone asking for desktop sites.
    """
    if st.session_state.get(_OPENED):
        return None
    st.session_state[_OPENED] = True
    return None if on_a_phone(st.context.headers) else uuid.uuid4().hex


def on_a_phone(headers) -> bool:
    """Whether the browser says it is a phone's: Chromium's client hint, else the "Mobi" that
    phone browsers put in their user agent (and tablets and desktops do not)."""
    return headers.get("Sec-CH-UA-Mobile") == "?1" or "Mobi" in (headers.get("User-Agent") or "")


def headline_tiles(figures: Headline, due_soon: int) -> list[tuple[str, str, str | None]]:
    """The headline tiles, what a district head acts on first: open, overdue, due soon."""
    code = lang()
    return [
        (t("fig.open", code), f"{figures.open:,}", t("fig.help.open", code)),
        (t("fig.overdue", code), f"{figures.overdue:,}", t("fig.help.overdue", code)),
        (t("fig.due_soon", code), f"{due_soon:,}", t("fig.help.due_soon", code, days=settings().due_soon_days)),
        (t("fig.closed", code), f"{figures.closed:,}", None),
        (t("fig.closing_rate", code), format_rate(figures.closing_rate), t("fig.help.closing_rate", code)),
        (t("fig.points", code), f"{figures.points:,}", None),
        (t("fig.up_to_standard", code), format_rate(figures.up_to_standard_rate), t("fig.help.up_to_standard", code)),
        (t("fig.circles", code), f"{figures.circles:,}", None),
    ]


def only_district(code: str) -> None:
    """A district picked on the map: the view shows only it (on every page, in the link)."""
    set_view("f_districts", [code])
