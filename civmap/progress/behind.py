"""Who is behind (谁落后): one score per district, the wall's single answer.

The wall's verdict, its red and black lists and its map shading all read this one
score, so the screen cannot name one district as behind in the lists and another on the
map. The score is a weighted mean of four shares, each read so that more is better:

on_time (按期结案率)
    closed on time ÷ (closed + overdue at the end), over the lists' period
    (:data:`civmap.progress.figures.LIST_DAYS` days): is the district closing on time now?
overdue (超期占比, scored as 1 − share)
    overdue problems ÷ open problems today, i.e. overdue per 100 open: a large district
    is not behind merely for having more problems.
closing (结案率)
    closed ÷ found since the campaign began: the whole campaign's work.
standard (点位圈达标率)
    key circles up to standard ÷ active circles: what the assessors will see.

``score = 100 × Σ weight × share ÷ Σ weight`` over the shares a district has (a district
with no circles has no 达标率, and its score rests on the other three), so it reads as
points out of 100. The weights are data (``behind_weights.csv`` beside the vocabularies),
so an office can weigh its own campaign; the README's wall section states the default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from civmap.progress.rank import default_marks

__all__ = ["MEASURES", "SHARE_COLUMNS", "WEIGHTS_FILE", "DEFAULT_WEIGHTS", "read_weights", "district_shares",
           "city_shares", "score", "standing", "Verdict", "verdict"]

#: The measures of the score, in the order the wall lists them.
MEASURES = ("on_time", "overdue", "closing", "standard")
#: Measure → the column of :func:`district_shares` holding its share (as published).
SHARE_COLUMNS = {"on_time": "on_time_rate", "overdue": "overdue_share", "closing": "closing_rate",
                 "standard": "standard_rate"}
WEIGHTS_FILE = "behind_weights.csv"
_OWN_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "vocab"
#: civmap's own weights, as in ``data/vocab/behind_weights.csv``.
DEFAULT_WEIGHTS = {"on_time": 35.0, "overdue": 25.0, "closing": 20.0, "standard": 20.0}


def read_weights(vocab_dir: str | Path) -> dict[str, float]:
    """Measure → weight from the office's ``behind_weights.csv`` (else civmap's own).

    Every measure must be listed once with a number of 0 or more, and at least one
    weight must be above 0; a bad row is named in the error.
    """
    path = Path(vocab_dir) / WEIGHTS_FILE
    if not path.exists():
        path = _OWN_DIR / WEIGHTS_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("measure", "weight"):
        if column not in frame.columns:
            raise ValueError(f"{path.name}: missing column {column!r}")
    weights: dict[str, float] = {}
    for line, (code, text) in enumerate(zip(frame["measure"], frame["weight"]), start=2):
        code = code.strip()
        if code not in MEASURES:
            raise ValueError(f"{path.name} row {line}: unknown measure {code!r}; expected {', '.join(MEASURES)}")
        if code in weights:
            raise ValueError(f"{path.name} row {line}: measure {code!r} is listed twice")
        try:
            weight = float(text.strip())
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"{path.name} row {line} ({code}): weight {text!r} must be a number of 0 or more")
        weights[code] = weight
    missing = [m for m in MEASURES if m not in weights]
    if missing:
        raise ValueError(f"{path.name}: missing measure(s) {', '.join(missing)}")
    if not any(weights.values()):
        raise ValueError(f"{path.name}: every weight is 0; at least one must count")
    return weights


def _share(part, whole) -> np.ndarray:
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.nan)


def district_shares(names: Mapping[str, str], ranked: pd.DataFrame, rates: pd.DataFrame,
                    circle_states: pd.DataFrame | None) -> pd.DataFrame:
    """The four shares per district in ``names`` (code order kept).

    ``ranked`` is :func:`civmap.progress.rank.rank` by district (``code``, ``on_time_rate``),
    ``rates`` is :func:`civmap.wall.figures.district_rates` (``code``, ``problems``, ``open``,
    ``overdue``, ``closing_rate``), ``circle_states`` has ``district_code`` and ``state``
    per active circle (None: no 达标率 for anyone). ``overdue_share`` is 0 when all of a
    district's problems are closed (nothing can be overdue) but NaN when it has none at
    all, so that an empty district (a new office's store) is not ranked first on it; any
    other share with nothing to divide is NaN.
    """
    codes = list(names)
    on_time = ranked.set_index("code")["on_time_rate"].reindex(codes)
    by_code = rates.set_index("code").reindex(codes)
    found = by_code["problems"].fillna(0).to_numpy()
    open_ = by_code["open"].fillna(0).to_numpy()
    overdue = by_code["overdue"].fillna(0).to_numpy()
    out = pd.DataFrame({"code": codes, "name": [names[c] for c in codes],
                        "on_time_rate": on_time.astype(float).to_numpy(),
                        "overdue_share": np.where(open_ > 0, _share(overdue, open_),
                                                  np.where(found > 0, 0.0, np.nan)),
                        "closing_rate": by_code["closing_rate"].astype(float).to_numpy(),
                        "open": open_.astype(np.int64), "overdue": overdue.astype(np.int64)})
    if circle_states is None:
        out["standard_rate"] = np.nan
    else:
        met = (circle_states["state"] == "met").groupby(circle_states["district_code"])
        out["standard_rate"] = _share(met.sum().reindex(codes).fillna(0), met.size().reindex(codes).fillna(0))
    return out


def city_shares(ranked: pd.DataFrame, rates: pd.DataFrame, circle_states: pd.DataFrame | None) -> dict[str, float]:
    """The four shares for the whole city, from the same counts as the districts'."""
    on_time = float(_share(ranked["on_time"].sum(), ranked["closed"].sum() + ranked["overdue"].sum()))
    open_, overdue = rates["open"].sum(), rates["overdue"].sum()
    standard = math.nan
    if circle_states is not None:
        standard = float(_share((circle_states["state"] == "met").sum(), len(circle_states)))
    return {"on_time_rate": on_time, "overdue_share": float(_share(overdue, open_)) if open_ else 0.0,
            "closing_rate": float(_share(rates["closed"].sum(), rates["problems"].sum())),
            "standard_rate": standard}


def _good(measure: str, share):
    """The share read so that more is better (overdue counts against)."""
    return 1 - share if measure == "overdue" else share


def score(shares: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Points out of 100 for one set of shares; NaN when none of the weighted shares is known."""
    total = weight_sum = 0.0
    for measure in MEASURES:
        value, weight = shares.get(SHARE_COLUMNS[measure]), weights.get(measure, 0.0)
        if weight and value is not None and not pd.isna(value):
            total += weight * _good(measure, float(value))
            weight_sum += weight
    return 100 * total / weight_sum if weight_sum else math.nan


def standing(shares: pd.DataFrame, weights: Mapping[str, float], marks: int | None = None) -> pd.DataFrame:
    """``shares`` (from :func:`district_shares`) with ``score``, ``rank`` and ``mark`` added.

    ``rank`` 1 is the best score; ties share the better rank; None without a score.
    ``mark`` is ``"red"`` for the ``marks`` best ranks and ``"black"`` for the ``marks``
    worst (default :func:`civmap.progress.rank.default_marks`), as the red and black lists
    publish them. Sorted by rank, unranked last.
    """
    table = shares.copy()
    table["score"] = [score(row, weights) for row in table.to_dict("records")]
    best_first = table["score"].rank(method="min", ascending=False)
    worst_first = table["score"].rank(method="min", ascending=True)
    k = default_marks(int(best_first.notna().sum())) if marks is None else int(marks)
    red = best_first <= k
    black = (worst_first <= k) & ~red
    table["rank"] = best_first.astype("Int64")
    table["mark"] = pd.Series(["red" if r else "black" if b else None for r, b in zip(red, black)],
                              index=table.index, dtype=object)
    return table.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class Verdict:
    """Who is behind: the lowest-scoring district(s) and the share that pulls them down most.

    ``measure`` is the measure whose weighted shortfall against the city is largest (None
    when the district is at or above the city on every measure); ``value`` and
    ``city_value`` are that measure's published shares (overdue as overdue ÷ open).
    """

    codes: tuple[str, ...]
    score: float
    city_score: float
    measure: str | None
    value: float | None
    city_value: float | None
    ranked: int


def verdict(table: pd.DataFrame, city: Mapping[str, float], weights: Mapping[str, float]) -> Verdict | None:
    """The verdict from a :func:`standing` table; None when fewer than two are ranked."""
    ranked = table[table["score"].notna()]
    if len(ranked) < 2:
        return None
    low = ranked["score"].min()
    last = ranked[ranked["score"] == low]
    row = last.iloc[0]
    gaps = {}
    for measure in MEASURES:
        column = SHARE_COLUMNS[measure]
        mine, theirs = row[column], city.get(column)
        if weights.get(measure) and not pd.isna(mine) and theirs is not None and not pd.isna(theirs):
            gaps[measure] = weights[measure] * (_good(measure, theirs) - _good(measure, mine))
    measure = max(gaps, key=gaps.get) if gaps and max(gaps.values()) > 0 else None
    column = SHARE_COLUMNS.get(measure or "")
    return Verdict(codes=tuple(last["code"]), score=float(low), city_score=score(city, weights), measure=measure,
                   value=None if column is None else float(row[column]),
                   city_value=None if column is None else float(city[column]), ranked=len(ranked))
