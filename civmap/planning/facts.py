"""What the priority score is made from: the facts of each assessment place.

A place is an assessment point or a back alley (``civmap.ties``' places). For each, from
the store's frames as read (no store access here):

standard (未达标)
    ``below``: the latest inspection was not up to standard; ``depth``: how far its score
    rate fell short of the threshold, as a share of the threshold (0 at or above it). A
    back alley has no inspection: it is below standard when its renovation state is not
    one of the states that count as done (depth 0).
repeat failures (反复不达标)
    ``recent`` inspections considered (the last ``last_n``), ``failed`` among them, and
    ``repeat_rate`` = failed ÷ recent (0 for a place never inspected).
open and overdue problems
    problems tied to the place (``civmap.ties``) whose status is not closed (``open``),
    those past their deadline (``overdue``, as the overview counts them) and ``age_months``:
    the open problems' ages summed, each in 30-day months from the day found and capped
    at 3, so that one ancient problem cannot outweigh many recent ones.
rebounds (反弹率)
    ``closings`` and ``reopenings`` of the place's problems over their whole history, and
    ``rebound_rate`` = reopenings ÷ closings (0 when nothing was ever closed).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from civmap.figures import overdue_mask
from civmap.progress.timeline import Timeline
from civmap.vocab import Vocabulary

__all__ = ["FACT_COLUMNS", "AGE_CAP_MONTHS", "repeat_failures", "problem_rounds", "place_problems", "place_facts"]

AGE_CAP_MONTHS = 3.0
_MONTH_DAYS = 30.0
FACT_COLUMNS = ("below", "depth", "score_rate", "recent", "failed", "repeat_rate", "open", "overdue", "age_months",
                "closings", "reopenings", "rebound_rate")
KEY = ["place_type", "place_id"]


def repeat_failures(inspections: pd.DataFrame, last_n: int = 4) -> pd.DataFrame:
    """Per point: its last ``last_n`` inspections, how many failed, and the share that did.

    Returns a frame indexed by ``point_id`` with ``recent``, ``failed`` and ``repeat_rate``.
    """
    if last_n < 1:
        raise ValueError(f"last_n must be 1 or more, not {last_n}")
    frame = inspections[["point_id", "date", "up_to_standard"]].sort_values(["point_id", "date"], kind="stable")
    recent = frame[frame.groupby("point_id").cumcount(ascending=False) < last_n]
    failed = ~recent["up_to_standard"].astype(bool)
    out = pd.DataFrame({"recent": recent.groupby("point_id").size(),
                        "failed": failed.groupby(recent["point_id"]).sum()})
    out["repeat_rate"] = out["failed"] / out["recent"]
    return out.astype({"recent": np.int64, "failed": np.int64})


def problem_rounds(timeline: Timeline) -> pd.DataFrame:
    """Per problem (in ``timeline.problems`` order): how often it was closed and reopened."""
    n = len(timeline.problems)
    return pd.DataFrame({"id": timeline.problems["id"].to_numpy(),
                         "closings": np.bincount(timeline.pidx[timeline.closing], minlength=n)[:n],
                         "reopenings": np.bincount(timeline.pidx[timeline.reopening], minlength=n)[:n]})


def place_problems(problems: pd.DataFrame, ties: pd.DataFrame, vocab: Vocabulary, as_of: dt.date) -> pd.DataFrame:
    """Each problem with its place (from ``ties``, row for row), ``open``, ``overdue`` and
    ``age_months``; problems tied to no place are left out."""
    if len(ties) != len(problems):
        raise ValueError(f"ties ({len(ties)} rows) must match problems ({len(problems)} rows)")
    frame = pd.DataFrame({"id": problems["id"].to_numpy(),
                          "place_type": ties["place_type"].astype(object).to_numpy(),
                          "place_id": ties["place_id"].astype(object).to_numpy()})
    frame["open"] = problems["status"].isin(vocab.unresolved_statuses).to_numpy()
    frame["overdue"] = overdue_mask(problems, vocab, as_of).to_numpy()
    age_days = (pd.Timestamp(as_of) - pd.to_datetime(problems["found_on"])).dt.days.clip(lower=0).to_numpy()
    frame["age_months"] = np.where(frame["open"], np.minimum(age_days / _MONTH_DAYS, AGE_CAP_MONTHS), 0.0)
    return frame[frame["place_id"].notna()].reset_index(drop=True)


def place_facts(points: pd.DataFrame, alleys: pd.DataFrame, inspections: pd.DataFrame, problems: pd.DataFrame,
                ties: pd.DataFrame, rounds: pd.DataFrame, vocab: Vocabulary, as_of: dt.date, threshold: float,
                alley_done_states=("renovated",), last_n: int = 4) -> pd.DataFrame:
    """One row per point and back alley: who answers for it and the facts of the module doc.

    Parameters
    ----------
    points, alleys : DataFrame
        ``Store.points()`` (with the latest inspection) and ``Store.alleys()``.
    inspections : DataFrame
        ``Store.inspections()``: every inspection of every point.
    problems, ties : DataFrame
        ``Store.problems()`` and ``civmap.ties.tie_problems`` of them (same rows, same order).
    rounds : DataFrame
        :func:`problem_rounds` of the problems' timeline.
    threshold : float
        Score rate (0–1) at which a point is up to standard (``CIVMAP_STANDARD_SCORE``).

    Returns
    -------
    DataFrame
        ``place_type``, ``place_id``, ``name``, ``category``, ``district_code``,
        ``unit_code``, ``unit_name``, ``chief_name``, ``chief_phone``, then
        :data:`FACT_COLUMNS`.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a share between 0 and 1, not {threshold}")
    people = ["unit_code", "unit_name", "chief_name", "chief_phone"]

    def who(frame: pd.DataFrame) -> dict:
        return {c: (frame[c] if c in frame else pd.Series(None, index=frame.index, dtype=object)).to_numpy(dtype=object)
                for c in people}

    score = pd.to_numeric(points.get("score_rate"), errors="coerce") if len(points) else pd.Series(dtype=float)
    standard = points["up_to_standard"].astype("boolean") if "up_to_standard" in points else \
        pd.Series(pd.NA, index=points.index, dtype="boolean")
    point_rows = pd.DataFrame({
        "place_type": "point", "place_id": points["id"].to_numpy(dtype=object), "name": points["name"].to_numpy(),
        "category": points["category"].to_numpy(), "district_code": points["district_code"].to_numpy(),
        **who(points),
        "below": (standard == False).fillna(False).to_numpy(dtype=bool),  # noqa: E712 (nullable boolean)
        "depth": np.clip((threshold - score.to_numpy(dtype=float)) / threshold, 0, None),
        "score_rate": score.to_numpy(dtype=float),
    })
    point_rows["depth"] = np.where(point_rows["below"], np.nan_to_num(point_rows["depth"]), 0.0)
    repeats = repeat_failures(inspections, last_n).reindex(point_rows["place_id"])
    point_rows["recent"] = repeats["recent"].fillna(0).to_numpy(dtype=np.int64)
    point_rows["failed"] = repeats["failed"].fillna(0).to_numpy(dtype=np.int64)
    point_rows["repeat_rate"] = repeats["repeat_rate"].fillna(0.0).to_numpy(dtype=float)

    alley_rows = pd.DataFrame({
        "place_type": "alley", "place_id": alleys["id"].to_numpy(dtype=object), "name": alleys["name"].to_numpy(),
        "category": "back_alley", "district_code": alleys["district_code"].to_numpy(), **who(alleys),
        "below": ~alleys["state"].isin(tuple(alley_done_states)).to_numpy(dtype=bool),
        "depth": 0.0, "score_rate": np.nan, "recent": 0, "failed": 0, "repeat_rate": 0.0,
    })
    facts = pd.concat([point_rows, alley_rows], ignore_index=True)

    tied = place_problems(problems, ties, vocab, as_of).merge(rounds, on="id", how="left")
    sums = tied.groupby(KEY)[["open", "overdue", "age_months", "closings", "reopenings"]].sum()
    facts = facts.merge(sums, left_on=KEY, right_index=True, how="left")
    for column in ("open", "overdue", "closings", "reopenings"):
        facts[column] = facts[column].fillna(0).astype(np.int64)
    facts["age_months"] = facts["age_months"].fillna(0.0).astype(float)
    closings = facts["closings"].to_numpy(dtype=float)
    facts["rebound_rate"] = np.divide(facts["reopenings"].to_numpy(dtype=float), closings,
                                      out=np.zeros(len(facts)), where=closings > 0)
    return facts.reset_index(drop=True)
