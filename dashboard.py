"""civmap: the Streamlit entry. The frame only: page config, navigation, language.

Run with ``streamlit run dashboard.py``; pages live in ``pages/`` and call ``civmap``.
"""

import streamlit as st

from civmap.i18n import t
from civmap.ui import ICON, lang
from civmap.ui.warmup import warm_up

warm_up()  # the whole city's caches, read in the background by the first run in a process

# A local file: a ":material/...:" page icon would be fetched from Google's font server.
st.set_page_config(page_title=t("app.title", lang()), page_icon=str(ICON), layout="wide")

code = lang()
PAGES = [
    # The default page lives at "/" (Streamlit gives it no path of its own).
    st.Page("pages/overview.py", title=t("page.overview", code), icon=":material/map:", default=True),
    st.Page("pages/circles.py", title=t("page.circles", code), icon=":material/radio_button_checked:", url_path="circles"),
    st.Page("pages/progress.py", title=t("page.progress", code), icon=":material/trending_up:", url_path="progress"),
    st.Page("pages/planning.py", title=t("page.planning", code), icon=":material/target:", url_path="planning"),
    st.Page("pages/bulletin.py", title=t("page.bulletin", code), icon=":material/description:", url_path="bulletin"),
    st.Page("pages/wall.py", title=t("page.wall", code), icon=":material/tv:", url_path="wall"),
    st.Page("pages/ledger.py", title=t("page.import", code), icon=":material/upload_file:", url_path="ledger"),
    st.Page("pages/setup.py", title=t("page.setup", code), icon=":material/checklist:", url_path="setup"),
    st.Page("pages/problem.py", title=t("page.problem", code), icon=":material/assignment:", url_path="problem"),
    st.Page("pages/admin.py", title=t("page.admin", code), icon=":material/manage_accounts:", url_path="admin"),
]
st.navigation(PAGES).run()
