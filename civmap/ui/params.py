"""The user's view (filters, period, language), kept for the whole session and held in the URL.

Streamlit gives the widgets of each page an identity of their own, so a sidebar widget's
value is lost when the user changes page, and ``st.navigation`` drops the URL's query
parameters on the way. The view therefore lives in one session entry (``VIEW``: widget
key → value). Every page's sidebar widgets start from it and write back to it when
changed, and every run writes it to the URL, so a page switch, a reload or a shared link
opens the same view.

The view starts from the URL the session opened with. A value the URL gets wrong never
raises: it is named in one warning (``url_warnings``; shown until the user changes the
view) and ignored, and the rest of the link still applies. The wall reads its own link
(``civmap.ui.wall.wall_options``) and leaves the view alone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Collection, Sequence

import streamlit as st

from civmap.filters import ALL, Filters, ParamProblem
from civmap.i18n import LANGS, t
from civmap.ui.core import LANG_KEY, district_names, lang, vocab

__all__ = ["SHARED_FILTERS", "filters_without_sidebar", "kept_value", "kept_widget", "lang_problems", "language_picker",
           "set_view", "sidebar_filters", "url_filters", "url_period", "url_warnings", "view_filters", "view_note",
           "view_params", "write_url"]

#: Session entries: the view (widget key → value) and the URL's unusable values.
VIEW, PROBLEMS = "civmap_view", "civmap_url_problems"

#: The shared sidebar filters: (Filters field, widget key, vocabulary kind; None: districts).
_MULTI = (("districts", "f_districts", None), ("point_categories", "f_point_categories", "point_categories"),
          ("problem_categories", "f_problem_categories", "problem_categories"),
          ("statuses", "f_statuses", "statuses"))
#: What a page may apply: the four lists and the found dates (``found``).
SHARED_FILTERS = ("districts", "point_categories", "problem_categories", "statuses", "found")

#: The URL parameters the view writes; a page's own (``circle``, ``id``) are left as they are.
#: The earliest found date the sidebar offers; a range starting here has no start.
OPEN_START = dt.date(2000, 1, 1)

_VIEW_PARAMS = ("district", "point_category", "problem_category", "status", "found_from", "found_until", "unit",
                "source", "period_from", "period_until", "lang")


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
    params = _params()
    known = {"districts": district_names(), "point_categories": v.codes("point_categories"),
             "problem_categories": v.codes("problem_categories"), "statuses": v.codes("statuses"),
             "sources": v.codes("problem_sources")}
    if "unit" in params:  # the units table is only read when a URL asks for units
        from civmap.ui.progress import rank_names

        known["units"] = rank_names("unit")
    filters, problems = Filters.from_query_params(params, known)
    return filters, (*lang_problems(), *problems)


def url_period() -> tuple[tuple[dt.date, dt.date] | None, tuple[ParamProblem, ...]]:
    """The period ``?period_from=&period_until=`` asks for (both, or None) and what it gets wrong."""
    params = _params()
    period = Filters.from_query_params({"found_from": params.get("period_from", []),
                                        "found_until": params.get("period_until", [])})
    renamed = {"found_from": "period_from", "found_until": "period_until"}
    problems = tuple(ParamProblem(renamed[p.param], p.value, p.reason, p.detail) for p in period[1])
    start, end = period[0].found_from, period[0].found_until
    return ((start, end) if start and end else None), problems


def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


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


# -- the session's view ----------------------------------------------------------------------
def _view() -> dict:
    """The session's view, made from the URL on the session's first page that has one."""
    if VIEW not in st.session_state:
        filters, problems = url_filters()
        period, period_problems = url_period()
        given_statuses = _params().get("status", [])
        statuses = ([] if ALL in ",".join(given_statuses).split(",")
                    else list(filters.statuses) or vocab().unresolved_statuses)
        found = (filters.found_from or OPEN_START, filters.found_until) if filters.found_until else (
            (filters.found_from,) if filters.found_from else ())
        st.session_state[VIEW] = {"f_districts": list(filters.districts),
                                  "f_point_categories": list(filters.point_categories),
                                  "f_problem_categories": list(filters.problem_categories),
                                  "f_statuses": statuses, "f_found": found, "p_units": list(filters.units),
                                  "p_sources": list(filters.sources), "p_period": period}
        st.session_state[PROBLEMS] = (*problems, *period_problems)
    return st.session_state[VIEW]


def _keep(key: str) -> None:
    """A view widget changed: the view follows, and the link's old complaints are done with."""
    st.session_state[VIEW][key] = st.session_state[key]
    st.session_state.pop(PROBLEMS, None)


def set_view(key: str, value) -> None:
    """Change the view from the page (a district picked on the map); the widget follows on
    the next run. Call it from a callback, before the widgets are drawn again."""
    _view()[key] = value
    st.session_state.pop(PROBLEMS, None)


def kept_value(key: str, default=None):
    """The view's value for widget ``key`` (``default`` while the view has none)."""
    value = _view().get(key)
    return default if value is None else value


def kept_widget(key: str, default=None, as_value: bool = False) -> dict:
    """Keyword arguments that make a widget keep its value in the view across pages.

    The widget's state is set from the view before it is drawn (so give the widget no
    ``value``/``default`` of its own) and copied back when the user changes it. A date
    range must be given its value to be a range: ``as_value`` passes the view's value as
    ``value`` instead (the widget keeps its own state while on its page and starts from
    the view on the next).
    """
    value = kept_value(key, default)
    if as_value:
        return {"value": value, "key": key, "on_change": _keep, "args": (key,)}
    st.session_state[key] = value
    return {"key": key, "on_change": _keep, "args": (key,)}


def _lang_kept() -> None:
    st.session_state[LANG_KEY] = st.session_state["lang"]


def language_picker() -> None:
    """The sidebar's language choice, kept for the session like the filters."""
    st.session_state["lang"] = lang()
    with st.sidebar:
        st.selectbox(t("sidebar.lang", lang()), options=list(LANGS), key="lang", on_change=_lang_kept,
                     format_func=lambda c: {"zh": "简体中文", "en": "English"}[c])


def _found(value) -> tuple[dt.date | None, dt.date | None]:
    """(from, until) of a found-date range widget's value: (), (start,) or (start, end)."""
    value = tuple(value or ())
    start = value[0] if value and value[0] != OPEN_START else None
    return start, (value[1] if len(value) > 1 else None)


def view_filters() -> Filters:
    """The view's shared filters, whole (the sidebar may show some as not applied)."""
    view = _view()
    start, end = _found(view["f_found"])
    return Filters.create(**{name: view[key] for name, key, _ in _MULTI}, found_from=start, found_until=end)


def _choices(code: str) -> list[tuple[str, str, list[str], dict[str, str]]]:
    """(Filters field, widget key, options, labels) of each shared list filter."""
    v, names = vocab(), district_names()
    return [(name, key, list(names) if kind is None else v.codes(kind), names if kind is None else v.labels(kind, code))
            for name, key, kind in _MULTI]


def _drop_unoffered(choices) -> None:
    """Take out of the view the codes its lists no longer offer (a district since removed
    from the store, one outside the user's area), so that the view and the sidebar agree."""
    view = _view()
    for _, key, options, _ in choices:
        view[key] = [c for c in kept_value(key, []) if c in options]


def filters_without_sidebar() -> Filters:
    """The view's filters for a run that draws its sidebar later or not at all (the
    overview, whose map goes first), with the warning about the link that ``sidebar_filters``
    would show, in the same place."""
    _drop_unoffered(_choices(lang()))
    url_warnings(st.session_state.get(PROBLEMS, ()))
    return view_filters()


def view_params(filters: Filters, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The URL parameters of the view: the filters, the language and ``extra`` (a page's
    period, its units); for the address bar and for a link that opens another page in it."""
    return {**filters.to_query_params(explicit_all=("statuses",)), **(extra or {}), "lang": [lang()]}


def write_url(filters: Filters, extra: dict[str, list[str]] | None = None) -> None:
    """Put the view in the address bar (``view_params``); the view's parameters a page does
    not use are taken out."""
    wanted = view_params(filters, extra)
    for key in _VIEW_PARAMS:
        if key in wanted:
            if st.query_params.get_all(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def sidebar_filters(applies: Collection[str] = SHARED_FILTERS, write: bool = True, warn: bool = True) -> Filters:
    """The shared sidebar (language and filters) and the Filters this page applies.

    Every page with filters shows all of them, so the view looks the same everywhere; one
    that this page does not apply (``applies`` names those it does) is greyed out with a
    note beside it and left out of the returned Filters. An empty selection means
    everything; for the statuses that includes closed problems. ``write=False``: the page
    writes the URL itself (``write_url``), with its own parameters. ``warn=False``: the page
    showed the link's warning already (``filters_without_sidebar``).
    """
    code = lang()
    choices = _choices(code)
    _drop_unoffered(choices)
    if warn:
        url_warnings(st.session_state.get(PROBLEMS, ()))
    language_picker()
    with st.sidebar:
        st.header(t("sidebar.filters", code))
        for name, key, options, labels in choices:
            st.multiselect(t(f"filter.{name}", code), options=options, format_func=lambda c, l=labels: l.get(c, c),
                           placeholder=t("filter.all_placeholder", code), disabled=name not in applies,
                           **kept_widget(key))
            if name not in applies:
                st.caption(t("filter.not_applied", code))
        st.date_input(t("filter.found", code), format="YYYY-MM-DD", disabled="found" not in applies,
                      min_value=OPEN_START, help=t("filter.found_help", code),
                      **kept_widget("f_found", (), as_value=True))
        if "found" not in applies:
            st.caption(t("filter.not_applied", code))
    shared = view_filters()
    if write:
        write_url(shared)
    cleared = {name: () for name, _, _ in _MULTI if name not in applies}
    if "found" not in applies:
        cleared |= {"found_from": None, "found_until": None}
    return shared.with_(**cleared)


def view_note() -> None:
    """For a page with no filters (the bulletin, the set-up): the language, and the view kept
    in the link for the next page, with a note that this page does not use it."""
    _view()
    url_warnings(st.session_state.get(PROBLEMS, ()))
    language_picker()
    with st.sidebar:
        st.caption(t("filter.kept_elsewhere", lang()))
    write_url(view_filters())
