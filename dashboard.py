"""civmap: the Streamlit entry. The frame only: page config, navigation, language.

Run with ``streamlit run dashboard.py``; pages live in ``pages/`` and call ``civmap``.
"""

import streamlit as st

from civmap.i18n import t
from civmap.ui import lang

st.set_page_config(page_title=t("app.title", lang()), page_icon="🗺️", layout="wide")

code = lang()
PAGES = [
    st.Page("pages/overview.py", title=t("page.overview", code), icon="🗺️", default=True, url_path="overview"),
]
st.navigation(PAGES).run()
