"""全市概览 — the city at a glance: headline figures over the map, driven by the filters."""

import streamlit as st

from civmap import ui
from civmap.figures import format_rate
from civmap.i18n import t

lang = ui.lang()
filters = ui.sidebar_filters()
figures = ui.cached_headline(filters)

st.title(t("app.title", lang))
ui.setup_notice(("boundaries", "points", "problems"))
st.caption(t("overview.caption", lang, selection=ui.plain(filters.describe(ui.vocab(), ui.district_names(), lang)))
           + " · " + t("overview.as_of", lang, date=figures.as_of.isoformat()))

ui.metric_row([
    (t("fig.points", lang), f"{figures.points:,}", None),
    (t("fig.up_to_standard", lang), format_rate(figures.up_to_standard_rate), t("fig.help.up_to_standard", lang)),
    (t("fig.circles", lang), f"{figures.circles:,}", None),
    (t("fig.open", lang), f"{figures.open:,}", t("fig.help.open", lang)),
    (t("fig.overdue", lang), f"{figures.overdue:,}", t("fig.help.overdue", lang)),
    (t("fig.closed", lang), f"{figures.closed:,}", None),
    (t("fig.closing_rate", lang), format_rate(figures.closing_rate), t("fig.help.closing_rate", lang)),
])
# Rectification progress (pages/progress.py has the charts and the definitions), filled in
# after the map has been sent: the browser draws the map while these are computed.
progress_row = st.empty()
with progress_row.container():
    ui.metric_row(ui.progress_tiles_pending())

MAP_HEIGHT = 640
ui.show_map(ui.cached_map_html(filters, MAP_HEIGHT), MAP_HEIGHT)
st.caption(t("overview.map_note", lang))
with progress_row.container():
    ui.metric_row(ui.progress_tiles(filters))

st.subheader(t("overview.overdue_title", lang))
late = ui.overdue_table(filters)
if late.empty:
    st.info(t("overview.none_overdue", lang))
else:
    st.caption(t("overview.overdue_caption", lang))
    st.dataframe(late, hide_index=True, width="stretch", height=320)
