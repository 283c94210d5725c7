"""The Circles page's tables: circle list, a circle's members and its problems, labelled.

Plain functions from the frames of ``civmap.circles.membership`` to display frames whose columns
are titled in the UI language and whose codes are shown as labels, so the page only
lays them out.
"""

from __future__ import annotations

import pandas as pd

from civmap.circles.membership import MEMBER_GROUPS
from civmap.i18n import t
from civmap.circles.ties import needs_a_look
from civmap.vocab import Vocabulary

__all__ = ["SORT_KEYS", "filter_circles", "sort_circles", "circle_list", "member_list", "problem_list",
           "group_label", "flagged_ties", "reason_text"]

#: Sort orders offered on the page: key -> (columns, ascending). Worst first by default.
SORT_KEYS: dict[str, tuple[list[str], list[bool]]] = {
    "state": (["state", "overdue", "open", "standard_share", "circle_id"], [False, False, False, True, True]),
    "overdue": (["overdue", "open", "circle_id"], [False, False, True]),
    "open": (["open", "overdue", "circle_id"], [False, False, True]),
    "standard": (["standard_share", "circle_id"], [True, True]),
    "members": (["members", "circle_id"], [False, True]),
    "district": (["district_code", "circle_id"], [True, True]),
    "id": (["circle_id"], [True]),
}


def group_label(group: str, vocab: Vocabulary, lang: str) -> str:
    """A member group's name: the point category's label, or "other assessment points"."""
    if group == "other":
        return t("circles.group.other", lang)
    return vocab.label("point_categories", group, lang)


def filter_circles(summary: pd.DataFrame, districts=()) -> pd.DataFrame:
    """Circles in the chosen districts (empty: all). Centre kinds are chosen earlier, when
    membership is computed (``civmap.circles.membership.active_circles``)."""
    return summary[summary["district_code"].isin(tuple(districts))] if districts else summary


def sort_circles(summary: pd.DataFrame, key: str) -> pd.DataFrame:
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}; expected one of {', '.join(SORT_KEYS)}")
    columns, ascending = SORT_KEYS[key]
    # "not_met" sorts after "met" alphabetically; descending puts failing circles first.
    return summary.sort_values(columns, ascending=ascending, na_position="last", kind="stable")


def circle_list(summary: pd.DataFrame, vocab: Vocabulary, district_names: dict[str, str],
                lang: str) -> pd.DataFrame:
    """One row per circle for the page's table, indexed by circle id."""
    out = pd.DataFrame(index=pd.Index(summary["circle_id"], name=t("field.id", lang)))
    out[t("circles.col.name", lang)] = summary["name"].to_numpy()
    kinds = summary["kind"].map(vocab.labels("centre_kinds", lang)).fillna(summary["kind"])
    out[t("field.kind", lang)] = kinds.to_numpy()
    districts = summary["district_code"].map(district_names).fillna(summary["district_code"])
    out[t("field.district", lang)] = districts.to_numpy()
    out[t("field.chief", lang)] = summary["chief_name"].to_numpy()
    for group in MEMBER_GROUPS:
        out[group_label(group, vocab, lang)] = summary[f"n_{group}"].to_numpy()
    out[t("circles.col.open", lang)] = summary["open"].to_numpy()
    out[t("circles.col.overdue", lang)] = summary["overdue"].to_numpy()
    out[t("circles.col.standard_share", lang)] = (summary["standard_share"] * 100).round(1).to_numpy()
    out[t("circles.col.state", lang)] = summary["state"].map(lambda s: t(f"circles.state.{s}", lang)).to_numpy()
    out[t("circles.col.reason", lang)] = [reason_text(r, lang) for r in summary["reasons"]]
    return out


def reason_text(reasons: tuple, lang: str) -> str:
    """Why a circle is not met, in words: its ``reasons`` (``civmap.circles.state.apply_rule``)
    joined; empty when it is met."""
    parts = []
    for code, value, limit in reasons:
        if code == "standard":
            parts.append(t("circles.reason.standard", lang, share=f"{value * 100:.0f}%", limit=f"{limit * 100:g}%"))
        else:
            parts.append(t(f"circles.reason.{code}", lang, n=int(value), limit=int(limit)))
    return ("；" if lang == "zh" else "; ").join(parts)


def member_list(members: pd.DataFrame, vocab: Vocabulary, lang: str) -> pd.DataFrame:
    """A circle's members, nearest first: id, name, kind, distance, standard, WGS-84 point."""
    standard = members["up_to_standard"].astype("boolean")
    states = members["alley_state"].map(vocab.labels("alley_states", lang))
    shown = standard.map({True: t("value.yes", lang), False: t("value.no", lang)}, na_action="ignore")
    shown = shown.astype(object).where(standard.notna(), states)
    return pd.DataFrame({
        t("field.id", lang): members["member_id"].to_numpy(),
        t("field.name", lang): members["name"].to_numpy(),
        t("circles.col.member_kind", lang): members["category"].map(vocab.labels("point_categories", lang))
        .fillna(members["category"]).to_numpy(),
        t("circles.field.distance", lang): members["distance_m"].round(1).to_numpy(),
        t("circles.col.member_standard", lang): shown.to_numpy(),
        t("circles.col.lon", lang): members["lon"].round(6).to_numpy(),
        t("circles.col.lat", lang): members["lat"].round(6).to_numpy(),
    })


def problem_list(problems: pd.DataFrame, vocab: Vocabulary, lang: str) -> pd.DataFrame:
    """A circle's problems, overdue first then by deadline."""
    ordered = problems.sort_values(["overdue", "overdue_days", "deadline", "problem_id"],
                                   ascending=[False, False, True, True], kind="stable")
    return pd.DataFrame({
        t("field.id", lang): ordered["problem_id"].to_numpy(),
        t("field.description", lang): ordered["description"].to_numpy(),
        t("field.category", lang): ordered["category"].map(vocab.labels("problem_categories", lang))
        .fillna(ordered["category"]).to_numpy(),
        t("field.status", lang): ordered["status"].map(vocab.labels("statuses", lang))
        .fillna(ordered["status"]).to_numpy(),
        t("field.deadline", lang): ordered["deadline"].to_numpy(),
        t("field.overdue_days", lang): ordered["overdue_days"].where(ordered["overdue"]).astype("Int64").to_numpy(),
        t("field.point", lang): ordered["point_name"].to_numpy(),
    })


def flagged_ties(ties: pd.DataFrame, district_names: dict[str, str], lang: str) -> pd.DataFrame:
    """The problems whose tie needs a look: too far from every place, in no district, or in
    another district than their ledger row says, with what is wrong. (A nearer point than
    the ledger's is common where points crowd, so it is counted on the page, not listed.)"""
    flagged = ties[needs_a_look(ties)]
    flagged = flagged.sort_values("problem_id", kind="stable")
    reasons = [
        ("too_far", t("circles.tie.too_far", lang)), ("outside", t("circles.tie.outside", lang)),
        ("district_differs", t("circles.tie.district_differs", lang)),
    ]
    why = [t("list.sep", lang).join(text for column, text in reasons if row[column])
           for _, row in flagged.iterrows()]

    def district(codes: pd.Series) -> pd.Series:
        return codes.map(district_names).fillna(codes)

    return pd.DataFrame({
        t("field.id", lang): flagged["problem_id"].to_numpy(),
        t("circles.tie.why", lang): why,
        t("field.district", lang): district(flagged["district_code"]).to_numpy(),
        t("circles.tie.ledger_district", lang): district(flagged["ledger_district_code"]).to_numpy(),
        t("circles.tie.place", lang): flagged["place_id"].to_numpy(),
        t("circles.tie.ledger_point", lang): flagged["ledger_point_id"].to_numpy(),
        t("circles.tie.distance", lang): flagged["distance_m"].round(1).to_numpy(),
    })
