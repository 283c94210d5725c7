"""The Planning page's tabs (pages/planning.py): each draws one part of the page from
the planner's data; the numbers come from ``civmap.planning``, the words from i18n."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from civmap.filters import Filters
from civmap.ui.progress import date_range_input
from civmap.i18n import t
from civmap.planning.charts import trend_chart
from civmap.planning.rank import KINDS, circle_places, rank_places
from civmap.planning.score import breakdown
from civmap.planning.trends import LEVELS, falling_categories, trend
from civmap.ui.core import current_store, lang, settings, show_map, vocab
from civmap.ui.planning import (add_to_plan, breakdown_display, effect_display, hex_map_html, plan_effect, plan_items,
                                plans_file, ranked_display, remove_from_plan, set_plan, task_file)
from civmap.ui.text import plain

__all__ = ["ranking_tab", "trends_tab", "map_tab", "whatif_tab", "gaps_tab"]


def _selected_rows(key: str) -> list[int]:
    """Rows picked in the table ``key`` (its selection state, read by item so that a state
    set from outside, as a test does, reads the same)."""
    state = st.session_state.get(key) or {}
    return list((state.get("selection") or {}).get("rows", []))


def _names(ranked: pd.DataFrame, kind: str, district_names: dict[str, str]) -> dict[str, str]:
    labels = vocab().labels("point_categories", lang())
    return {key: (f"{district_names.get(d, d)} {labels.get(c, c)}" if kind == "category" else name)
            for key, name, d, c in zip(ranked["key"], ranked["name"], ranked["district_code"], ranked["category"])}


def ranking_tab(scored: pd.DataFrame, data, coefficients: dict[str, float], filters: Filters,
                district_names: dict[str, str]) -> None:
    """The ranked list; rows picked in it go into the plan; one row's score opened."""
    code = lang()
    left, right = st.columns([3, 1])
    kind = left.segmented_control(t("planning.kind", code), list(KINDS), default="circle", key="planning_kind",
                                  format_func=lambda k: t(f"planning.kind.{k}", code)) or "circle"
    top = right.number_input(t("planning.top", code), min_value=5, max_value=500, value=30, step=5,
                             key="planning_top")
    ranked = rank_places(scored, kind, data.circles, data.members, districts=filters.districts, top=int(top))
    if ranked.empty:
        st.info(t("planning.empty", code))
        return
    st.dataframe(ranked_display(ranked, district_names), hide_index=True, width="stretch", height=360,
                 key="planning_table", on_select="rerun", selection_mode="multi-row")
    rows = _selected_rows("planning_table")
    chosen = [ranked["key"].iloc[i] for i in rows if i < len(ranked)]
    if st.button(t("planning.add", code, n=len(chosen)), key="planning_add", disabled=not chosen):
        add_to_plan((kind, key) for key in chosen)
    st.caption(t("planning.plan_size", code, n=len(plan_items())))

    names = _names(ranked, kind, district_names)
    picked = st.selectbox(t("planning.pick", code), options=ranked["key"].tolist(), key="planning_pick",
                          format_func=lambda k: f"{names[k]} ({k})")
    row = ranked[ranked["key"] == picked].iloc[0]
    st.markdown(t("planning.breakdown", code, name=plain(names[picked]), score=f"{row['score']:.1f}"))
    st.dataframe(breakdown_display(breakdown(row), coefficients), hide_index=True, width="stretch",
                 key="planning_breakdown")


def trends_tab(scored: pd.DataFrame, data, filters: Filters, district_names: dict[str, str]) -> None:
    """Score rate per round for a point, category, circle or district; the categories
    that fell most since the previous round."""
    code = lang()
    inspections = data.inspections
    if filters.districts:
        inspections = inspections[inspections["district_code"].isin(filters.districts)]
    left, right = st.columns([1, 2])
    level = left.selectbox(t("planning.trend.level", code), list(LEVELS), key="planning_trend_level",
                           format_func=lambda k: t(f"planning.trend.level.{k}", code))
    if level in ("point", "circle"):
        ranked = rank_places(scored, level, data.circles, data.members, districts=filters.districts, top=200)
        options, names = ranked["key"].tolist(), _names(ranked, level, district_names)
    elif level == "category":
        labels = vocab().labels("point_categories", code)
        options = sorted(set(inspections["category"]))
        names = {c: labels.get(c, c) for c in options}
    else:
        options = [d for d in district_names if not filters.districts or d in filters.districts]
        names = district_names
    picked = right.selectbox(t("planning.trend.pick", code), options=options, key="planning_trend_pick",
                             format_func=lambda k: names.get(k, k))
    points = circle_places(data.circles, data.members)
    series = trend(inspections, level, picked, points[points["place_type"] == "point"]) if picked else pd.DataFrame()
    if series.empty:
        st.info(t("planning.trend.none", code))
    else:
        title = f"{t(f'planning.trend.level.{level}', code)}：{names.get(picked, picked)}"
        st.plotly_chart(trend_chart(series, settings().standard_score, title, code), key="planning_trend_chart")
    st.caption(t("planning.trend.rounds_help", code))

    falling = falling_categories(inspections)
    if falling.empty:
        st.info(t("planning.trend.falling_none", code))
        return
    st.markdown("**" + t("planning.trend.falling", code, previous=falling["previous_round"].iloc[0],
                         latest=falling["latest_round"].iloc[0]) + "**")
    labels = vocab().labels("point_categories", code)
    st.dataframe(pd.DataFrame({
        t("planning.col.category", code): falling["category"].map(labels).fillna(falling["category"]),
        t("planning.col.previous", code): (falling["previous"] * 100).round(1),
        t("planning.col.latest", code): (falling["latest"] * 100).round(1),
        t("planning.col.change", code): (falling["change"] * 100).round(1),
        t("planning.col.inspections", code): falling["inspections"],
    }), hide_index=True, width="stretch", key="planning_falling")


MAP_HEIGHT = 560


def map_tab() -> None:
    """Problems per hexagon over a period, or the change between two periods."""
    code, v = lang(), vocab()
    as_of = current_store().as_of()
    c1, c2, c3 = st.columns([1.2, 1, 2])
    mode = c1.segmented_control(t("planning.map.mode", code), ["density", "change"], default="density",
                                key="planning_map_mode", format_func=lambda m: t(f"planning.map.mode.{m}", code))
    mode = mode or "density"
    size = c2.number_input(t("planning.map.size", code), min_value=100, max_value=5000, value=500, step=100,
                           key="planning_hex_size", help=t("planning.map.size_help", code))
    labels = v.labels("problem_categories", code)
    categories = c3.multiselect(t("planning.map.categories", code), v.codes("problem_categories"), key="planning_hex_cats",
                                format_func=lambda c: labels.get(c, c), placeholder=t("filter.all_placeholder", code))
    recent = (as_of - dt.timedelta(days=29), as_of)
    if mode == "density":
        first = date_range_input(t("planning.map.period", code), (as_of - dt.timedelta(days=89), as_of),
                                 "planning_hex_period")
        second = first
    else:
        left, right = st.columns(2)
        with left:
            first = date_range_input(t("planning.map.before", code),
                                     (recent[0] - dt.timedelta(days=30), recent[0] - dt.timedelta(days=1)),
                                     "planning_hex_before")
        with right:
            second = date_range_input(t("planning.map.after", code), recent, "planning_hex_after")
    html_text, figures = hex_map_html(mode, size, categories, first, second, MAP_HEIGHT)
    if not figures["cells"]:
        st.info(t("planning.map.empty", code))
    elif mode == "density":
        st.caption(t("planning.map.caption", code, cells=f"{figures['cells']:,}", problems=f"{figures['problems']:,}"))
    else:
        st.caption(t("planning.map.caption_change", code, **{k: f"{n:,}" for k, n in figures.items()}))
    show_map(html_text, MAP_HEIGHT)


def _plan_table(items, data, district_names: dict[str, str]) -> pd.DataFrame:
    from civmap.planning.whatif import item_names

    code = lang()
    labels = vocab().labels("point_categories", code)
    names = item_names(items, data)
    rows = []
    for kind, key in items:
        name, district = names.get((kind, key), (key, None))
        rows.append({t("planning.plan.kind", code): t(f"planning.kind.{kind}", code),
                     t("planning.col.name", code): labels.get(name, name) if kind == "category" else name,
                     t("planning.col.district", code): district_names.get(district, district or "—"),
                     t("planning.col.key", code): key})
    return pd.DataFrame(rows)


def _saved_plans(items, district_names: dict[str, str]) -> None:
    """Keep the plan under a name; open or delete a kept one."""
    from civmap import clock
    from civmap.planning.plans import delete_plan, load_plans, save_plan

    code, path = lang(), plans_file()
    left, right = st.columns(2)
    with left:
        name = st.text_input(t("planning.plan.name", code), key="planning_plan_name", max_chars=60)
        if st.button(t("planning.plan.save", code), key="planning_plan_save", disabled=not items):
            try:
                kept = save_plan(path, name, items, clock.now())
                st.success(t("planning.plan.saved", code, name=plain(kept)))
            except (ValueError, OSError) as error:
                st.warning(t("planning.plan.bad", code, problem=plain(error)))
    with right:
        try:
            plans = load_plans(path)
        except (ValueError, OSError) as error:
            st.warning(t("planning.plan.file_bad", code, problem=plain(error)))
            return
        if not plans:
            return
        chosen = st.selectbox(t("planning.plan.saved_list", code), list(plans), key="planning_plan_pick",
                              format_func=lambda n: f"{n} · " + t("planning.plan.saved_at", code,
                                                                  at=plans[n]["saved_at"], n=len(plans[n]["items"])))
        b1, b2 = st.columns(2)
        if b1.button(t("planning.plan.load", code), key="planning_plan_load"):
            set_plan(plans[chosen]["items"])
            st.rerun()
        if b2.button(t("planning.plan.delete", code), key="planning_plan_delete"):
            delete_plan(path, chosen)
            st.rerun()


def whatif_tab(data, district_names: dict[str, str]) -> None:
    """The plan: its places, what closing them would change, kept plans, the task list."""
    from civmap.planning.whatif import known_items
    from civmap.progress.figures import LIST_DAYS

    code = lang()
    items, unknown = known_items(plan_items(), data)
    if unknown:
        st.warning(t("planning.plan.unknown", code, n=len(unknown)))
        set_plan(items)
    st.subheader(t("planning.plan.title", code))
    if not items:
        st.info(t("planning.plan.empty", code))
    else:
        st.dataframe(_plan_table(items, data, district_names), hide_index=True, width="stretch", height=220,
                     key="planning_plan_table", on_select="rerun", selection_mode="multi-row")
        picked = _selected_rows("planning_plan_table")
        b1, b2 = st.columns(2)
        if b1.button(t("planning.plan.remove", code), key="planning_plan_remove", disabled=not picked):
            remove_from_plan([items[i] for i in picked if i < len(items)])
            st.rerun()
        if b2.button(t("planning.plan.clear", code), key="planning_plan_clear"):
            set_plan([])
            st.rerun()
        effect = plan_effect(items)
        st.caption(t("planning.whatif.help", code, days=LIST_DAYS))
        ui_metrics = st.columns(3)
        ui_metrics[0].metric(t("planning.whatif.places", code), f"{len(effect.places):,}")
        ui_metrics[1].metric(t("planning.whatif.closes", code), f"{effect.closes_open:,}")
        ui_metrics[2].metric(t("planning.whatif.overdue", code), f"{effect.closes_overdue:,}")
        st.markdown("**" + t("planning.whatif.districts", code) + "**")
        st.dataframe(effect_display(effect.districts, district_names), hide_index=True, width="stretch",
                     key="planning_effect")
        name = " ".join(st.session_state.get("planning_plan_name", "").split()) or t("planning.plan.title", code)
        content, rows = task_file(effect, name, district_names)
        st.caption(t("planning.export.rows", code, n=rows))
        file_name = re.sub(r'[\\/:*?"<>|]', "_", name) + ".xlsx"
        st.download_button(t("planning.export", code), content, file_name=file_name, key="planning_export",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    _saved_plans(items, district_names)


def gaps_tab(data, quotas: dict[str, int], filters: Filters, district_names: dict[str, str]) -> None:
    """Places with no one answering for them, categories under quota, alleys with no state."""
    from civmap.planning.gaps import alleys_without_state, quota_shortfalls, unmanned_places

    code, v = lang(), vocab()
    labels = v.labels("point_categories", code)
    shown = list(filters.districts) or list(district_names)

    def district(codes: pd.Series) -> pd.Series:
        return codes.map(district_names).fillna(codes)

    unmanned = unmanned_places(data.circles, data.members, data.facts)
    unmanned = unmanned[unmanned["district_code"].isin(shown)]
    st.markdown("**" + t("planning.gaps.unmanned", code, n=len(unmanned)) + "**")
    if unmanned.empty:
        st.caption(t("planning.gaps.none", code))
    else:
        missing = [t("list.sep", code).join(t(f"planning.missing.{k}", code) for k, on in (("chief", c), ("unit", u)) if on)
                   for c, u in zip(unmanned["no_chief"], unmanned["no_unit"])]
        st.dataframe(pd.DataFrame({t("planning.col.circle", code): unmanned["circle_name"],
                                   t("planning.col.name", code): unmanned["name"],
                                   t("planning.col.district", code): district(unmanned["district_code"]),
                                   t("planning.col.missing", code): missing,
                                   t("planning.col.key", code): unmanned["place_id"]}),
                     hide_index=True, width="stretch", height=240, key="planning_gaps_unmanned")

    points = data.facts[data.facts["place_type"] == "point"]
    short = quota_shortfalls(points, quotas, shown)
    st.markdown("**" + t("planning.gaps.quota", code, n=len(short)) + "**")
    st.caption(t("planning.gaps.quota_help", code))
    if not short.empty:
        st.dataframe(pd.DataFrame({t("planning.col.district", code): district(short["district_code"]),
                                   t("planning.col.category", code): short["category"].map(labels).fillna(short["category"]),
                                   t("planning.col.have", code): short["have"],
                                   t("planning.col.quota", code): short["quota"],
                                   t("planning.col.short", code): short["short"]}),
                     hide_index=True, width="stretch", height=240, key="planning_gaps_quota")

    alleys = alleys_without_state(data.alleys, v.codes("alley_states"))
    alleys = alleys[alleys["district_code"].isin(shown)]
    st.markdown("**" + t("planning.gaps.alleys", code, n=len(alleys)) + "**")
    if alleys.empty:
        st.caption(t("planning.gaps.none", code))
    else:
        st.dataframe(pd.DataFrame({t("planning.col.name", code): alleys["name"],
                                   t("planning.col.district", code): district(alleys["district_code"]),
                                   t("planning.col.state", code): alleys["state"],
                                   t("planning.col.key", code): alleys["id"]}),
                     hide_index=True, width="stretch", key="planning_gaps_alleys")
