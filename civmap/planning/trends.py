"""Trends per place and category: how inspections went, round by round.

An inspection round (测评轮次) is a calendar quarter: offices inspect every point about
once a quarter, on days spread across it, so a quarter holds one inspection of nearly
every point. For a round, the ``score_rate`` is the mean score rate of its inspections and
``standard_share`` the share of them up to standard.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["LEVELS", "round_of", "trend", "falling_categories"]

LEVELS = ("point", "category", "circle", "district")


def round_of(dates) -> pd.Series:
    """The round (calendar quarter, e.g. ``2026Q2``) of each inspection date."""
    return pd.to_datetime(pd.Series(dates)).dt.to_period("Q").astype(str)


def _per_round(inspections: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    frame = inspections.assign(round=round_of(inspections["date"]).to_numpy(),
                               up=inspections["up_to_standard"].astype(bool).to_numpy())
    groups = [*(by or []), "round"]
    out = frame.groupby(groups).agg(inspections=("up", "size"), up=("up", "sum"), score_rate=("score_rate", "mean"))
    out["standard_share"] = out["up"] / out["inspections"]
    return out.reset_index()


def trend(inspections: pd.DataFrame, level: str, key: str, circle_points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Round by round for one point, category (``D01/farmers_market`` within a district,
    or a bare category code for the whole city), circle or district.

    ``inspections`` is ``Store.inspections()`` (with each point's ``district_code`` and
    ``category``); a circle needs ``circle_points`` (``circle_id``, ``place_id``: its centre
    and member points). Returns ``round``, ``inspections``, ``up``, ``score_rate`` and
    ``standard_share``, oldest round first.
    """
    if level == "point":
        chosen = inspections[inspections["point_id"] == key]
    elif level == "category":
        district, _, category = key.rpartition("/")
        chosen = inspections[inspections["category"] == category]
        if district:
            chosen = chosen[chosen["district_code"] == district]
    elif level == "district":
        chosen = inspections[inspections["district_code"] == key]
    elif level == "circle":
        if circle_points is None:
            raise ValueError("a circle's trend needs its points")
        ids = circle_points.loc[circle_points["circle_id"] == key, "place_id"]
        chosen = inspections[inspections["point_id"].isin(ids)]
    else:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    return _per_round(chosen)


def falling_categories(inspections: pd.DataFrame, districts=(), top: int | None = 10) -> pd.DataFrame:
    """Categories whose share up to standard fell most from the previous round to the
    latest one (within ``districts``; empty: the city).

    Returns ``category``, ``previous`` and ``latest`` (shares), ``change`` (latest −
    previous), ``inspections`` (in the latest round) and the two rounds; most fallen
    first. A category inspected in only one of the two rounds has no change and is left out.
    """
    if districts:
        inspections = inspections[inspections["district_code"].isin(tuple(districts))]
    if inspections.empty:
        return pd.DataFrame(columns=["category", "previous", "latest", "change", "inspections", "previous_round",
                                     "latest_round"])
    rounds = sorted(set(round_of(inspections["date"])))
    latest, previous = rounds[-1], (rounds[-2] if len(rounds) > 1 else None)
    table = _per_round(inspections, ["category"]).pivot(index="category", columns="round", values="standard_share")
    counts = _per_round(inspections, ["category"]).pivot(index="category", columns="round", values="inspections")
    out = pd.DataFrame({"previous": table[previous] if previous in table else float("nan"), "latest": table[latest],
                        "inspections": counts[latest].fillna(0).astype("int64")})
    out["change"] = out["latest"] - out["previous"]
    out = out.dropna(subset=["change"]).sort_values("change", kind="stable")
    out = out.reset_index().assign(previous_round=previous, latest_round=latest)
    out = out[["category", "previous", "latest", "change", "inspections", "previous_round", "latest_round"]]
    return out.head(top) if top else out
