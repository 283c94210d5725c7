"""全市概览 — the city at a glance: headline figures, the map as a control, the lists of what is late.

On a phone the counts and the overdue list come before the map (static/civmap/overview.css).
A desktop browser's first page of the session is first drawn with its map alone, in its place;
the rest follows once the map is drawn (civmap.ui.overview.first_paint).
"""

import streamlit as st

from civmap import ui
from civmap.i18n import t
from civmap.ledger.export import MEDIA_TYPES, export_file_name
from civmap.ui import auth, overview, picks

lang = ui.lang()
first_paint = overview.first_paint()
# The sidebar's widgets are drawn after the map (below): a filter change's new layers reach the
# browser before the widgets, which take it a few tenths of a second to draw again.
filters = ui.filters_without_sidebar()
# The tiles and lists: on a phone, drawn above the map, computed first; on a desktop after the
# map is sent, while the browser draws it (the first paint stops at the map, below).
shown = overview.view_figures(filters) if overview.figures_first() else None
v, names, as_of = ui.vocab(), ui.district_names(), ui.current_store().as_of()

overview.overview_style()
st.title(t("app.title", lang))
ui.setup_notice(("boundaries", "points", "problems"))
area = auth.area_label()
st.caption((t("overview.area", lang, area=ui.plain(area)) + " · " if area else "")
           + t("overview.caption", lang, selection=ui.plain(filters.describe(v, names, lang)))
           + " · " + t("overview.as_of", lang, date=as_of.isoformat()))

# The tiles and the week's progress (pages/progress.py has the charts and the definitions)
# are written into their places after the map is sent: the browser draws the map meanwhile.
tiles, progress = overview.place_for_later("overview_tiles"), overview.place_for_later("overview_progress")
if shown is not None:  # a phone: its tiles, above the map, come first
    overview.show_tiles(tiles, shown)

# -- the map and, beside it (below it on a phone), what was picked ------------------------
MAP_HEIGHT = overview.MAP_HEIGHT
lists_wait = overview.first_run()
with st.container(key="overview_mapbox"):
    map_col, panel_col = st.columns([3, 1])
    pick, focus = picks.current_pick("overview")
    with map_col:
        clicked = ui.show_map(ui.cached_map_html(filters, MAP_HEIGHT), MAP_HEIGHT, key="overview_map", focus=focus,
                              filters=filters, report_shown=lists_wait)
        st.caption(t("overview.map_note", lang))
    picks.remember_pick("overview", clicked)
    if first_paint:
        overview.rest_follows()
        st.stop()
    ui.sidebar_filters(warn=False)
    with panel_col, st.container(key="overview_details"):
        picks.show_details(filters, clicked or pick, on_district=overview.only_district)

if shown is None:
    shown = overview.view_figures(filters)
    overview.show_tiles(tiles, shown)
late, soon = shown.overdue, shown.due_soon

# -- the lists: a row picked flies the map to its problem and shows it beside the map ------
# The tabs keep which list is open, so only that one's grid is sent: a grid the browser
# draws before the map's frame is time the first map waits (bench/bench_map.py); on the
# session's first run the grid follows once the browser has drawn the map.
problem_id = t("field.id", lang)
LIST_HEIGHT = 320
with st.container(key="overview_lists"):
    tab_late, tab_soon = st.tabs([t("overview.tab.overdue", lang, n=len(late)),
                                  t("overview.tab.due_soon", lang, n=len(soon), days=ui.settings().due_soon_days)],
                                 key="overview_tab", on_change="rerun")
    lists = ((tab_late, late, "overview_late", t("overview.none_overdue", lang), t("overview.overdue_caption", lang)),
             (tab_soon, soon, "overview_soon", t("overview.none_due_soon", lang, days=ui.settings().due_soon_days),
              t("overview.due_soon_caption", lang)))
    for tab, frame, key, none_text, caption in lists:
        if not tab.open:
            continue
        with tab:
            if lists_wait and not frame.empty:  # held as tall as the grid: nothing below moves when it comes
                st.caption(t("overview.lists_follow", lang))
                st.container(height=LIST_HEIGHT, border=False)
                continue
            if frame.empty:
                st.info(none_text)
                continue
            st.caption(caption)
            st.dataframe(frame, hide_index=True, width="stretch", height=LIST_HEIGHT, key=key,
                         on_select=picks.picked_row("overview", key, frame[problem_id].tolist()),
                         selection_mode="single-row")
            picks.problem_link(picks.current_pick("overview")[1])

with progress:
    ui.metric_row(ui.progress_tiles(filters))

# -- what this view holds, as the office's Excel ledger -------------------------------------
with st.container(key="overview_export"):
    st.download_button(t("overview.export", lang), data=ui.ledger_export("xlsx", filters),
                       file_name=export_file_name("xlsx", as_of, filters.file_tag(v, names, lang)),
                       mime=MEDIA_TYPES["xlsx"], key="overview_xlsx", icon=":material/download:",
                       help=t("overview.export_help", lang))
