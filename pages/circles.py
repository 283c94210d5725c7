"""重点点位圈 — key point-circles: every circle's members, problems and state; one circle on the map."""

import streamlit as st

from civmap import ui
from civmap.ui import picks
from civmap.circles.tables import (SORT_KEYS, circle_list, filter_circles, flagged_ties, member_list, problem_list,
                                   reason_text, sort_circles)
from civmap.circles.membership import summarise
from civmap.filters import ParamProblem
from civmap.i18n import t
from civmap.circles.ties import tie_summary

lang = ui.lang()
filters = ui.sidebar_filters(applies=("districts",))  # circles are places: only the district applies
settings, vocab = ui.settings(), ui.vocab()
district_names = ui.district_names()
kind_labels = vocab.labels("centre_kinds", lang)

st.title(t("page.circles", lang))
ui.setup_notice(("points", "circles", "inspections"))
if ui.missing_stages(("circles",)):
    st.stop()  # no circle designated yet: nothing below has anything to show

# -- what a circle is: radius and centre kinds (membership is recomputed on change) ---
left, middle, right = st.columns([1, 3, 1.4])
radius = left.number_input(t("circles.radius", lang), min_value=10.0, max_value=5000.0, step=10.0, format="%.0f",
                           value=float(settings.circle_radius_m), key="circles_radius",
                           help=t("circles.help.radius", lang))
kinds = middle.multiselect(t("circles.kinds", lang), options=vocab.codes("centre_kinds"),
                           default=[k for k in settings.centre_kinds if k in kind_labels],
                           format_func=lambda k: kind_labels.get(k, k), key="circles_kinds",
                           placeholder=t("filter.choose_placeholder", lang),  # empty keeps no circle
                           help=t("circles.help.kinds", lang))
sort_key = right.selectbox(t("circles.sort", lang), options=list(SORT_KEYS), key="circles_sort",
                           format_func=lambda k: t(f"circles.sort.{k}", lang))

# -- the state rule, explained and adjustable --------------------------------------------
default_rule = ui.circle_rule()
with st.expander(t("circles.rule.title", lang), expanded=False):
    c1, c2, c3 = st.columns(3)
    max_overdue = c1.number_input(t("circles.rule.max_overdue", lang), min_value=0, step=1,
                                  value=default_rule.max_overdue, key="circles_max_overdue")
    max_open = c2.number_input(t("circles.rule.max_open", lang), min_value=0, step=1,
                               value=default_rule.max_open, key="circles_max_open")
    min_standard = c3.slider(t("circles.rule.min_standard", lang), min_value=0, max_value=100, step=5,
                             value=int(round(default_rule.min_standard * 100)), format="%d%%",
                             key="circles_min_standard")
rule = default_rule.with_(max_overdue=max_overdue, max_open=max_open, min_standard=min_standard / 100)
st.caption(t("circles.rule.label", lang) + ui.plain(rule.describe(lang, vocab.labels("alley_states", lang))))

data = ui.circle_data(radius, kinds)
summary = summarise(data, rule)
shown = sort_circles(filter_circles(summary, districts=filters.districts), sort_key)

st.caption(t("circles.caption", lang, selection=ui.plain(filters.describe(vocab, district_names, lang)),
             radius=f"{data.radius_m:g}", date=data.as_of.isoformat()))
met = int((shown["state"] == "met").sum())
ui.metric_row([
    (t("fig.circles", lang), f"{len(shown):,}", None),
    (t("circles.fig.met", lang), f"{met:,}", t("circles.help.met", lang)),
    (t("circles.fig.members", lang), f"{int(shown['members'].sum()):,}", t("circles.help.members", lang)),
    (t("fig.open", lang), f"{int(shown['open'].sum()):,}", t("circles.help.open", lang)),
    (t("fig.overdue", lang), f"{int(shown['overdue'].sum()):,}", t("fig.help.overdue", lang)),
])

if shown.empty:
    st.info(t("circles.empty", lang))
    st.stop()

# -- the list; picking a row (or the box below) picks the circle ------------------------
ids = shown["circle_id"].tolist()
names = dict(zip(shown["circle_id"], shown["name"]))
clicked_circle = st.session_state.pop("circles_clicked", None)  # a circle clicked on the map, last run
if clicked_circle in ids:
    st.session_state["circles_pick"] = clicked_circle
if st.session_state.get("circles_pick") not in ids:
    wanted = st.query_params.get("circle")
    if wanted and wanted not in ids:  # a circle that does not exist, or one the filters leave out
        reason = "not_shown" if wanted in set(summary["circle_id"]) else "unknown_code"
        ui.url_warnings([ParamProblem("circle", wanted, reason)])
    st.session_state["circles_pick"] = wanted if wanted in ids else ids[0]


def _picked_row() -> None:
    rows = st.session_state["circles_table"].selection.rows
    if rows:
        st.session_state["circles_pick"] = st.session_state["circles_table_ids"][rows[0]]


st.session_state["circles_table_ids"] = ids
st.dataframe(circle_list(shown, vocab, district_names, lang), height=320, width="stretch",
             on_select=_picked_row, selection_mode="single-row", key="circles_table",
             column_config={t("circles.col.standard_share", lang): st.column_config.NumberColumn(format="%.1f%%")})

picked = st.selectbox(t("circles.pick", lang), options=ids, key="circles_pick",
                      format_func=lambda cid: f"{cid} {names[cid]}")
st.query_params["circle"] = picked
row = shown[shown["circle_id"] == picked].iloc[0]

MAP_HEIGHT = 600
map_col, side_col = st.columns([3, 2])
with map_col:
    clicked = ui.show_map(ui.circle_map_html(radius, kinds, picked, MAP_HEIGHT), MAP_HEIGHT, key="circles_map")
    if clicked is not None and clicked.layer == "circles" and clicked.id != picked:
        st.session_state["circles_clicked"] = clicked.id  # the picker is drawn: pick it on the next run
        st.rerun()
    picks.remember_pick("circles", clicked)
    member, _ = picks.current_pick("circles")
    if member is not None and member.layer != "circles":  # a member or a problem: its details under the map
        picks.show_details(filters, member)
with side_col:
    state = t(f"circles.state.{row['state']}", lang)
    # Names, chiefs and phones are ledger text: ui.plain keeps them from being read as Markdown.
    st.subheader(f"{ui.plain(row['name'])} · {state}")
    st.markdown(t("circles.detail", lang, kind=ui.plain(kind_labels.get(row["kind"], row["kind"])),
                  district=ui.plain(district_names.get(row["district_code"], row["district_code"])),
                  chief=ui.plain(row["chief_name"] or "—"), phone=ui.plain(row["chief_phone"] or "—"),
                  unit=ui.plain(row["unit_name"] or "—")))
    st.caption(t("circles.centre", lang, centre=ui.plain(row["centre_id"]), lon=f"{row['centre_lon']:.6f}",
                 lat=f"{row['centre_lat']:.6f}"))
    if row["reasons"]:
        st.warning(ui.plain(reason_text(row["reasons"], lang)))
    members = data.members[data.members["circle_id"] == picked]
    problems = data.problems[(data.problems["circle_id"] == picked) & data.problems["open"]]
    st.markdown(t("circles.members_title", lang, n=len(members)))
    st.dataframe(member_list(members, vocab, lang), hide_index=True, height=250, width="stretch")
    st.markdown(t("circles.problems_title", lang, n=len(problems), overdue=int(problems["overdue"].sum())))
    st.dataframe(problem_list(problems, vocab, lang), hide_index=True, height=220, width="stretch")

# -- how problems are tied to places -----------------------------------------------------
counts = tie_summary(data.ties)
with st.expander(t("circles.ties.title", lang, too_far=counts["too_far"]), expanded=False):
    st.markdown(t("circles.ties.text", lang, distance=f"{data.tie_distance_m:g}", **counts))
    flagged = flagged_ties(data.ties, district_names, lang)
    if len(flagged):
        st.dataframe(flagged, hide_index=True, width="stretch")
