"""The life of each demo problem, as status events.

Found → assigned with a deadline (its category's time limit, 处置时限) → being fixed →
reported fixed → checked: closed, or sent back (rework) → ... A closed problem may come
back (反弹, a rebound) and run the cycle again with a new deadline. A few problems stall
and run past their deadline. Events after ``as_of`` have not happened yet, so the
problem's status is whatever the last event before ``as_of`` left.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from civmap.demo.names import NameBook
from civmap.vocab import Vocabulary

__all__ = ["simulate_problems", "PROBLEM_PRONENESS"]

#: How much more often a point of a category has problems than an ordinary one.
PROBLEM_PRONENESS = {"farmers_market": 8, "food_street": 7, "urban_village": 6, "old_compound": 4,
                     "arterial_road": 4, "commercial_street": 5, "intersection": 2, "construction_site": 3,
                     "residential": 1.5, "hospital": 3, "coach_station": 4, "railway_station": 6,
                     "bus_stop": 0.8, "school": 1.5}
_CHECK_PASS = 0.87
_REBOUND = 0.05
_STALL = 0.14
_SURGE_SHARE = 0.15      # found by the recent mock assessment (模拟测评) push
_SURGE_DAYS = 30
_DAY = dt.timedelta(days=1)


def _problem_categories(vocab: Vocabulary, names: NameBook, point_categories: np.ndarray,
                        rng: np.random.Generator) -> np.ndarray:
    cats = vocab.problem_categories
    base = cats["weight"].to_numpy(dtype=float)
    boost = names.affinity.pivot_table(index="point_category", columns="problem_category",
                                       values="boost", aggfunc="max")
    out = np.empty(len(point_categories), dtype=object)
    for pc in np.unique(point_categories):
        w = base.copy()
        if pc in boost.index:
            extra = boost.loc[pc].reindex(cats.index).fillna(1.0).to_numpy()
            w = w * extra
        mask = point_categories == pc
        out[mask] = rng.choice(cats.index.to_numpy(), size=mask.sum(), p=w / w.sum())
    return out


def _office_hours(moment: dt.datetime) -> dt.datetime:
    """Move a moment into office hours (08:00–18:00), as officials log events then."""
    moment = moment.replace(second=0, microsecond=0)
    if moment.hour < 8:
        return moment.replace(hour=8 + moment.minute % 3)
    if moment.hour >= 18:
        return (moment + _DAY).replace(hour=8 + moment.minute % 3)
    return moment


def _in_order(events: list) -> list:
    """Office-hour rounding can tie or swap close events: keep each a minute after the last."""
    out = []
    for at, *rest in events:
        at = _office_hours(at)
        if out and at <= out[-1][0]:
            at = out[-1][0] + dt.timedelta(minutes=1)
        out.append((at, *rest))
    return out


def simulate_problems(rng: np.random.Generator, points: pd.DataFrame, units: pd.DataFrame,
                      vocab: Vocabulary, names: NameBook, as_of: dt.date, n: int):
    """Return (problems, events) tables for ``n`` problems found over the two years to ``as_of``."""
    weight = points["category"].map(PROBLEM_PRONENESS).fillna(1.0).to_numpy()
    chosen = rng.choice(len(points), size=n, p=weight / weight.sum())
    pts = points.iloc[chosen].reset_index(drop=True)
    categories = _problem_categories(vocab, names, pts["category"].to_numpy(), rng)
    sources = vocab.problem_sources
    source = rng.choice(sources.index.to_numpy(), size=n, p=(sources["weight"] / sources["weight"].sum()).to_numpy())
    # More problems are found as the campaign intensifies towards the present.
    age_days = (1 - rng.beta(1.7, 1.0, n)) * 728
    surge = rng.random(n) < _SURGE_SHARE
    age_days[surge] = rng.uniform(0, _SURGE_DAYS, surge.sum())
    start = dt.datetime.combine(as_of, dt.time()) - dt.timedelta(days=728)
    found = sorted(start + dt.timedelta(days=float(728 - a)) for a in age_days)
    unit_names = units.set_index("code")["name"].to_dict()
    # Some responsible units are slower than others: that is what the red and black lists show.
    slowness = dict(zip(units["code"], rng.lognormal(0.0, 0.55, len(units))))
    end = dt.datetime.combine(as_of, dt.time(23, 59))

    # Columns as lists and time limits looked up once: per-row pandas access was most of the
    # loop's time, and the first visitor of a new store waits for this city.
    limits = {code: vocab.time_limit_days(code) for code in set(categories)}
    row_of = pts[["unit_code", "name", "id", "address", "chief_name"]].to_dict("list")
    problem_rows, event_rows = [], []
    for i in range(n):
        found_at = min(found[i] + dt.timedelta(hours=float(rng.uniform(8, 17.5))), end - _DAY * 0.4)
        cat = categories[i]
        limit = limits[cat]
        unit = row_of["unit_code"][i]
        pid = f"WT{found_at.year}{i + 1:06d}"
        events = _lifecycle(rng, found_at, limit, unit_names.get(unit, unit),
                            sources.at[source[i], "zh"], names, slowness.get(unit, 1.0))
        events = [e for e in events if e[0] <= end]
        deadline = max((e[3] for e in events if e[3] is not None), default=None)
        last = events[-1]
        for at, actor, (frm, to), dl, note in events:
            event_rows.append((pid, at, actor, frm, to, dl, note))
        problem_rows.append({
            "id": pid,
            "description": names.problem_text(rng, cat, row_of["name"][i]),
            "category": cat,
            "source": source[i],
            "point_id": row_of["id"][i],
            "address": row_of["address"][i],
            "found_on": events[0][0].date(),  # the found event, after office-hour rounding
            "deadline": deadline,
            "status": last[2][1],
            "status_since": last[0],
            "unit_code": unit,
            "chief_name": row_of["chief_name"][i],
        })
    events = pd.DataFrame(event_rows, columns=["problem_id", "at", "actor", "from_status", "to_status",
                                               "deadline", "note"])
    return pd.DataFrame(problem_rows), events


def _check_delay(rng) -> float:
    """Days from a reported fix to the on-site check: mostly within a day, sometimes a week."""
    return float(min(rng.exponential(0.6), 7.0))


def _lifecycle(rng, found_at: dt.datetime, limit: int, unit_name: str, source_name: str, names: NameBook,
               slowness: float):
    """Every event of one problem, as (at, actor, (from, to), deadline set, note)."""
    checker, assigner = names.words["check_actor"], names.words["assign_actor"]
    events = [(found_at, source_name, (None, "found"), None, None)]
    t = found_at + _DAY * float(rng.exponential(0.7))
    deadline = (t + _DAY * limit).date()
    events.append((t, assigner, ("found", "assigned"), deadline, None))
    stalled = rng.random() < _STALL * slowness
    rounds = 0
    state = "assigned"
    while True:
        t += _DAY * float(rng.exponential(0.4))
        events.append((t, unit_name, (state, "fixing"), None, None))
        effort = limit * slowness * float(rng.lognormal(np.log(0.45), 0.75))
        if stalled:
            effort = limit * rng.uniform(3, 12)
        t += _DAY * max(effort, 0.05)
        events.append((t, unit_name, ("fixing", "reported"), None, None))
        t += _DAY * _check_delay(rng)
        while rng.random() > _CHECK_PASS and rounds < 3:
            rounds += 1
            events.append((t, checker, ("reported", "fixing"), None, "复核未通过，退回整改"))
            t += _DAY * max(limit * float(rng.lognormal(np.log(0.3), 0.5)), 0.05)
            events.append((t, unit_name, ("fixing", "reported"), None, "再次整改"))
            t += _DAY * _check_delay(rng)
        events.append((t, checker, ("reported", "closed"), None, "复核通过，销号"))
        if rng.random() >= _REBOUND or rounds >= 4:
            return _in_order(events)
        rounds += 1
        t += _DAY * float(rng.uniform(10, 90))
        deadline = (t + _DAY * limit).date()
        events.append((t, assigner, ("closed", "reopened"), deadline, "问题反弹，重新交办"))
        state = "reopened"
