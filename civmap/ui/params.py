"""URL query parameters and the shared sidebar: what a link asks for, and what it gets wrong.

Every page reads its parameters through here: the filters through ``sidebar_filters``
(``url_filters``), the wall's options through ``civmap.ui.wall.wall_options``. A value
that cannot be used never raises; it is named in one warning (``url_warnings``) and
ignored, and the rest of the link still applies.
"""

from __future__ import annotations

import re
from typing import Sequence

import streamlit as st

from civmap.filters import Filters, ParamProblem
from civmap.i18n import LANGS, t
from civmap.ui.core import code_multiselect, district_names, lang, vocab

__all__ = ["lang_problems", "language_picker", "sidebar_filters", "url_filters", "url_warnings"]


def lang_problems() -> list[ParamProblem]:
    """``?lang=`` when it names no language (``lang()`` then uses the default)."""
    wanted = st.query_params.get("lang")
    return [] if wanted is None or wanted in LANGS else [ParamProblem("lang", wanted, "unknown_lang", ", ".join(LANGS))]


def url_filters() -> tuple[Filters, tuple[ParamProblem, ...]]:
    """The Filters the URL asks for and every value left out of them (``?lang=`` included).

    Codes are checked against the vocabulary and the store's districts (and responsible
    units, when the URL names any), so an unknown code is reported instead of quietly
    widening or emptying the view.
    """
    v = vocab()
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    known = {"districts": district_names(), "point_categories": v.codes("point_categories"),
             "problem_categories": v.codes("problem_categories"), "statuses": v.codes("statuses"),
             "sources": v.codes("problem_sources")}
    if "unit" in params:  # the units table is only read when a URL asks for units
        from civmap.ui.progress import rank_names

        known["units"] = rank_names("unit")
    filters, problems = Filters.from_query_params(params, known)
    return filters, (*lang_problems(), *problems)


def _literal(text: str) -> str:
    """``text`` as a Markdown code span: shown as typed, never read as a link, an image or markup."""
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else ""


def url_warnings(problems: Sequence[ParamProblem]) -> None:
    """One warning naming each URL parameter value the page cannot use (it is ignored)."""
    if problems:
        code = lang()
        st.warning("\n\n".join(p.message(code, quote=_literal) for p in problems), icon=":material/link_off:")


def language_picker() -> None:
    """The sidebar's language choice; pages without filters show it alone."""
    with st.sidebar:
        st.selectbox(t("sidebar.lang", lang()), options=["zh", "en"], key="lang",
                     format_func=lambda c: {"zh": "简体中文", "en": "English"}[c])


def sidebar_filters() -> Filters:
    """The shared sidebar: language and the filters every page reads.

    Initial values come from the URL (``?district=D01&status=fixing``), so a view can be
    bookmarked; an empty selection means everything. Values the URL gets wrong are named
    in a warning on the page and left out.
    """
    v, code = vocab(), lang()
    from_url, problems = url_filters()
    url_warnings(problems)
    language_picker()
    with st.sidebar:
        st.header(t("sidebar.filters", code))
        districts = district_names()
        chosen_districts = code_multiselect("filter.districts", list(districts), districts, "f_districts",
                                        list(from_url.districts))
        point_categories = code_multiselect("filter.point_categories", v.codes("point_categories"),
                                        v.labels("point_categories", code), "f_point_categories",
                                        list(from_url.point_categories))
        problem_categories = code_multiselect("filter.problem_categories", v.codes("problem_categories"),
                                          v.labels("problem_categories", code), "f_problem_categories",
                                          list(from_url.problem_categories))
        statuses = code_multiselect("filter.statuses", v.codes("statuses"), v.labels("statuses", code), "f_statuses",
                                list(from_url.statuses) or v.unresolved_statuses)
    return Filters(districts=chosen_districts, point_categories=point_categories,
                   problem_categories=problem_categories, statuses=statuses)
