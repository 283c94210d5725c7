"""城市设置 — the office's set-up: what is loaded, what is missing, the next step, the vocabularies."""

import streamlit as st

from civmap import ui
from civmap.i18n import t

lang = ui.lang()
ui.view_note()
status = ui.setup_state()

st.title(t("setup.title", lang))
if status.is_demo:
    st.info(t("setup.demo", lang))
st.caption(t("setup.intro", lang))
st.dataframe(ui.stage_table(status), hide_index=True, width="stretch")

following = status.next_stage
if following is None:
    st.success(t("setup.all_loaded", lang))
else:
    st.warning(t("setup.next.line", lang, how=t("setup.how." + following.code, lang),
                 command=ui.import_command(following.kind)))

st.subheader(t("setup.by_district", lang))
st.dataframe(ui.district_table(status), width="stretch")

st.subheader(t("setup.vocab", lang))
for title, table in ui.vocabulary_tables():
    with st.expander(title):
        st.dataframe(table, hide_index=True, width="stretch")
