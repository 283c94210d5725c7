"""账号管理 — accounts and the audit trail, for the campaign office (``manage_accounts``)."""

import streamlit as st

from civmap import ui
from civmap.i18n import t
from civmap.ui import admin, auth

lang = ui.lang()
ui.view_note()
user, role = auth.current()
st.title(t("admin.title", lang))
if not role.may("manage_accounts"):
    st.warning(t("auth.forbidden", lang))
    st.stop()

st.subheader(t("admin.users", lang))
st.dataframe(admin.users_table(), hide_index=True, width="stretch")
admin.add_user_form(user)
admin.change_user_form(user)
admin.audit_section()
