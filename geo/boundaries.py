"""Areas of responsibility: which area a point falls in, and plausible made-up areas.

Districts, streets, communities and grids are polygons; every point (assessment point,
problem) must count for exactly one of them, or the rankings double-count.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["assign_area", "random_points_in", "voronoi_districts"]


def _same_crs(points, areas) -> None:
    if points.crs is None or areas.crs is None:
        raise ValueError("points and areas must both have a CRS set")
    if not points.crs.equals(areas.crs):
        raise ValueError(f"points ({points.crs.name}) and areas ({areas.crs.name}) "
                         f"must share a CRS; convert one with .to_crs() first")


def assign_area(points, areas: gpd.GeoDataFrame, area_col: str) -> pd.Series:
    """The code of the area containing each point; one area per point, always the same.

    Parameters
    ----------
    points : GeoDataFrame or GeoSeries
        Point geometries (missing ones get NA).
    areas : GeoDataFrame
        Polygons in the same CRS as ``points``, normally WGS-84.
    area_col : str
        Column of ``areas`` holding the area code.

    Returns
    -------
    Series
        Indexed like ``points``, named ``area_col``: the code, or NA for points in no
        area. Integer codes come back as nullable ``Int64``.

    Notes
    -----
    Areas are matched with ``intersects`` rather than ``within`` because a point on a
    shared border is *within* neither polygon. Such a point touches both; it goes to
    the smallest code, so repeated runs and different machines agree and no point is
    counted twice. Point-in-polygon is a topological test, so it runs in the stored
    CRS: reprojecting first could move a point across a border by rounding.
    """
    if area_col not in areas.columns:
        raise ValueError(f"areas has no column {area_col!r}")
    _same_crs(points, areas)
    kinds = shapely.get_type_id(np.asarray(points.geometry.array))
    if not np.all((kinds == shapely.GeometryType.POINT) | (kinds == -1)):
        raise ValueError("points must be Point geometries")
    codes = areas[area_col]
    if pd.api.types.is_integer_dtype(codes.dtype):
        codes = codes.astype("Int64")
    # Dense ranks of the sorted codes; -1 marks an area without a code, never chosen.
    rank = pd.factorize(codes, sort=True)[0]
    left = gpd.GeoDataFrame(geometry=np.asarray(points.geometry.array), crs=points.crs)
    right = gpd.GeoDataFrame(geometry=np.asarray(areas.geometry.array), crs=areas.crs)
    pairs = gpd.sjoin(left, right, how="inner", predicate="intersects")
    pi = pairs.index.to_numpy(dtype=np.intp)
    ai = pairs["index_right"].to_numpy(dtype=np.intp)
    has_code = rank[ai] >= 0
    pi, ai = pi[has_code], ai[has_code]
    order = np.lexsort((ai, rank[ai], pi))
    pi, ai = pi[order], ai[order]
    first = np.unique(pi, return_index=True)[1]
    chosen = np.full(len(left), -1, dtype=np.intp)
    chosen[pi[first]] = ai[first]
    values = codes.reset_index(drop=True).reindex(chosen).array
    return pd.Series(values, index=points.index, name=area_col)


def random_points_in(polygon: shapely.Geometry, n: int, rng=None) -> np.ndarray:
    """``n`` points uniformly distributed inside ``polygon``, by rejection sampling.

    Parameters
    ----------
    polygon : shapely Polygon or MultiPolygon
        Area to fill, in any planar coordinates (degrees or metres).
    n : int
        Number of points wanted.
    rng : numpy.random.Generator or int, optional
        Random source or seed, so demo data is reproducible.

    Returns
    -------
    ndarray of shape (n, 2)
        ``x, y`` (lon, lat for a WGS-84 polygon) in the polygon's coordinates.

    Notes
    -----
    Uniform in the polygon's own coordinates. In degrees, ground density then varies
    with cos(latitude): across a city (0.3 degrees of latitude at 25N) that is under
    0.3 %, invisible in demo data. Candidates are drawn in batches sized by the
    polygon's share of its bounding box and tested with vectorised
    ``shapely.contains_xy``.
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if polygon is None or polygon.is_empty or polygon.area <= 0:
        raise ValueError("polygon must be a non-empty areal geometry")
    rng = np.random.default_rng(rng)
    # A prepared copy speeds up contains_xy; preparing the caller's object would
    # change it, so work on a copy.
    area = shapely.transform(polygon, lambda xy: xy)
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    fill = area.area / ((maxx - minx) * (maxy - miny))
    chunks, have = [], 0
    while have < n:
        batch = int(math.ceil((n - have) / fill * 1.2)) + 16
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(area, xs, ys)
        chunks.append(np.column_stack([xs[inside], ys[inside]]))
        have += int(inside.sum())
    return np.concatenate(chunks)[:n] if chunks else np.empty((0, 2))


def voronoi_districts(seeds, outline: shapely.Geometry) -> gpd.GeoSeries:
    """Split ``outline`` into one cell per seed: the places nearer that seed than any other.

    Parameters
    ----------
    seeds : GeoSeries, GeoDataFrame or array_like of shape (n, 2)
        Distinct seed points (a district's centre), in the outline's coordinates.
    outline : shapely Polygon or MultiPolygon
        The city's outline.

    Returns
    -------
    GeoSeries
        One polygon per seed, in seed order with the seeds' index and CRS. Cells
        partition the outline: they cover it and overlap only along shared edges. A seed
        outside the outline may get an empty cell.

    Notes
    -----
    Used by the demo-city generator for plausible district boundaries. With a
    geographic CRS the diagram is built after scaling longitude by cos(latitude), so
    "nearest" approximates ground distance (a degree of longitude is 10 % shorter than
    one of latitude at Guilin); the scaling is affine, so cells stay straight-edged and
    are clipped to the untouched outline in its own coordinates.
    """
    if isinstance(seeds, (gpd.GeoSeries, gpd.GeoDataFrame)):
        geoms = np.asarray(seeds.geometry.array)
        if not np.all(shapely.get_type_id(geoms) == shapely.GeometryType.POINT):
            raise ValueError("seeds must all be Point geometries")
        xy = shapely.get_coordinates(geoms)
        index, crs = seeds.index, seeds.crs
    else:
        xy = np.asarray(seeds, dtype=float).reshape(-1, 2)
        index, crs = pd.RangeIndex(len(xy)), None
    if len(np.unique(xy, axis=0)) != len(xy):
        raise ValueError("seeds must be distinct points")
    if outline is None or outline.is_empty or outline.area <= 0:
        raise ValueError("outline must be a non-empty areal geometry")
    if len(xy) <= 1:
        return gpd.GeoSeries([outline] * len(xy), index=index, crs=crs)

    scale = math.cos(math.radians(xy[:, 1].mean())) if crs is not None and crs.is_geographic else 1.0
    scaled = shapely.multipoints(xy * [scale, 1.0])
    minx, miny, maxx, maxy = outline.bounds
    frame = shapely.box(minx * scale, miny, maxx * scale, maxy)
    cells = shapely.get_parts(shapely.voronoi_polygons(scaled, extend_to=frame, ordered=True))
    cells = shapely.transform(cells, lambda c: c / [scale, 1.0])
    return gpd.GeoSeries(shapely.intersection(cells, outline), index=index, crs=crs)
