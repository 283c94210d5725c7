"""Coverage gaps (覆盖缺口): where "every node has a person, a task and a standard" fails.

- places within a key circle (its centre, or a member inside the radius) with no point
  chief (点位长) or no responsible unit (责任单位);
- point categories a district has fewer of than the office's quota (``category_quotas.csv``);
- back alleys with no renovation state, or one that is not in the alley-state vocabulary.
"""

from __future__ import annotations

import pandas as pd

from civmap.planning.rank import circle_places

__all__ = ["unmanned_places", "quota_shortfalls", "alleys_without_state"]


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype(str).str.strip() == "")


def unmanned_places(circles: pd.DataFrame, members: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Circle places with no chief or no unit: ``circle_id``, ``circle_name``, ``place_type``,
    ``place_id``, ``name``, ``district_code``, ``no_chief``, ``no_unit``; one row per
    (circle, place), by circle then place."""
    pairs = circle_places(circles, members).merge(facts, on=["place_type", "place_id"], how="inner")
    pairs["no_chief"] = _blank(pairs["chief_name"]).to_numpy()
    pairs["no_unit"] = _blank(pairs["unit_code"]).to_numpy()
    gaps = pairs[pairs["no_chief"] | pairs["no_unit"]].copy()
    gaps["circle_name"] = gaps["circle_id"].map(circles.set_index("id")["name"])
    columns = ["circle_id", "circle_name", "place_type", "place_id", "name", "district_code", "no_chief", "no_unit"]
    return gaps[columns].sort_values(["circle_id", "place_type", "place_id"]).reset_index(drop=True)


def quota_shortfalls(points: pd.DataFrame, quotas: dict[str, int], districts) -> pd.DataFrame:
    """Per district and quota category with fewer points than the quota: ``district_code``,
    ``category``, ``have``, ``quota``, ``short``; most short first. Every district in
    ``districts`` is checked, also one with no point at all."""
    have = points.groupby(["district_code", "category"]).size()
    rows = [{"district_code": d, "category": c, "have": int(have.get((d, c), 0)), "quota": int(q)}
            for d in districts for c, q in quotas.items()]
    table = pd.DataFrame(rows, columns=["district_code", "category", "have", "quota"])
    table["short"] = table["quota"] - table["have"]
    table = table[table["short"] > 0]
    return table.sort_values(["short", "district_code", "category"], ascending=[False, True, True]).reset_index(drop=True)


def alleys_without_state(alleys: pd.DataFrame, states) -> pd.DataFrame:
    """Alleys whose state is blank or not one of ``states``: ``id``, ``name``,
    ``district_code``, ``state`` (as recorded), ``unit_name``."""
    bad = _blank(alleys["state"]) | ~alleys["state"].isin(tuple(states))
    columns = [c for c in ("id", "name", "district_code", "state", "unit_name") if c in alleys.columns]
    return pd.DataFrame(alleys.loc[bad, columns]).sort_values("id").reset_index(drop=True)
