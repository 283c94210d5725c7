"""The Planning page's Streamlit side (pages/planning.py): cached inputs, the weights
editor and the plan held in the session.

The spatial and historical work (``civmap.planning.inputs``) is cached per data version
and circle settings; the score, the ranked list and a what-if are recomputed on every
rerun from it, so a changed weight or plan answers at once.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civmap.filters import Filters
from civmap.i18n import t
from civmap.storage.scope import Scope
from civmap.ui.circles import circle_data, circle_rule
from civmap.ui.core import (asset_base, cache_key, cached_events, city_store, current_store, lang, selection, settings,
                            tile_config, vocab)
from civmap.ui.text import plain

__all__ = ["planning_data", "planning_weights", "planning_coefficients", "planning_quotas", "plan_items",
           "ranked_display", "breakdown_display", "hex_map_html", "plan_effect", "plans_file", "effect_display",
           "task_file",
           "add_to_plan", "remove_from_plan", "set_plan"]

_PLAN = "planning_plan"


@st.cache_data(max_entries=4, show_spinner=False)
def _inspections(version: str, scope: Scope) -> pd.DataFrame:
    return city_store().within(scope).inspections()


@st.cache_data(max_entries=4, show_spinner=False)
def _planning_data(version: str, scope: Scope, radius_m: float, kinds: tuple[str, ...], tie_distance_m: float,
                   as_of: dt.date, threshold: float, alley_states: tuple[str, ...]):
    from civmap.planning.inputs import build_planning

    layers = selection(Filters())
    data = circle_data(radius_m, kinds)
    return build_planning(layers.districts, layers.points, layers.circles, layers.alleys, layers.problems,
                          cached_events(), _inspections(version, scope), vocab(), radius_m, kinds, tie_distance_m, as_of, threshold,
                          alley_states, circle_data=data)


def planning_data():
    """``civmap.planning.inputs.PlanningData`` for the configured circles, the user's whole area."""
    cfg = settings()
    return _planning_data(*cache_key(), float(cfg.circle_radius_m), tuple(sorted(cfg.centre_kinds)),
                          cfg.tie_distance_m, current_store().as_of(), cfg.standard_score,
                          tuple(circle_rule().alley_states))


def planning_coefficients() -> dict[str, float]:
    from civmap.planning.tables import part_coefficients

    return part_coefficients(settings().vocab_dir)


def planning_quotas() -> dict[str, int]:
    from civmap.planning.tables import district_quotas

    return district_quotas(settings().vocab_dir)


def planning_weights() -> dict[str, float]:
    """The category weights: the configured table, edited on the page for a what-if.

    The edits live in this session only; a cell that is not a number of 0 or more is
    named in a warning and that category keeps its configured weight.
    """
    from civmap.planning.tables import category_weights, check_weights

    code = lang()
    configured = category_weights(settings().vocab_dir)
    labels = vocab().labels("point_categories", code)
    table = pd.DataFrame({"category": list(configured), "name": [labels.get(c, c) for c in configured],
                          "weight": list(configured.values())})
    with st.expander(t("planning.weights.title", code), expanded=False):
        st.caption(t("planning.weights.help", code))
        edited = st.data_editor(table, key="planning_weights", hide_index=True, width="stretch", height=280,
                                disabled=["category", "name"], num_rows="fixed",
                                column_config={"category": None,
                                               "name": st.column_config.TextColumn(t("planning.col.category", code)),
                                               "weight": st.column_config.NumberColumn(t("planning.col.weight", code),
                                                                                       min_value=0.0, step=0.1)})
        good, problems = check_weights(edited.assign(weight=edited["weight"].astype(object).where(
            edited["weight"].notna(), "")))
        for problem in problems:
            st.warning(t("planning.weights.bad", code, problem=plain(problem)))
        changed = sorted(c for c in good if good[c] != configured.get(c))
        if changed:
            st.caption(t("planning.weights.changed", code, n=len(changed)))
    return {**configured, **good}


# -- the plan being built: (kind, key) pairs, in the session ------------------------------
def plan_items() -> list[tuple[str, str]]:
    return [tuple(item) for item in st.session_state.get(_PLAN, [])]


def set_plan(items) -> None:
    st.session_state[_PLAN] = [list(item) for item in dict.fromkeys(tuple(i) for i in items)]


def add_to_plan(items) -> None:
    set_plan([*plan_items(), *items])


def remove_from_plan(items) -> None:
    gone = {tuple(i) for i in items}
    set_plan([item for item in plan_items() if item not in gone])


# -- tables in the UI language ---------------------------------------------------------------
def ranked_display(table: pd.DataFrame, district_names: dict[str, str]) -> pd.DataFrame:
    """The ranked list with headers and names in the UI language (codes stay in ``key``)."""
    code, v = lang(), vocab()
    kind = table["kind"].iloc[0] if len(table) else "point"
    category_kind = "centre_kinds" if kind == "circle" else "point_categories"
    category = table["category"].map(v.labels(category_kind, code)).fillna(table["category"])
    name = category if kind == "category" else table["name"]
    out = pd.DataFrame({
        t("planning.col.rank", code): table["rank"],
        t("planning.col.name", code): name,
        t("planning.col.district", code): table["district_code"].map(district_names).fillna(table["district_code"]),
        t("planning.col.category", code): category,
        t("planning.col.score", code): table["score"].round(1),
        t("planning.col.places", code): table["places"],
        t("planning.col.below", code): table["below"],
        t("planning.col.open", code): table["open"],
        t("planning.col.overdue", code): table["overdue"],
        t("planning.col.repeat_rate", code): (table["repeat_rate"] * 100).round(1),
        t("planning.col.rebound_rate", code): (table["rebound_rate"] * 100).round(1),
        t("planning.col.unit", code): table["unit_name"],
        t("planning.col.chief", code): table["chief_name"],
        t("planning.col.key", code): table["key"],
    })
    if kind in ("point", "alley"):
        out = out.drop(columns=[t("planning.col.places", code)])
    if kind == "category":
        out = out.drop(columns=[t("planning.col.unit", code), t("planning.col.chief", code)])
    return out


def breakdown_display(parts: pd.DataFrame, coefficients: dict[str, float]) -> pd.DataFrame:
    """One row per part: its name, the fact it counts, its coefficient and its points."""
    code = lang()

    def fact(row) -> str:
        value = f"{row['value']:.1f}" if row["part"] == "age" else f"{row['value']:,.0f}"
        return value if pd.isna(row["of"]) else t("planning.fact.of", code, value=value, of=f"{row['of']:,.0f}")

    return pd.DataFrame({
        t("planning.col.part", code): [t(f"planning.part.{p}", code) for p in parts["part"]],
        t("planning.col.fact", code): [t(f"planning.fact.{p}", code, fact=fact(row))
                                       for p, (_, row) in zip(parts["part"], parts.iterrows())],
        t("planning.col.coefficient", code): [coefficients[p] for p in parts["part"]],
        t("planning.col.points", code): parts["points"].round(2),
        t("planning.col.share", code): (parts["share"] * 100).round(1),
    })


@st.cache_data(max_entries=16, show_spinner=False)
def _hex_map(version: str, scope: Scope, mode: str, size_m: float, categories: tuple[str, ...], first: tuple, second: tuple,
             lang_code: str, base: str, height: int) -> tuple[str, dict]:
    import geo
    from civmap.i18n import localized_areas
    from civmap.maps.folium_map import render_html
    from civmap.planning.density import density, density_change
    from civmap.planning.hexmap import hex_map

    layers = selection(Filters())
    districts, problems = layers.districts, layers.problems
    crs = geo.metric_crs(districts if len(districts) else problems)
    if mode == "density":
        cells = density(problems, size_m, crs, *first, categories)
        figures = {"cells": len(cells), "problems": int(cells["count"].sum()) if len(cells) else 0}
    else:
        cells = density_change(problems, size_m, crs, first, second, categories)
        figures = {"cells": len(cells), "better": int((cells["change"] < 0).sum()),
                   "worse": int((cells["change"] > 0).sum()), "before": int(cells["before"].sum()),
                   "after": int(cells["after"].sum())}
    fmap = hex_map(cells, mode, localized_areas(districts, lang_code), lang_code, base, tile_config(),
                   height=f"{height}px")
    return render_html(fmap), figures


def hex_map_html(mode: str, size_m: float, categories, first, second, height: int) -> tuple[str, dict]:
    """The hexagon map (density of ``first``, or change from ``first`` to ``second``) and its
    counts, cached whole per data version and choice."""
    return _hex_map(*cache_key(), mode, float(size_m), tuple(sorted(categories)), tuple(first),
                    tuple(second), lang(), asset_base(), height)


# -- what-if ---------------------------------------------------------------------------------
@st.cache_data(max_entries=4, show_spinner=False)
def _figures_now(version: str, scope: Scope, key: tuple):
    from civmap.planning.whatif import district_figures

    data = planning_data()
    return district_figures(data.points, data.problems, data.timeline, vocab(), data.as_of)


def plan_effect(items):
    """``civmap.planning.whatif.PlanEffect`` of closing the plan's problems now."""
    from civmap import clock
    from civmap.planning.whatif import what_if

    data = planning_data()
    before = _figures_now(*cache_key(), (data.as_of, settings().circle_radius_m))
    return what_if(list(items), data, vocab(), clock.now(), before=before)


def plans_file():
    from civmap.planning.plans import plans_path

    return plans_path(settings().data_dir)


def effect_display(table: pd.DataFrame, district_names: dict[str, str]) -> pd.DataFrame:
    """Per district, each figure as "before → after", in the UI language."""
    code = lang()

    def rate(value) -> str:
        return "—" if pd.isna(value) else f"{value * 100:.1f}%"

    def place(rank, mark) -> str:
        text = "—" if pd.isna(rank) else f"{int(rank)}"
        return text + (f"（{t(f'planning.mark.{mark}', code)}）" if mark in ("red", "black") else "")

    def pair(before: str, after: str) -> str:
        return before if before == after else f"{before} → {after}"

    rows = table.itertuples(index=False)
    return pd.DataFrame([{
        t("planning.col.district", code): district_names.get(r.district_code, r.district_code),
        t("planning.col.closes", code): r.closes,
        t("planning.col.standard", code): pair(rate(r.standard_before), rate(r.standard_after)),
        t("planning.col.closing", code): pair(rate(r.closing_before), rate(r.closing_after)),
        t("planning.col.on_time", code): pair(rate(r.on_time_before), rate(r.on_time_after)),
        t("planning.col.list_place", code): pair(place(r.rank_before, r.mark_before), place(r.rank_after, r.mark_after)),
    } for r in rows])


def task_file(effect, plan_name: str, district_names: dict[str, str]) -> tuple[bytes, int]:
    """The plan's task list as Excel bytes, and how many rows it has."""
    from civmap.planning.tasks import task_rows, task_workbook

    data = planning_data()
    rows = task_rows(effect.places, effect.problems, data, vocab(), settings().assessment_date)
    return task_workbook(rows, vocab(), district_names, lang(), plan_name, data.as_of), len(rows)
