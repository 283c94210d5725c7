"""Everything the planner works from, computed once per data version.

The spatial work (which problem belongs to which place, which places lie in which
circle) and the status histories are the slow part; a change of weights, of the ranked
level or of a what-if set only re-scores or re-counts what is kept here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from civmap.circles.membership import compute_circle_data
from civmap.planning.facts import place_facts, problem_rounds
from civmap.progress.timeline import Timeline, build_timeline
from civmap.vocab import Vocabulary

__all__ = ["PlanningData", "build_planning", "load_planning"]


@dataclass(frozen=True, eq=False)
class PlanningData:
    """The planner's inputs.

    Attributes
    ----------
    facts : DataFrame
        ``civmap.planning.facts.place_facts``: one row per point and back alley.
    circles, members : DataFrame
        The active key circles and their members (``civmap.circles``).
    problems : DataFrame
        ``Store.problems()`` whole, with each problem's ``place_type`` and ``place_id``.
    events : DataFrame
        The problems' status events (``problem_id``, ``at``, ``to_status``, ``deadline``).
    timeline : Timeline
        Their status histories (``civmap.progress.timeline``), for what-ifs and rankings.
    points, alleys, districts : GeoDataFrame
        As the store returned them (WGS-84).
    inspections : DataFrame
        Every inspection, for the trends.
    as_of : date
    threshold : float
        Score rate at which a point is up to standard.
    """

    facts: pd.DataFrame
    circles: pd.DataFrame
    members: pd.DataFrame
    problems: pd.DataFrame
    events: pd.DataFrame
    timeline: Timeline
    points: gpd.GeoDataFrame
    alleys: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    inspections: pd.DataFrame
    as_of: dt.date
    threshold: float


def build_planning(districts, points, circles, alleys, problems, events, inspections, vocab: Vocabulary,
                   radius_m: float, kinds, tie_distance_m: float, as_of: dt.date, threshold: float,
                   alley_done_states=("renovated",), circle_data=None) -> PlanningData:
    """:class:`PlanningData` from layers already read; ``circle_data`` (if the caller has
    ``civmap.circles.CircleData`` for the same layers and settings) saves recomputing it."""
    data = circle_data or compute_circle_data(districts, points, circles, alleys, problems, vocab, radius_m, kinds,
                                              tie_distance_m, as_of)
    events = events[["problem_id", "at", "to_status", "deadline"]]
    timeline = build_timeline(problems, events, vocab)
    facts = place_facts(points, alleys, inspections, problems, data.ties, problem_rounds(timeline), vocab, as_of,
                        threshold, alley_done_states)
    located = pd.DataFrame(problems).assign(place_type=data.ties["place_type"].astype(object).to_numpy(),
                                            place_id=data.ties["place_id"].astype(object).to_numpy())
    return PlanningData(facts=facts, circles=pd.DataFrame(data.circles), members=pd.DataFrame(data.members),
                        problems=located, events=events, timeline=timeline, points=points, alleys=alleys,
                        districts=districts, inspections=inspections, as_of=as_of, threshold=threshold)


def load_planning(store, vocab: Vocabulary, settings) -> PlanningData:
    """Read the store once (through its public reads) and build :class:`PlanningData`."""
    from civmap.circles.state import CircleRule

    rule = CircleRule.parse(settings.circle_rule, "CIVMAP_CIRCLE_RULE")
    return build_planning(store.districts(), store.points(), store.circles(), store.alleys(), store.problems(),
                          store.events(), store.inspections(), vocab, settings.circle_radius_m,
                          settings.centre_kinds, settings.tie_distance_m, store.as_of(), settings.standard_score,
                          rule.alley_states)
