"""The ranked list: places to act on, by priority score, at four levels.

``point`` and ``alley`` rank the places themselves; ``circle`` ranks key point-circles by
the sum over the centre and every member (a place in two circles counts in both);
``category`` ranks each point category within each district (key ``D01/farmers_market``)
by the sum over its points. Every row keeps its parts, so the score can be opened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmap.planning.score import PARTS, part_column

__all__ = ["KINDS", "SUM_COLUMNS", "circle_places", "rank_places", "places_of"]

KINDS = ("circle", "alley", "point", "category")
#: Summed when places are grouped; the rates are then recomputed from the sums.
SUM_COLUMNS = ("places", "below", "recent", "failed", "open", "overdue", "age_months", "closings", "reopenings",
               *(part_column(p) for p in PARTS), "score")
ROW_COLUMNS = ("rank", "kind", "key", "name", "district_code", "category", *SUM_COLUMNS, "repeat_rate",
               "rebound_rate", "unit_name", "chief_name")


def circle_places(circles: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """(circle_id, place_type, place_id) of every circle's centre and members."""
    centres = pd.DataFrame({"circle_id": circles["id"].to_numpy(), "place_type": "point",
                            "place_id": circles["centre_point_id"].to_numpy()})
    inside = pd.DataFrame({"circle_id": members["circle_id"].to_numpy(),
                           "place_type": members["place_type"].to_numpy(), "place_id": members["member_id"].to_numpy()})
    return pd.concat([centres, inside], ignore_index=True).drop_duplicates()


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    recent, closings = frame["recent"].to_numpy(dtype=float), frame["closings"].to_numpy(dtype=float)
    frame["repeat_rate"] = np.divide(frame["failed"].to_numpy(dtype=float), recent, out=np.zeros(len(frame)),
                                     where=recent > 0)
    frame["rebound_rate"] = np.divide(frame["reopenings"].to_numpy(dtype=float), closings,
                                      out=np.zeros(len(frame)), where=closings > 0)
    return frame


def _summed(scored: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    present = [c for c in SUM_COLUMNS if c in scored.columns]
    sums = scored.groupby(groups, sort=False)[present].sum()
    return sums.reset_index()


def rank_places(scored: pd.DataFrame, kind: str, circles: pd.DataFrame | None = None,
                members: pd.DataFrame | None = None, districts=(), top: int | None = None) -> pd.DataFrame:
    """The places of ``kind`` by score, best target first (``rank`` 1), within ``districts``
    (empty: all), at most ``top`` rows.

    ``scored`` is :func:`civmap.planning.score.score_places` of the places' facts;
    ``circles`` (``Store.circles()``) and ``members`` (``civmap.circles.circle_members``)
    are needed for ``kind="circle"``. Ties keep the key order, so the list is stable.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if top is not None and top < 1:
        raise ValueError(f"top must be 1 or more, not {top}")
    scored = scored.assign(places=1, below=scored["below"].astype(np.int64))
    if kind in ("point", "alley"):
        table = scored[scored["place_type"] == kind].rename(columns={"place_id": "key"}).copy()
    elif kind == "category":
        points = scored[scored["place_type"] == "point"]
        table = _summed(points, ["district_code", "category"])
        table["key"] = table["district_code"].astype(str) + "/" + table["category"].astype(str)
        table["name"] = table["category"]
        table["unit_name"] = table["chief_name"] = None
    else:
        if circles is None or members is None:
            raise ValueError("ranking circles needs the circles and their members")
        pairs = circle_places(circles, members).merge(scored, on=["place_type", "place_id"], how="inner")
        table = _summed(pairs, ["circle_id"]).rename(columns={"circle_id": "key"})
        about = pd.DataFrame(circles).set_index("id")
        for column in ("name", "district_code", "unit_name", "chief_name"):
            table[column] = table["key"].map(about[column]) if column in about else None
        table["category"] = table["key"].map(about["kind"]) if "kind" in about else None
        missing = about.index.difference(table["key"])
        if len(missing):  # a circle with no scored place still belongs in the list, at 0
            extra = pd.DataFrame({"key": missing}).assign(**{c: 0 for c in SUM_COLUMNS})
            for column, source in (("name", "name"), ("district_code", "district_code"), ("unit_name", "unit_name"),
                                   ("chief_name", "chief_name"), ("category", "kind")):
                extra[column] = extra["key"].map(about[source]) if source in about else None
            table = pd.concat([table, extra], ignore_index=True)
    table = _with_rates(table)
    if districts:
        table = table[table["district_code"].isin(tuple(districts))]
    table = table.sort_values(["score", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if top is not None:
        table = table.head(top)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["kind"] = kind
    return table[[c for c in ROW_COLUMNS if c in table.columns]].reset_index(drop=True)


def places_of(kind: str, key: str, facts: pd.DataFrame, circles: pd.DataFrame | None = None,
              members: pd.DataFrame | None = None) -> pd.DataFrame:
    """The points and alleys (``place_type``, ``place_id``) a ranked row stands for."""
    if kind in ("point", "alley"):
        return pd.DataFrame({"place_type": [kind], "place_id": [key]})
    if kind == "category":
        district, _, category = key.partition("/")
        chosen = facts[(facts["place_type"] == "point") & (facts["district_code"] == district)
                       & (facts["category"] == category)]
        return chosen[["place_type", "place_id"]].reset_index(drop=True)
    if kind == "circle":
        if circles is None or members is None:
            raise ValueError("a circle's places need the circles and their members")
        pairs = circle_places(circles, members)
        return pairs[pairs["circle_id"] == key][["place_type", "place_id"]].reset_index(drop=True)
    raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
