"""短板分析 — the planner's view: where next month's effort buys the most points."""

import streamlit as st

from civmap import ui
from civmap.i18n import t
from civmap.planning.rank import KINDS, rank_places
from civmap.planning.score import breakdown, score_places
from civmap.ui import planning as plan_ui

lang = ui.lang()
filters = ui.sidebar_filters()
district_names = ui.district_names()

st.title(t("page.planning", lang))
if not ui.setup_notice(("points", "inspections")):
    st.stop()  # the score starts from inspections: nothing to rank without them
st.caption(t("planning.caption", lang, districts=ui.plain(
    t("list.sep", lang).join(district_names.get(d, d) for d in filters.districts) or t("planning.all_districts", lang)),
    date=ui.store().as_of().isoformat()))
with st.expander(t("planning.score.title", lang), expanded=False):
    st.markdown(t("planning.score.text", lang))

data = plan_ui.planning_data()
coefficients = plan_ui.planning_coefficients()
weights = plan_ui.planning_weights()
scored = score_places(data.facts, weights, coefficients)

# -- the ranked list ------------------------------------------------------------------------
left, right = st.columns([3, 1])
kind = left.segmented_control(t("planning.kind", lang), list(KINDS), default="circle", key="planning_kind",
                              format_func=lambda k: t(f"planning.kind.{k}", lang)) or "circle"
top = right.number_input(t("planning.top", lang), min_value=5, max_value=500, value=30, step=5, key="planning_top")
ranked = rank_places(scored, kind, data.circles, data.members, districts=filters.districts, top=int(top))
if ranked.empty:
    st.info(t("planning.empty", lang))
    st.stop()

st.dataframe(plan_ui.ranked_display(ranked, district_names), hide_index=True, width="stretch", height=360,
             key="planning_table", on_select="rerun", selection_mode="multi-row")
chosen = [ranked["key"].iloc[i] for i in st.session_state["planning_table"].selection.rows if i < len(ranked)]
if st.button(t("planning.add", lang, n=len(chosen)), key="planning_add", disabled=not chosen):
    plan_ui.add_to_plan((kind, key) for key in chosen)
st.caption(t("planning.plan_size", lang, n=len(plan_ui.plan_items())))

# -- how one score was made -------------------------------------------------------------------
labels = ui.vocab().labels("point_categories", lang)
names = {key: (f"{district_names.get(d, d)} {labels.get(c, c)}" if kind == "category" else name)
         for key, name, d, c in zip(ranked["key"], ranked["name"], ranked["district_code"], ranked["category"])}
picked = st.selectbox(t("planning.pick", lang), options=ranked["key"].tolist(), key="planning_pick",
                      format_func=lambda k: f"{names[k]} ({k})")
row = ranked[ranked["key"] == picked].iloc[0]
st.markdown(t("planning.breakdown", lang, name=ui.plain(names[picked]), score=f"{row['score']:.1f}"))
st.dataframe(plan_ui.breakdown_display(breakdown(row), coefficients), hide_index=True, width="stretch")
