"""问题详情 — one problem's facts, history, photos and the moves its viewer may make.

URL: ``/problem?id=WT2026000123``. A problem outside the user's area reads as not found.
"""

import streamlit as st

from civmap import ui
from civmap.cases import NotFound
from civmap.i18n import t
from civmap.ui import auth, casework

lang = ui.lang()
ui.view_note()
user, role = auth.current()
st.title(t("page.problem", lang))

problem_id = st.text_input(t("case.ask_id", lang), value=st.query_params.get("id", "")).strip()
if not problem_id:
    st.stop()
st.query_params["id"] = problem_id
try:
    case = casework.current_case(user, problem_id)
except NotFound:
    st.warning(t("case.not_found", lang, id=ui.plain(problem_id)))
    st.stop()

banner = casework.done_banner(case)
casework.seen_version(case)
st.subheader(t("case.facts", lang))
st.dataframe(casework.facts_table(case, ui.district_names()), hide_index=True, width="stretch")
casework.move_forms(user, role, case, ui.current_store().units(), banner)
st.subheader(t("case.history", lang))
st.dataframe(casework.history_table(problem_id), hide_index=True, width="stretch")
casework.show_photos(problem_id)
