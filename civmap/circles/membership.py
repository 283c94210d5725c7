"""Key point-circles (重点点位圈): a centre and every assessment place within the radius.

Membership is never stored: it is computed here from geometry, so a change of radius
or of the centre kinds cannot leave stale members behind. A place is a member of a
circle when any part of it (a point, a road section's or back alley's line, a
polygon) lies within ``radius_m`` of the centre on the ground (``geo.within_distance``:
geodesic distance, no degrees compared). Members are every assessment point except the
centre itself, and every back alley.

A circle's problems are those tied (``civmap.circles.ties``) to its centre or one of its
members, plus any problem tied to no place that lies inside the ring, so that a
problem too far from every point is not lost from the circle it stands in.

The page (``pages/circles.py``) and the CLI (``python -m civmap circles``) both call
:func:`load_circle_data` and :func:`summarise`, so they show the same membership.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
from civmap.circles.state import CircleRule, apply_rule
from civmap.figures import overdue_days, overdue_mask
from civmap.circles.ties import ALLEY, POINT, assessment_places, tie_problems
from civmap.vocab import Vocabulary

__all__ = ["MEMBER_GROUPS", "member_group", "CircleData", "active_circles", "circle_members",
           "circle_problems", "summarise", "load_circle_data", "compute_circle_data", "problem_ties"]

#: How members are counted on the page and in the CLI, in column order. A point
#: category named here is its own group; every other category is "other".
MEMBER_GROUPS = ("residential", "back_alley", "public_toilet", "other")
_OWN_GROUP = frozenset(MEMBER_GROUPS) - {"other"}


def member_group(categories: pd.Series) -> pd.Series:
    """The member group of each point category code (``other`` unless it has its own)."""
    return categories.where(categories.isin(_OWN_GROUP), "other")


@dataclass(frozen=True)
class CircleData:
    """Everything spatial about the circles, computed once per data change and settings.

    Attributes
    ----------
    circles : GeoDataFrame
        The active circles (centre kind chosen), as ``Store.circles()`` returns them.
    members : DataFrame
        One row per (circle, member): see :func:`circle_members`.
    problems : DataFrame
        One row per (circle, problem): see :func:`circle_problems`.
    ties : DataFrame
        Every problem's district and place: see ``civmap.circles.ties.tie_problems``.
    radius_m, tie_distance_m : float
        Metres on the ground.
    kinds : tuple of str
        Centre kinds whose circles are active.
    as_of : date
        The day overdue is judged on.
    """

    circles: gpd.GeoDataFrame
    members: pd.DataFrame
    problems: pd.DataFrame
    ties: pd.DataFrame
    radius_m: float
    kinds: tuple[str, ...]
    tie_distance_m: float
    as_of: dt.date


def active_circles(circles: gpd.GeoDataFrame, kinds) -> gpd.GeoDataFrame:
    """The circles whose centre kind is in ``kinds`` (an empty choice keeps none)."""
    return circles[circles["kind"].isin(tuple(kinds))].reset_index(drop=True)


def _check_radius(radius_m: float) -> float:
    radius_m = float(radius_m)
    if not np.isfinite(radius_m) or radius_m <= 0:
        raise ValueError(f"circle radius must be a positive number of metres, got {radius_m}")
    return radius_m


def circle_members(circles: gpd.GeoDataFrame, places: gpd.GeoDataFrame, radius_m: float,
                   metric_crs=None, found: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (circle, member) pair: places any part of which is within ``radius_m``.

    Parameters
    ----------
    circles : GeoDataFrame
        ``id``, ``centre_point_id`` and the centre's Point geometry, WGS-84.
    places : GeoDataFrame
        ``civmap.circles.ties.assessment_places``: points, lines, polygons in WGS-84.
    radius_m : float
        Ground radius in metres.
    metric_crs : optional
        Metric CRS for the spatial index (default: the data's UTM zone).
    found : DataFrame, optional
        The (circle, place) pairs within ``radius_m`` as the store found them in the
        database (``civmap.storage.spatial.circle_pairs``: ``circle_id``, ``place_type``,
        ``place_id``, ``distance_m``), the same pairs ``geo.within_distance`` finds; pairs
        of circles or places not in the frames are left out. None: computed here.

    Returns
    -------
    GeoDataFrame
        ``circle_id``, ``centre_id``, ``place_type``, ``member_id``, ``name``,
        ``category``, ``group`` (see :data:`MEMBER_GROUPS`), ``district_code``,
        ``lon``/``lat`` (WGS-84 of the member's point nearest the centre: the point
        itself, or where a line or polygon comes closest), ``distance_m`` (geodesic
        metres, 0 when the centre touches it), ``up_to_standard``, ``alley_state`` and the
        member's whole shape as geometry (WGS-84); ordered by circle, distance,
        member. The centre itself is not its own member.
    """
    radius_m = _check_radius(radius_m)
    centres = gpd.GeoDataFrame(geometry=circles.geometry.to_numpy(), crs=circles.crs)
    if found is None:
        pairs = geo.within_distance(centres, places, radius_m, metric_crs=metric_crs)
    else:
        pairs = _positions(found, circles, places)
    ci, mi = pairs["centre"].to_numpy(dtype=np.intp), pairs["member"].to_numpy(dtype=np.intp)
    members = places.iloc[mi].reset_index(drop=True)
    centre_ids = circles["centre_point_id"].to_numpy(dtype=object)[ci]
    is_centre = (members["place_type"].to_numpy() == POINT) & (members["place_id"].to_numpy() == centre_ids)
    keep = ~is_centre
    ci, members, centre_ids = ci[keep], members[keep].reset_index(drop=True), centre_ids[keep]
    distance = pairs["distance_m"].to_numpy()[keep]
    if len(members):
        feet = geo.nearest_points_to(centres.iloc[ci].reset_index(drop=True), members.geometry.reset_index(drop=True),
                                     metric_crs=metric_crs)
    else:
        feet = gpd.GeoSeries([], crs=geo.WGS84)
    frame = pd.DataFrame({
        "circle_id": circles["id"].to_numpy(dtype=object)[ci],
        "centre_id": centre_ids,
        "place_type": members["place_type"].to_numpy(),
        "member_id": members["place_id"].to_numpy(),
        "name": members["name"].to_numpy(),
        "category": members["category"].to_numpy(),
        "group": member_group(members["category"]).to_numpy(),
        "district_code": members["district_code"].to_numpy(),
        "lon": feet.x.to_numpy() if len(feet) else np.empty(0),
        "lat": feet.y.to_numpy() if len(feet) else np.empty(0),
        "distance_m": distance,
        "up_to_standard": members["up_to_standard"].array,
        "alley_state": members["alley_state"].to_numpy(),
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(members.geometry.to_numpy(), crs=geo.WGS84))


def _positions(found: pd.DataFrame, circles: gpd.GeoDataFrame, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs found by id, as ``geo.within_distance`` gives them: positions in ``circles`` and
    ``places``, ordered by centre, distance, member."""
    circle_at = pd.Series(np.arange(len(circles)), index=circles["id"].to_numpy())
    place_at = pd.Series(np.arange(len(places)),
                         index=pd.MultiIndex.from_arrays([places["place_type"].to_numpy(), places["place_id"].to_numpy()]))
    ci = circle_at.reindex(found["circle_id"].to_numpy()).to_numpy()
    mi = place_at.reindex(pd.MultiIndex.from_arrays([found["place_type"].to_numpy(),
                                                     found["place_id"].to_numpy()])).to_numpy()
    known = ~(np.isnan(ci) | np.isnan(mi))
    ci, mi = ci[known].astype(np.intp), mi[known].astype(np.intp)
    dist = found["distance_m"].to_numpy(dtype=float)[known]
    order = np.lexsort((mi, dist, ci))
    return pd.DataFrame({"centre": ci[order], "member": mi[order], "distance_m": dist[order]})


_PROBLEM_COLUMNS = ("id", "description", "category", "source", "status", "found_on", "deadline", "lon", "lat",
                    "district_code", "address", "unit_name", "chief_name", "point_name")


def circle_problems(circles: gpd.GeoDataFrame, members: pd.DataFrame, problems: gpd.GeoDataFrame,
                    ties: pd.DataFrame, radius_m: float, vocab: Vocabulary, as_of: dt.date) -> pd.DataFrame:
    """Every (circle, problem) pair, with whether the problem is open and overdue.

    A problem belongs to a circle when its recomputed tie (``ties``, in the order of
    ``problems``) is the circle's centre or one of its ``members``; a problem tied to
    nothing (too far from every place) belongs to each circle whose ring contains it.

    Returns
    -------
    DataFrame
        ``circle_id``, ``problem_id``, ``via`` (``tie``/``ring``), ``place_type``,
        ``place_id`` (its tie), the problem's own columns (``description``,
        ``category``, ``status``, ``deadline``, ``lon``, ``lat`` ...), ``open`` (not
        yet closed), ``overdue`` and ``overdue_days`` (0 unless overdue).
    """
    if len(ties) != len(problems):
        raise ValueError(f"ties ({len(ties)} rows) must match problems ({len(problems)} rows)")
    owners = pd.concat([
        pd.DataFrame({"circle_id": circles["id"].to_numpy(), "place_type": POINT,
                      "place_id": circles["centre_point_id"].to_numpy()}),
        members[["circle_id", "place_type", "member_id"]].rename(columns={"member_id": "place_id"}),
    ], ignore_index=True)
    tied = ties.reset_index(drop=True).assign(row=np.arange(len(ties)))
    tied = tied[~tied["too_far"]][["row", "place_type", "place_id"]].astype({"place_type": object, "place_id": object})
    by_tie = owners.merge(tied, on=["place_type", "place_id"], how="inner").assign(via="tie")
    loose = np.flatnonzero(ties["too_far"].to_numpy())
    by_ring = pd.DataFrame({"circle_id": [], "row": []})
    if len(loose) and len(circles):
        centres = gpd.GeoDataFrame(geometry=circles.geometry.to_numpy(), crs=circles.crs)
        inside = geo.within_distance(centres, problems.iloc[loose].reset_index(drop=True), _check_radius(radius_m))
        by_ring = pd.DataFrame({"circle_id": circles["id"].to_numpy()[inside["centre"].to_numpy(dtype=np.intp)],
                                "row": loose[inside["member"].to_numpy(dtype=np.intp)]})
    by_ring = by_ring.assign(place_type=None, place_id=None, via="ring")
    pairs = pd.concat([by_tie, by_ring], ignore_index=True).astype({"row": np.intp})
    chosen = pd.DataFrame(problems.iloc[pairs["row"].to_numpy()][list(_PROBLEM_COLUMNS)]).reset_index(drop=True)
    out = pd.concat([pairs.drop(columns="row").reset_index(drop=True), chosen], axis=1)
    out = out.rename(columns={"id": "problem_id"})
    out["open"] = out["status"].isin(vocab.unresolved_statuses)
    out["overdue"] = overdue_mask(out, vocab, as_of).to_numpy()
    out["overdue_days"] = np.where(out["overdue"], overdue_days(out, as_of), 0) if len(out) else 0
    columns = ["circle_id", "problem_id", "via", "place_type", "place_id",
               *[c for c in out.columns if c not in ("circle_id", "problem_id", "via", "place_type", "place_id")]]
    return out[columns].sort_values(["circle_id", "problem_id"], kind="stable").reset_index(drop=True)


def summarise(data: CircleData, rule: CircleRule) -> pd.DataFrame:
    """One row per active circle: centre, member counts by group, problems, standard, state.

    Columns: ``circle_id``, ``name``, ``kind``, ``district_code``, ``centre_id``,
    ``centre_name``, ``centre_lon``/``centre_lat`` (WGS-84), ``chief_name``,
    ``chief_phone``, ``unit_name``, one ``n_<group>`` per :data:`MEMBER_GROUPS`,
    ``members``, ``open``, ``overdue``, ``rated`` and ``up_to_standard`` (centre and
    members with a known standard, and those up to it), then what
    ``civmap.circles.state.apply_rule`` adds (``standard_share``, ``state``,
    ``reasons``: codes and numbers, no words).
    """
    circles, members, problems = data.circles, data.members, data.problems
    ids = pd.Index(circles["id"], name="circle_id")
    out = pd.DataFrame({
        "circle_id": circles["id"].to_numpy(), "name": circles["name"].to_numpy(),
        "kind": circles["kind"].to_numpy(), "district_code": circles["district_code"].to_numpy(),
        "centre_id": circles["centre_point_id"].to_numpy(), "centre_name": circles["centre_name"].to_numpy(),
        "centre_lon": circles.geometry.x.to_numpy(), "centre_lat": circles.geometry.y.to_numpy(),
        "chief_name": circles["chief_name"].to_numpy(), "chief_phone": circles["chief_phone"].to_numpy(),
        "unit_name": circles["unit_name"].to_numpy(),
    })
    counts = pd.crosstab(members["circle_id"], members["group"]) if len(members) else pd.DataFrame()
    for group in MEMBER_GROUPS:
        column = counts[group] if group in counts else pd.Series(dtype=int)
        out[f"n_{group}"] = column.reindex(ids, fill_value=0).to_numpy(dtype=int)
    out["members"] = members.groupby("circle_id").size().reindex(ids, fill_value=0).to_numpy(dtype=int)
    for column in ("open", "overdue"):
        out[column] = problems.groupby("circle_id")[column].sum().reindex(ids, fill_value=0).to_numpy(dtype=int)
    rated, up = _standard_counts(data, rule)
    out["rated"] = rated.reindex(ids, fill_value=0).to_numpy(dtype=int)
    out["up_to_standard"] = up.reindex(ids, fill_value=0).to_numpy(dtype=int)
    return apply_rule(out, rule)


def _standard_counts(data: CircleData, rule: CircleRule) -> tuple[pd.Series, pd.Series]:
    """Places with a known standard per circle, and those up to it (centre included)."""
    members = data.members
    is_alley = members["place_type"].to_numpy() == ALLEY
    standard = members["up_to_standard"].astype("boolean").copy()
    standard[is_alley] = members.loc[is_alley, "alley_state"].isin(rule.alley_states).to_numpy()
    centres = pd.DataFrame({"circle_id": data.circles["id"].to_numpy(),
                            "standard": data.circles["centre_up_to_standard"].astype("boolean").to_numpy()})
    rows = pd.concat([centres, pd.DataFrame({"circle_id": members["circle_id"].to_numpy(),
                                             "standard": standard.to_numpy()})], ignore_index=True)
    rows = rows[rows["standard"].notna()]
    grouped = rows.groupby("circle_id")["standard"]
    return grouped.size(), grouped.sum().astype(int)


def load_circle_data(store, vocab: Vocabulary, radius_m: float, kinds, tie_distance_m: float,
                     as_of: dt.date | None = None) -> CircleData:
    """Read the store and compute circles, members, ties and circle problems.

    Members and ties are computed over everything the store can see (its scope), not
    over a user's filters: a circle near a district border has members across it.
    """
    found = store.circle_pairs(_check_radius(radius_m))  # None: the Python path below
    return compute_circle_data(store.districts(), store.points(), store.circles(), store.alleys(), store.problems(),
                               vocab, radius_m, kinds, tie_distance_m, as_of or store.as_of(), found=found)


def problem_ties(districts, points, alleys, problems, tie_distance_m: float) -> pd.DataFrame:
    """Each problem's tie to a district and a place (``civmap.circles.ties.tie_problems``),
    as :func:`compute_circle_data` makes them: the costly spatial part, which only a change
    of where things are (an import, not a status change) alters."""
    return tie_problems(problems, districts, assessment_places(points, alleys), tie_distance_m)


def compute_circle_data(districts, points, circles, alleys, problems, vocab: Vocabulary, radius_m: float, kinds,
                        tie_distance_m: float, as_of: dt.date, found: pd.DataFrame | None = None,
                        ties: pd.DataFrame | None = None) -> CircleData:
    """``load_circle_data`` on layers already read (whole, unfiltered), so a caller that
    holds them, like the app's cache, does not read the store again. ``found``: the
    circles' pairs as the store found them in the database (see :func:`circle_members`);
    ``ties``: :func:`problem_ties` of these layers, when the caller holds them (a status
    change leaves every tie as it was: ties depend on where problems and places are)."""
    radius_m = _check_radius(radius_m)
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(vocab.codes("centre_kinds")))
    if unknown:
        raise ValueError(f"unknown centre kind(s) {', '.join(unknown)}; known: "
                         f"{', '.join(vocab.codes('centre_kinds'))}")
    places = assessment_places(points, alleys)
    standard = points.set_index("id")["up_to_standard"].astype("boolean")
    circles = active_circles(circles, kinds)
    circles = circles.assign(centre_up_to_standard=standard.reindex(circles["centre_point_id"]).array)
    if ties is None or not np.array_equal(ties["problem_id"].to_numpy(), problems["id"].to_numpy()):
        ties = tie_problems(problems, districts, places, tie_distance_m)
    members = circle_members(circles, places, radius_m, found=found)
    in_circles = circle_problems(circles, members, problems, ties, radius_m, vocab, as_of)
    return CircleData(circles=circles, members=members, problems=in_circles, ties=ties, radius_m=radius_m,
                      kinds=kinds, tie_distance_m=float(tie_distance_m), as_of=as_of)
