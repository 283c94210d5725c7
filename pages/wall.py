"""指挥大屏 — the command-centre wall: the whole city (or each district in turn), live, hands-off.

URL: ``/wall``, optionally ``?district=D01``, ``?carousel=1&every=30``, ``?refresh=60``.
The board is a fragment that reruns every ``refresh`` seconds (or ``every`` seconds in
carousel mode), so nothing reloads the whole page; the clock ticks in the browser (its
script is in the page), so between refreshes a wall costs the server nothing.
"""

import streamlit as st

from civmap import ui
from civmap.i18n import t
from civmap.progress.figures import LIST_DAYS
from civmap.wall.figures import TREND_DAYS, carousel_order
from civmap.wall.html import (MAP_TITLE, clock_html, figures_html, header_html, notice_html, page_css,
                             ranking_html, trend_html, verdict_html)

lang = ui.lang()
st.html(page_css())
options = ui.wall_options()
weights = ui.wall_weights()


@st.fragment(run_every=options.tick)
def board():
    names = ui.wall_districts()
    district = ui.wall_position(options, list(names))
    order = carousel_order(list(names))
    labels = [t("wall.city", lang) if code is None else names[code] for code in order]
    label = t("wall.city", lang) if district is None else names.get(district, district)
    steps, active = (labels, order.index(district) if district in order else None) if options.carousel else ([], None)
    read = ui.wall_read(district, weights)
    header = header_html(label, steps, active, read.refreshed_at, read.stale, lang)
    if read.view is None:
        st.html(header + notice_html(t("wall.unavailable" if read.stale else "wall.waiting", lang)))
        return
    if ui.wall_awaits_problems():  # a new office store: no zeros posing as figures
        st.html(header + notice_html(t("wall.setup_missing", lang)))
        return
    # One element for the title, the verdict and the figures, so a screen never shows one without the others.
    verdict = verdict_html(read.view.verdict, names, read.view.weights, read.view.race, lang)
    st.html(header + verdict + figures_html(read.view.figures, lang))
    left, right = st.columns([0.6, 0.4], gap="small")
    with left:
        st.iframe(read.map_html, height=600, alt=MAP_TITLE)
    with right:
        st.html(ranking_html(read.view.standing, lang, highlight=district, days=LIST_DAYS))
        st.html(trend_html(read.view.daily, lang, TREND_DAYS))


st.html(clock_html(ui.wall_now(), lang, ui.settings().time_zone), unsafe_allow_javascript=True)
board()
