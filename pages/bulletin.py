"""通报 — the fortnightly bulletin: pick a period (and a district), get the Word document."""

import streamlit as st

from civmap import ui
from civmap.bulletin.context import number_text
from civmap.bulletin.document import TemplateError
from civmap.bulletin.report import PdfUnavailable
from civmap.filters import Filters
from civmap.i18n import t

lang = ui.lang()
ui.view_note()
st.title(t("page.bulletin", lang))
if not ui.setup_notice(("problems",)):
    st.stop()  # a bulletin of nothing would be a page of zeros
st.caption(t("bulletin.ui.caption", lang))

names = ui.district_names()
period, where = st.columns([3, 2])
with period:
    start, end = ui.bulletin_period()
district = where.selectbox(t("bulletin.ui.district", lang), [None, *names], key="b_district",
                           format_func=lambda code: t("bulletin.ui.city", lang) if code is None else names[code])
number = st.text_input(t("bulletin.ui.number", lang), value=number_text(end, lang), key="b_number")
upload = st.file_uploader(t("bulletin.ui.template", lang), type=["docx"], key="b_template",
                          help=t("bulletin.ui.template_help", lang))
want_pdf = st.checkbox(t("bulletin.ui.pdf", lang), key="b_pdf", disabled=not ui.pdf_available(),
                       help=None if ui.pdf_available() else t("bulletin.ui.no_pdf", lang))
if not ui.pdf_available():
    st.caption(t("bulletin.ui.no_pdf", lang))

if st.button(t("bulletin.ui.make", lang), type="primary", key="b_make", icon=":material/description:"):
    st.session_state["b_wanted"] = (start, end, district, number, upload.getvalue() if upload else None)

wanted = st.session_state.get("b_wanted")
if wanted:
    w_start, w_end, w_district, w_number, w_template = wanted
    try:
        with st.spinner(t("bulletin.ui.making", lang)):
            docx, summary = ui.made_bulletin(w_start, w_end, w_district, w_template, w_number)
    except TemplateError as error:
        st.error(t("bulletin.ui.template_error", lang, error=ui.plain(str(error))))
        st.stop()
    st.success(ui.plain(summary))
    where = Filters(districts=(w_district,) if w_district else ()).file_tag(ui.vocab(), names, lang)
    stem = f"{t('page.bulletin', lang)}-{where}-{w_start.isoformat()}~{w_end.isoformat()}"
    left, right = st.columns(2)
    left.download_button(t("bulletin.ui.download", lang), docx, file_name=f"{stem}.docx", key="b_docx",
                         mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         on_click="ignore", icon=":material/download:")
    if want_pdf:
        try:
            with st.spinner(t("bulletin.ui.making_pdf", lang)):
                pdf = ui.bulletin_pdf(docx)
            right.download_button(t("bulletin.ui.download_pdf", lang), pdf, file_name=f"{stem}.pdf", key="b_pdf_dl",
                                  mime="application/pdf", on_click="ignore", icon=":material/picture_as_pdf:")
        except PdfUnavailable as error:
            right.warning(ui.plain(str(error)))
