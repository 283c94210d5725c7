"""civmap: the Streamlit entry. The frame only: page config, who is signed in, navigation, language.

Run with ``streamlit run dashboard.py``; pages live in ``pages/`` and call ``civmap``.
Every page is behind the sign-in gate here (``civmap.ui.auth.gate``): a visitor who is not
signed in gets the sign-in form and no page; a signed-in user's navigation offers only the
pages his role may open, and every read is limited to his role's area.
"""

import streamlit as st

from civmap.i18n import t
from civmap.ui import ICON, auth, lang, overview
from civmap.ui.warmup import warm_up

warm_up()  # the whole city's caches, read in the background by the first run in a process

# A local file: a ":material/...:" page icon would be fetched from Google's font server.
st.set_page_config(page_title=t("app.title", lang()), page_icon=str(ICON), layout="wide")

signed_in = auth.gate()
code = lang()
#: (URL path, file, title key, icon); the overview lives at "/" (a default page has no path of its own).
PAGES = [
    ("", "overview", "page.overview", ":material/map:"),
    ("circles", "circles", "page.circles", ":material/radio_button_checked:"),
    ("progress", "progress", "page.progress", ":material/trending_up:"),
    ("planning", "planning", "page.planning", ":material/target:"),
    ("bulletin", "bulletin", "page.bulletin", ":material/description:"),
    ("wall", "wall", "page.wall", ":material/tv:"),
    ("ledger", "ledger", "page.import", ":material/upload_file:"),
    ("setup", "setup", "page.setup", ":material/checklist:"),
    ("problem", "problem", "page.problem", ":material/assignment:"),
    ("admin", "admin", "page.admin", ":material/manage_accounts:"),
]


def navigation(entries, position: str = "sidebar"):
    """The page this run draws, and the overview's ``st.Page`` (None: not one of ``entries``)."""
    pages = {name: st.Page(f"pages/{name}.py", title=t(title, code), icon=icon, url_path=path or None, default=i == 0)
             for i, (path, name, title, icon) in enumerate(entries)}
    return st.navigation(list(pages.values()), position=position), pages.get("overview")


if signed_in is None:
    # The sign-in form is on screen: every page, hidden and not run, keeps the link asked
    # for (``/problem?id=...``) so that it opens once the user has signed in.
    navigation(PAGES, position="hidden")
    st.stop()
user, role = signed_in
# Only the pages the role may open; the first is the default (a screen's wall: any link opens it).
entries = [entry for entry in PAGES if role.opens(entry[0])]
# A browser's first page, when it is the overview, draws its map before the navigation and the
# sidebar (civmap.ui.overview.first_paint); any other page gets them at once, as every later run.
held = overview.first_page()
page, overview_page = navigation(entries, position="hidden" if held else "sidebar")
if held and page is not overview_page:
    page, _ = navigation(entries)
    held = False
overview.hold_for_map(held)
if not held:
    auth.sidebar(user, role)
page.run()
