"""Where each problem belongs: its district by containment, its place by nearest distance.

A ledger row says which district and which assessment point a problem is at, but
people type those; the coordinates are the truth. ``tie_problems`` recomputes both:
the district whose polygon contains the problem (a problem on a shared border goes to
exactly one district, see ``geo.assign_area``) and the nearest assessment place (a
point, a road section or a back alley, measured to its nearest part on the ground)
within a configurable distance. A problem farther than that from every place is
flagged ``too_far`` and tied to nothing rather than silently attached to a far point.
Differences from the ledger are reported, not overwritten.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo

__all__ = ["POINT", "ALLEY", "assessment_places", "tie_problems", "tie_summary", "needs_a_look"]

#: ``place_type`` of an assessment point (points table) and of a back alley (alleys table).
POINT = "point"
ALLEY = "alley"
#: Point category code under which back alleys are listed among assessment places.
ALLEY_CATEGORY = "back_alley"


def assessment_places(points: gpd.GeoDataFrame, alleys: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every assessment place with its true shape, in WGS-84.

    Parameters
    ----------
    points : GeoDataFrame
        ``Store.points()``: point geometry from ``lon``/``lat``; road sections and
        streets also carry their line as ``shape``, which is used instead.
    alleys : GeoDataFrame
        ``Store.alleys()``: back alleys as lines.

    Returns
    -------
    GeoDataFrame
        A RangeIndex and ``place_type`` (``point``/``alley``), ``place_id``, ``name``,
        ``category`` (``back_alley`` for alleys), ``district_code``, ``up_to_standard``
        (latest inspection; NA for alleys), ``alley_state`` (NA for points) and the
        geometry: the whole line or polygon where there is one, since "within 300 m"
        and "nearest" are about any part of it.
    """
    shapes = np.asarray(points.geometry.array, dtype=object).copy()
    if "shape" in points and len(points):
        footprint = points["shape"].to_numpy(dtype=object)
        has = np.array([isinstance(g, shapely.Geometry) for g in footprint], dtype=bool)
        shapes[has] = footprint[has]
    standard = points["up_to_standard"] if "up_to_standard" in points else pd.Series(pd.NA, index=points.index)
    point_rows = pd.DataFrame({
        "place_type": POINT, "place_id": points["id"].to_numpy(), "name": points["name"].to_numpy(),
        "category": points["category"].to_numpy(), "district_code": points["district_code"].to_numpy(),
        "up_to_standard": standard.astype("boolean").to_numpy(), "alley_state": pd.NA,
    })
    alley_rows = pd.DataFrame({
        "place_type": ALLEY, "place_id": alleys["id"].to_numpy(), "name": alleys["name"].to_numpy(),
        "category": ALLEY_CATEGORY, "district_code": alleys["district_code"].to_numpy(),
        "up_to_standard": pd.array([pd.NA] * len(alleys), dtype="boolean"),
        "alley_state": alleys["state"].to_numpy(),
    })
    geometry = np.concatenate([shapes, np.asarray(alleys.geometry.array, dtype=object)])
    frame = pd.concat([point_rows, alley_rows], ignore_index=True)
    frame["up_to_standard"] = frame["up_to_standard"].astype("boolean")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=geo.WGS84), crs=geo.WGS84)


def tie_problems(problems: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 max_distance_m: float, metric_crs=None) -> pd.DataFrame:
    """Tie every problem to a district (containment) and a place (nearest, on the ground).

    Parameters
    ----------
    problems : GeoDataFrame
        ``Store.problems()``: points in WGS-84 with ``id`` and the ledger's
        ``district_code`` and ``point_id``.
    districts : GeoDataFrame
        District polygons in WGS-84 with ``code``.
    places : GeoDataFrame
        From :func:`assessment_places`.
    max_distance_m : float
        Farthest a problem may be from a place's nearest part and still be tied to it,
        in metres on the ground.
    metric_crs : optional
        Passed to ``geo.nearest_point``; default the data's UTM zone.

    Returns
    -------
    DataFrame
        One row per problem, in input order: ``problem_id``, ``district_code`` (the
        containing district; NA outside every district), ``place_type``, ``place_id``
        and ``distance_m`` (NA/NaN when too far), ``too_far``, ``outside`` (in no
        district), ``ledger_district_code``, ``ledger_point_id``, ``district_differs``
        (containing district is not the ledger's) and ``point_differs`` (tied, but to
        another place than the ledger's point).
    """
    if "id" not in problems:
        raise ValueError("problems: missing column 'id'")
    ids = problems["id"].to_numpy()
    district = geo.assign_area(problems, districts, "code") if len(districts) else \
        pd.Series(pd.NA, index=problems.index, dtype=object)
    if len(problems):
        nearest = geo.nearest_point(problems, places, max_distance_m, metric_crs=metric_crs)
        position = nearest["target"].to_numpy(dtype=float, na_value=np.nan)
    else:
        nearest = pd.DataFrame({"distance_m": np.empty(0), "matched": np.empty(0, dtype=bool)})
        position = np.empty(0)
    tied = ~np.isnan(position)
    at = position[tied].astype(np.intp)
    place_type = np.full(len(problems), None, dtype=object)
    place_id = np.full(len(problems), None, dtype=object)
    place_type[tied] = places["place_type"].to_numpy(dtype=object)[at]
    place_id[tied] = places["place_id"].to_numpy(dtype=object)[at]

    def ledger(column: str) -> pd.array:
        values = problems[column] if column in problems else pd.Series(pd.NA, index=problems.index)
        return pd.array(values.astype("string").to_numpy(), dtype="string")

    out = pd.DataFrame({
        "problem_id": ids,
        "district_code": pd.array(district.astype("string").to_numpy(), dtype="string"),
        "place_type": pd.array(place_type, dtype="string"),
        "place_id": pd.array(place_id, dtype="string"),
        "distance_m": nearest["distance_m"].to_numpy(dtype=float),
        "too_far": ~tied,
        "outside": district.isna().to_numpy(),
        "ledger_district_code": ledger("district_code"),
        "ledger_point_id": ledger("point_id"),
    })
    out["district_differs"] = (out["district_code"].fillna("") != out["ledger_district_code"].fillna("")).to_numpy()
    tied_point = out["place_id"].where((out["place_type"] == POINT).fillna(False))
    # Only a tied problem can differ: an untied one is already flagged too_far.
    out["point_differs"] = tied & (tied_point.fillna("") != out["ledger_point_id"].fillna("")).to_numpy()
    return out


def needs_a_look(ties: pd.DataFrame, point_differs: bool = False) -> pd.Series:
    """Ties to check: too far from every place, in no district, or in another district
    than the ledger says; with ``point_differs``, also nearest another point than the
    ledger's (common where points crowd, so left out unless asked for)."""
    flagged = ties["too_far"] | ties["outside"] | ties["district_differs"]
    return flagged | ties["point_differs"] if point_differs else flagged


def tie_summary(ties: pd.DataFrame) -> dict[str, int]:
    """Counts for a report line: problems, tied, too far, outside, and ledger differences."""
    return {
        "problems": int(len(ties)),
        "tied": int((~ties["too_far"]).sum()),
        "too_far": int(ties["too_far"].sum()),
        "outside": int(ties["outside"].sum()),
        "district_differs": int(ties["district_differs"].sum()),
        "point_differs": int(ties["point_differs"].sum()),
    }
