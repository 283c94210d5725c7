"""The overview's own pieces (pages/overview.py): its tiles, its phone layout, its district pick, and
its first paint on a browser's first visit (the map before everything else)."""

from __future__ import annotations

import uuid
from typing import NamedTuple

import pandas as pd
import streamlit as st

from civmap.config import ROOT
from civmap.figures import Headline, format_rate
from civmap.filters import Filters
from civmap.i18n import t
from civmap.ui.core import cached_headline, due_soon_table, lang, metric_row, overdue_table, settings
from civmap.ui.params import set_view

__all__ = ["MAP_HEIGHT", "ViewFigures", "desktop_browser", "figures_first", "first_page", "first_paint", "first_run",
           "headline_tiles", "hold_for_map", "on_a_phone", "only_district", "overview_style", "place_for_later",
           "rest_follows", "show_tiles", "view_figures"]

#: The overview map's height in pixels (its rendered page is cached with it).
MAP_HEIGHT = 560

_CSS = ROOT / "static" / "civmap" / "overview.css"
_OPENED = "overview_opened"
_PAGED = "civmap_paged"
_HELD = "overview_held"
_ARMED = "overview_rest_armed"

#: Seconds the first paint waits for the map's report before the page is sent anyway.
REST_WITHIN = 3.0


def overview_style() -> None:
    """The overview's stylesheet (compact tiles, the lists first on a phone), from the app's files."""
    st.html(f"<style>{_CSS.read_text(encoding='utf-8')}</style>")


def place_for_later(key: str):
    """A keyed place drawn now whose content (the container returned) is written later in
    the run, once the map is sent.

    On a rerun the place keeps the last view's content until the new one comes: Streamlit's
    browser keeps the children of a container sent again as one, where an ``st.empty()``
    sent first would blank them. The empty element after the container keeps the place
    drawn (and as tall as ``overview.css`` holds it) on a page with nothing in it yet, the
    first paint's included: an empty container is not drawn at all.
    """
    with st.container(key=key):
        later = st.container()
        st.empty()
    return later


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


def first_page() -> bool:
    """Whether this run draws the browser's first page of the session, on a desktop: if that
    page is the overview, the frame holds its navigation and sidebar back (``hold_for_map``).

    Called by the frame once a user is let in, before the navigation is drawn; true once.
    """
    due = _PAGED not in st.session_state and desktop_browser(st.context.headers)
    st.session_state[_PAGED] = True
    return due


def desktop_browser(headers) -> bool:
    """Whether the client is a browser that says what it is, and not a phone's. A run with no
    user agent at all, as the service manager's health check that warms the caches after a
    start (``civmap.ui.warmup``), has nobody waiting for a map: it computes the whole page."""
    return bool(headers.get("User-Agent")) and not on_a_phone(headers)


def hold_for_map(held: bool) -> None:
    """The frame's word for this run: the overview draws only its map (``first_paint``)."""
    st.session_state[_HELD] = held


def first_paint() -> bool:
    """Whether this run of the overview is its first paint: the map and the places of the
    tiles above it, and nothing else; the rest (the navigation, the sidebar, the tiles, the
    lists) follows in the rerun the map's report of being drawn causes (``first_run``).

    A browser's first visit spent about 0.8 s of its main thread on the widgets, tiles and
    navigation Streamlit draws before the map's frame could start (``bench/bench_map.py``);
    drawn after the map, they no longer hold it back. Only the session's first page on a
    desktop: a phone shows its lists first (``first_run``), and a page changed to is drawn
    whole, navigation and all.
    """
    return bool(st.session_state.get(_HELD))


def rest_follows() -> None:
    """After the first paint's map: a word in the sidebar (which keeps the sidebar, and so
    the map's width, as it will be) that the rest follows; and should the map never report
    (its frame could not load), the page is sent whole after ``REST_WITHIN`` seconds all the same."""
    st.sidebar.caption(t("overview.rest_follows", lang()))
    st.session_state[_ARMED] = True

    @st.fragment(run_every=REST_WITHIN)
    def _follow() -> None:
        # Run once with the page, which sets the flag: nothing to do. Its timer's next run
        # comes only while the first paint is the page shown (a later run drops the fragment).
        if not st.session_state.pop(_ARMED, False):
            st.rerun(scope="app")

    _follow()


def on_a_phone(headers) -> bool:
    """Whether the browser says it is a phone's: Chromium's client hint, else the "Mobi" that
    phone browsers put in their user agent (and tablets and desktops do not)."""
    return headers.get("Sec-CH-UA-Mobile") == "?1" or "Mobi" in (headers.get("User-Agent") or "")


class ViewFigures(NamedTuple):
    """What the overview shows beside its map: the headline figures and the two lists."""

    headline: Headline
    overdue: pd.DataFrame
    due_soon: pd.DataFrame


def view_figures(filters: Filters) -> ViewFigures:
    return ViewFigures(cached_headline(filters), overdue_table(filters), due_soon_table(filters))


def figures_first() -> bool:
    """Whether the overview computes its tiles and lists before its map: on a phone, which
    shows them above the map (``overview.css``) and so draws them first.

    A desktop shows them around the map, and computes them after it is sent: a filter
    change's new figures and lists took about a fifth of a second, which the map's new
    layers waited for in the server while the browser had nothing to draw
    (``bench/bench_map.py``). The tiles' place keeps the last view's tiles meanwhile.
    """
    return on_a_phone(st.context.headers)


def show_tiles(place, shown: ViewFigures) -> None:
    with place:
        metric_row(headline_tiles(shown.headline, len(shown.due_soon)))


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
