"""What-if: if a plan's places were fixed, what would the districts' figures be?

A plan is a set of ranked rows (``(kind, key)``: circles, alleys, points, categories of a
district), standing for the points and alleys they cover (``rank.places_of``). Fixing
them is taken to mean:

- every problem tied to one of those places that is not yet closed is closed at the
  moment ``at`` (a status event into the first closed status, as ``Store.set_status``
  records it), so the closing rate, the on-time rate and the red and black lists are
  recomputed from the status histories with that event added, by the same functions
  as the Progress page;
- every point among them that is below standard passes its next inspection, so the
  share up to standard (达标率) counts it as up to standard.

Problems tied to no place (too far from every one) are in no plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civmap.figures import overdue_mask
from civmap.planning.inputs import PlanningData
from civmap.planning.rank import places_of
from civmap.progress.figures import LIST_DAYS
from civmap.progress.timeline import Timeline, build_timeline
from civmap.progress.rank import rank
from civmap.vocab import Vocabulary

__all__ = ["PlanEffect", "known_items", "item_names", "plan_places", "plan_problems", "district_figures", "what_if"]

KEY = ["place_type", "place_id"]


@dataclass(frozen=True)
class PlanEffect:
    """The effect of a plan.

    Attributes
    ----------
    places : DataFrame
        The points and alleys the plan covers (``place_type``, ``place_id``).
    problems : DataFrame
        The problems it would close (``id``, ``district_code``, ``overdue`` ...).
    closes_open, closes_overdue : int
        How many open, and of them overdue, problems that is.
    districts : DataFrame
        Per district, each figure ``*_before`` and ``*_after``: ``standard`` (达标率),
        ``closing`` (closing rate), ``on_time`` (on-time rate over the red and black
        lists' period), ``rank`` and ``mark`` (red / black / None) in the list by district;
        and ``closes`` (problems the plan closes there).
    """

    places: pd.DataFrame
    problems: pd.DataFrame
    closes_open: int
    closes_overdue: int
    districts: pd.DataFrame


def known_items(items, data: PlanningData) -> tuple[list, list]:
    """(items that exist in the data, items that do not), e.g. for a plan kept before a
    point was removed from the timeline."""
    facts = data.facts
    ids = {kind: set(facts.loc[facts["place_type"] == kind, "place_id"]) for kind in ("point", "alley")}
    ids["circle"] = set(data.circles["id"])
    points = facts[facts["place_type"] == "point"]
    ids["category"] = set(points["district_code"].astype(str) + "/" + points["category"].astype(str))
    known = [item for item in items if item[1] in ids.get(item[0], ())]
    return known, [item for item in items if item not in known]


def item_names(items, data: PlanningData) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(kind, key) → (name, district code); a category's name is its category code."""
    facts = data.facts.set_index(["place_type", "place_id"])
    circles = data.circles.set_index("id")
    out = {}
    for kind, key in items:
        if kind == "circle" and key in circles.index:
            out[(kind, key)] = (str(circles.at[key, "name"]), circles.at[key, "district_code"])
        elif kind == "category":
            district, _, category = key.partition("/")
            out[(kind, key)] = (category, district)
        elif (kind, key) in facts.index:
            out[(kind, key)] = (str(facts.at[(kind, key), "name"]), facts.at[(kind, key), "district_code"])
    return out


def plan_places(items, data: PlanningData) -> pd.DataFrame:
    """The points and alleys covered by the plan's ``(kind, key)`` items, each once."""
    frames = [places_of(kind, key, data.facts, data.circles, data.members) for kind, key in items]
    if not frames:
        return pd.DataFrame(columns=KEY)
    return pd.concat(frames, ignore_index=True).drop_duplicates().reset_index(drop=True)


def plan_problems(places: pd.DataFrame, data: PlanningData, vocab: Vocabulary) -> pd.DataFrame:
    """The problems tied to ``places`` that are not yet closed."""
    problems = data.problems
    wanted = pd.MultiIndex.from_frame(places[KEY].astype(object)) if len(places) else pd.MultiIndex.from_tuples(
        [], names=KEY)
    tied = pd.MultiIndex.from_arrays([problems["place_type"].to_numpy(), problems["place_id"].to_numpy()])
    chosen = tied.isin(wanted) & problems["status"].isin(vocab.unresolved_statuses).to_numpy()
    return problems[chosen]


def _standard(points: pd.DataFrame, passed: set) -> pd.DataFrame:
    inspected = points["up_to_standard"].notna()
    up = points["up_to_standard"].astype("boolean").fillna(False).astype(bool)
    if passed:
        up = up | (inspected & points["id"].isin(passed))
    frame = pd.DataFrame({"district_code": points["district_code"], "inspected": inspected, "up": up & inspected})
    sums = frame.groupby("district_code")[["inspected", "up"]].sum()
    return (sums["up"] / sums["inspected"].where(sums["inspected"] > 0)).rename("standard")


def district_figures(points: pd.DataFrame, problems: pd.DataFrame, timeline: Timeline, vocab: Vocabulary,
                     as_of: dt.date, passed=frozenset()) -> pd.DataFrame:
    """Per district: ``standard``, ``closing``, ``on_time``, ``rank`` and ``mark``.

    ``points`` as ``Store.points()`` (``passed``: ids counted up to standard whatever their
    latest inspection); ``problems`` with their current status; ``timeline`` their histories.
    ``on_time``, ``rank`` and ``mark`` are those of the red and black lists by district over
    the ``LIST_DAYS`` days ending ``as_of`` (``civmap.progress_rank.rank``).
    """
    closed = problems["status"].isin(vocab.closed_statuses)
    grouped = closed.groupby(problems["district_code"])
    closing = (grouped.sum() / grouped.size()).rename("closing")
    districts = sorted(set(points["district_code"]) | set(problems["district_code"]))
    listed = rank(timeline, "district", as_of - dt.timedelta(days=LIST_DAYS - 1), as_of, {d: d for d in districts})
    listed = listed.set_index("code")[["on_time_rate", "rank", "mark"]].rename(columns={"on_time_rate": "on_time"})
    out = pd.DataFrame(index=pd.Index(districts, name="district_code"))
    out = out.join(_standard(points, set(passed))).join(closing).join(listed)
    out["mark"] = out["mark"].astype(object).where(out["mark"].notna(), None)
    return out


def what_if(items, data: PlanningData, vocab: Vocabulary, at: dt.datetime,
            before: pd.DataFrame | None = None) -> PlanEffect:
    """The plan's effect if its problems were closed at ``at`` (on ``data.as_of``) and its
    points passed. ``before`` (``district_figures`` as things are) may be passed in to
    save computing it again for every plan."""
    if at.date() != data.as_of:
        raise ValueError(f"a what-if closes problems on the day figures are computed for ({data.as_of}), not {at}")
    places = plan_places(items, data)
    closing = plan_problems(places, data, vocab)
    if before is None:
        before = district_figures(data.points, data.problems, data.timeline, vocab, data.as_of)
    status = vocab.closed_statuses[0]
    problems = data.problems.assign(status=np.where(data.problems["id"].isin(closing["id"]), status,
                                                    data.problems["status"]))
    added = pd.DataFrame({"problem_id": closing["id"].to_numpy(), "at": pd.Timestamp(at), "to_status": status,
                          "deadline": None})
    events = pd.concat([data.events, added], ignore_index=True) if len(added) else data.events
    timeline = build_timeline(problems, events, vocab) if len(added) else data.timeline
    passed = set(places.loc[places["place_type"] == "point", "place_id"])
    after = district_figures(data.points, problems, timeline, vocab, data.as_of, passed)
    table = before.add_suffix("_before").join(after.add_suffix("_after"))
    table["closes"] = closing.groupby("district_code").size().reindex(table.index, fill_value=0).astype(np.int64)
    overdue = overdue_mask(closing, vocab, data.as_of).to_numpy(dtype=bool)
    return PlanEffect(places=places, problems=closing.assign(overdue=overdue), closes_open=len(closing),
                      closes_overdue=int(overdue.sum()), districts=table.reset_index())
