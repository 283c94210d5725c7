"""What a page does with a feature picked on the map or in a list: its details beside the map.

A pick (``civmap.ui.mapchannel.MapPick``) lives in the session under the page's key until
the next one, since the map reports a click on one run only. A list row picked on the page
is also the map's ``focus``: the map flies to that feature and opens it. The details are
the popup's own fields (``civmap.maps.tables.feature_details``), so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import streamlit as st

from civmap.filters import Filters
from civmap.i18n import area_names, t
from civmap.maps import tables
from civmap.storage.scope import Scope
from civmap.ui.core import cache_key, current_store, lang, selection, settings, vocab
from civmap.ui.mapchannel import MapPick
from civmap.ui.params import view_filters, view_params
from civmap.ui.text import plain

__all__ = ["current_pick", "pick_details", "picked_row", "problem_link", "remember_pick", "show_details"]

#: Each layer's table builder and the column its details are titled by.
_TABLES = {"points": ("point_table", "name"), "circles": ("circle_table", "name"),
           "alleys": ("alley_table", "name"), "problems": ("problem_table", "description")}


@st.cache_data(max_entries=64, show_spinner=False)
def _details(version: str, scope: Scope, filters: Filters, layer: str, feature_id: str, lang_code: str,
             as_of: dt.date):
    layers = selection(filters)
    names = area_names(layers.districts, lang_code)
    if layer == "districts":
        return (names[feature_id], []) if feature_id in names else None
    builder, title = _TABLES[layer]
    frame = getattr(layers, layer)
    if layer == "problems":
        frame, fields = tables.problem_table(frame, vocab(), lang_code, names, as_of)
    elif layer == "circles":
        frame, fields = tables.circle_table(frame, vocab(), lang_code, names, settings().circle_radius_m)
    else:
        frame, fields = getattr(tables, builder)(frame, vocab(), lang_code, names)
    return tables.feature_details(frame, fields, feature_id, title)


def pick_details(filters: Filters, pick: MapPick) -> tuple[str, list[tuple[str, str]]] | None:
    """(title, [(label, text)]) of the picked feature within ``filters``; None when the
    selection does not hold it (a filter changed since, or the id is unknown)."""
    return _details(*cache_key(), filters, pick.layer, pick.id, lang(), current_store().as_of())


def remember_pick(key: str, pick: MapPick | None, focus: bool = False) -> None:
    """Keep ``pick`` as the page's current one (``focus``: the map is to fly to it too)."""
    if pick is not None:
        st.session_state[f"{key}__pick"] = pick
        st.session_state[f"{key}__focus"] = pick if focus else st.session_state.get(f"{key}__focus")


def current_pick(key: str) -> tuple[MapPick | None, MapPick | None]:
    """The page's current pick and the map's focus (the last list row picked), if any."""
    return st.session_state.get(f"{key}__pick"), st.session_state.get(f"{key}__focus")


def picked_row(key: str, table_key: str, ids: list[str]) -> Callable[[], None]:
    """An ``on_select`` callback for a list of problems: the row picked becomes the page's
    pick and the map's focus (``ids`` are the rows' problem ids, in the table's order)."""
    st.session_state[f"{table_key}__ids"] = ids

    def picked() -> None:
        rows = st.session_state[table_key].selection.rows
        row_ids = st.session_state.get(f"{table_key}__ids", [])
        if rows and rows[0] < len(row_ids):
            remember_pick(key, MapPick("problems", str(row_ids[rows[0]])), focus=True)

    return picked


def show_details(filters: Filters, pick: MapPick | None, on_district: Callable[[str], None] | None = None) -> None:
    """The details panel: the picked feature's fields, or a hint to pick one.

    A district offers ``on_district`` (the overview: show only this district).
    """
    code = lang()
    st.markdown(f"**{t('pick.title', code)}**")
    if pick is None:
        st.caption(t("pick.hint", code))
        return
    found = pick_details(filters, pick)
    if found is None:
        st.caption(t("pick.gone", code, id=plain(pick.id)))
        return
    title, lines = found
    st.markdown(f"##### {plain(title)}")
    if pick.layer == "districts":
        chosen = tuple(filters.districts) == (pick.id,)
        if on_district is not None and not chosen:
            st.button(t("pick.only_district", code, name=plain(title)), key="pick_only_district",
                      on_click=on_district, args=(pick.id,), icon=":material/filter_alt:", type="primary")
        elif chosen:
            st.caption(t("pick.district_chosen", code))
        return
    st.caption(t(f"layer.{pick.layer}", code))
    problem_link(pick)
    st.markdown("\n".join(f"- **{plain(label)}**：{plain(text)}" if code == "zh" else f"- **{plain(label)}**: {plain(text)}"
                          for label, text in lines))


def problem_link(pick: MapPick | None) -> None:
    """A link to the picked problem's own page (问题详情), where its moves are made.

    ``st.page_link`` opens it in the same tab: the sign-in lives in this tab's session, and
    a new tab would ask for the password again. The link carries the view (language and
    filters), as the address bar does.
    """
    if pick is None or pick.layer != "problems":
        return
    st.page_link("pages/problem.py", label=t("pick.open_problem", lang(), id=plain(pick.id)),
                 query_params={"id": pick.id, **view_params(view_filters())}, icon=":material/assignment:",
                 help=t("pick.open_problem_help", lang()))
