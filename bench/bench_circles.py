"""Benchmark: key point-circle membership (300 m) for 100,000 points x 500 centres.

Compares ``geo.within_distance`` (metric spatial index + geodesic check on candidates)
with a plain per-pair Python loop over ``pyproj.Geod.inv``. The loop over all 50 million
pairs would take minutes, so it runs on a few centres and is extrapolated linearly (its
cost is exactly proportional to the number of pairs); both methods must agree on that
subset pair for pair.

Run from the repository root: ``python bench/bench_circles.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj

# Allow running as a script from anywhere without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geo  # noqa: E402

N_POINTS = 100_000
N_CENTRES = 500
RADIUS_M = 300.0
LOOP_CENTRES = 20
EXTENT = (110.1, 25.1, 110.5, 25.4)  # Guilin, WGS-84 degrees
SEED = 20240601


def _random_points(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = EXTENT
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)),
        crs=geo.WGS84)


def _loop_membership(centres: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> set:
    geod = pyproj.Geod(ellps="WGS84")
    px, py = points.geometry.x.tolist(), points.geometry.y.tolist()
    found = set()
    for c_label, centre in zip(centres.index, centres.geometry):
        for p_label, x, y in zip(points.index, px, py):
            if geod.inv(centre.x, centre.y, x, y)[2] <= RADIUS_M:
                found.add((c_label, p_label))
    return found


def main() -> None:
    rng = np.random.default_rng(SEED)
    points = _random_points(rng, N_POINTS)
    centres = _random_points(rng, N_CENTRES)

    start = time.perf_counter()
    pairs = geo.within_distance(centres, points, RADIUS_M)
    cold = time.perf_counter() - start
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        geo.within_distance(centres, points, RADIUS_M)
        runs.append(time.perf_counter() - start)
    fast = statistics.median(runs)
    print(f"membership {N_POINTS} points x {N_CENTRES} centres: {fast:.3f} s "
          f"(median of 5; first call {cold:.3f} s; {len(pairs)} pairs within {RADIUS_M:.0f} m)")

    subset = centres.iloc[:LOOP_CENTRES]
    start = time.perf_counter()
    looped = _loop_membership(subset, points)
    loop_time = time.perf_counter() - start
    extrapolated = loop_time * N_CENTRES / LOOP_CENTRES
    print(f"python loop (Geod.inv per pair) {N_POINTS} points x {LOOP_CENTRES} centres: "
          f"{loop_time:.2f} s")
    print(f"python loop extrapolated linearly to {N_CENTRES} centres: {extrapolated:.0f} s")
    print(f"ratio loop/within_distance: {extrapolated / fast:.0f}x")

    mine = set(zip(pairs["centre"], pairs["member"]))
    mine = {pair for pair in mine if pair[0] in set(subset.index)}
    same = mine == looped
    print(f"same membership on the {LOOP_CENTRES}-centre subset: {'yes' if same else 'NO'} "
          f"({len(looped)} pairs by loop, {len(mine)} by within_distance)")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
