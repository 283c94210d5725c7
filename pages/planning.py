"""短板分析 — the planner's view: where next month's effort buys the most points."""

import streamlit as st

from civmap import ui
from civmap.i18n import t
from civmap.planning.score import score_places
from civmap.ui import planning as plan_ui
from civmap.ui import planning_views as views

lang = ui.lang()
filters = ui.sidebar_filters(applies=("districts",))
district_names = ui.district_names()

st.title(t("page.planning", lang))
if not ui.setup_notice(("points", "inspections")):
    st.stop()  # the score starts from inspections: nothing to rank without them
scope = t("list.sep", lang).join(district_names.get(d, d) for d in filters.districts)
st.caption(t("planning.caption", lang, districts=ui.plain(scope or t("planning.all_districts", lang)),
             date=ui.current_store().as_of().isoformat()))
with st.expander(t("planning.score.title", lang), expanded=False):
    st.markdown(t("planning.score.text", lang))

data = plan_ui.planning_data()
coefficients = plan_ui.planning_coefficients()
weights = plan_ui.planning_weights()
scored = score_places(data.facts, weights, coefficients)

rank_tab, whatif_tab, trend_tab, map_tab, gaps_tab = st.tabs([
    t("planning.tab.rank", lang), t("planning.tab.whatif", lang), t("planning.tab.trends", lang),
    t("planning.tab.map", lang), t("planning.tab.gaps", lang)])
with rank_tab:
    views.ranking_tab(scored, data, coefficients, filters, district_names)
with trend_tab:
    views.trends_tab(scored, data, filters, district_names)
with map_tab:
    views.map_tab()
with whatif_tab:
    views.whatif_tab(data, district_names)
with gaps_tab:
    views.gaps_tab(data, plan_ui.planning_quotas(), filters, district_names)
