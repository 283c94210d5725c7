"""台账导入导出 — bring ledgers in (checked, previewed, then committed) and take the selection out."""

import streamlit as st

from civmap import ledger, ui
from civmap.storage.health import StoreError
from civmap.i18n import t
from civmap.ledger.export import FORMATS, MEDIA_TYPES, export_file_name
from civmap.ui import auth

lang = ui.lang()
user, role = auth.current()
st.title(t("page.import", lang))
if not role.may("import"):  # the navigation does not offer it; a typed URL is told why
    st.warning(t("auth.forbidden", lang))
    st.stop()
filters = ui.sidebar_filters()
tab_in, tab_out = st.tabs([t("ledger.tab.import", lang), t("ledger.tab.export", lang)])

with tab_in:
    st.caption(t("ledger.intro", lang))
    flash = st.session_state.pop("ledger_result", None)
    if flash:
        st.success(ui.plain(flash))
    left, right = st.columns(2)
    kind = left.selectbox(t("ledger.kind", lang), ledger.KINDS, index=ledger.KINDS.index("points"),  # the usual one
                          key="ledger_kind", format_func=lambda k: t(f"ledger.kind.{k}", lang))
    crs = right.selectbox(t("ledger.crs", lang), ("wgs84", "gcj02", "bd09"), key="ledger_crs",
                          format_func=lambda c: t(f"ledger.crs.{c}", lang))
    create_units = False
    if kind in ledger.UNIT_NAMING_KINDS:
        create_units = st.checkbox(t("ledger.create_units", lang), key="ledger_create_units",
                                   help=t("ledger.create_units.help", lang))
    year = None
    if kind in ledger.DATED_KINDS:
        year = right.number_input(t("ledger.year", lang), min_value=1900, max_value=2100, value=None, step=1,
                                 placeholder=t("ledger.year.placeholder", lang), key="ledger_year",
                                 help=t("ledger.year.help", lang))
    upload = st.file_uploader(t("ledger.upload", lang), key="ledger_file",
                              type=[suffix.lstrip(".") for suffix in ledger.SUFFIXES])
    checked = None
    if upload is not None:
        try:
            checked = ui.ledger_check(upload.getvalue(), upload.name, kind, crs, create_units, year)
        except ledger.LedgerError as error:
            st.error(ui.plain(f"{upload.name}: {error.message(lang)}"))
    if checked is not None:
        counts = checked.summary()
        ui.metric_row([(t(f"ledger.m.{key}", lang), f"{counts[key]:,}", None)
                       for key in ("rows", "good", "bad", "insert", "update", "same", "remove")
                       if key != "remove" or counts[key]])
        if checked.new_units or checked.raw.skipped:
            st.caption(ui.plain(ledger.summary_text(checked, lang)))
        for note in ledger.notes_text(checked, lang):  # sheet names and column headers from the file
            st.caption(ui.plain(note))
        st.subheader(t("ledger.bad_rows", lang))
        if checked.issues:
            st.dataframe(ledger.issues_frame(checked, lang), hide_index=True, width="stretch")
            st.download_button(t("ledger.download_rejects", lang), data=ledger.rejects_csv(checked, lang),
                               file_name=f"{upload.name.rsplit('.', 1)[0]}.rejects.csv", mime="text/csv",
                               key="ledger_rejects")
        else:
            st.info(t("ledger.no_bad_rows", lang))
        st.subheader(t("ledger.preview", lang))
        shown = 500
        st.dataframe(ledger.preview_frame(checked, ui.vocab(), ui.ledger_names(), lang, limit=shown),
                     hide_index=True, width="stretch")
        if counts["good"] > shown:
            st.caption(t("ledger.preview_more", lang, shown=shown, total=counts["good"]))
        changes = counts["insert"] + counts["update"] + counts["remove"]
        if changes == 0:
            st.caption(t("ledger.nothing_to_commit", lang))
        if st.button(t("ledger.commit", lang, count=changes), type="primary", disabled=changes == 0,
                     key="ledger_commit"):
            try:
                result = ui.ledger_commit(checked, upload.name, kind, user)
            except (StoreError, ledger.LedgerError) as error:  # locked, gone, out of scope: nothing written
                st.error(ui.plain(error.message(lang)))
            else:
                st.session_state["ledger_result"] = ledger.committed_text(result, lang)
                st.rerun()

with tab_out:
    st.caption(t("ledger.export.caption", lang,
                 selection=ui.plain(filters.describe(ui.vocab(), ui.district_names(), lang))))
    st.caption(t("ledger.export.help", lang))
    day = ui.current_store().as_of()
    tag = filters.file_tag(ui.vocab(), ui.district_names(), lang)  # the file names say what they hold
    for start in range(0, len(FORMATS), 3):  # rows of three: the ledger files, then Open311's other forms
        if start:
            st.caption(t("ledger.export.open311_help", lang))
        for column, fmt in zip(st.columns(3), FORMATS[start:start + 3]):
            column.download_button(t(f"ledger.export.{fmt}", lang),
                                   data=ui.ledger_export(fmt, filters),
                                   file_name=export_file_name(fmt, day, tag), mime=MEDIA_TYPES[fmt], key=f"ledger_{fmt}")
