"""Where problems crowd, and where that got better or worse: hexagon counts by period.

Problems are counted by the day they were found, in hexagons of a size in metres laid
in the city's metric CRS (``geo.hex_counts``), so a 500 m cell is 500 m on the ground
wherever it is. The change between two periods is counted on one grid: the same cell in
both.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

import geo

__all__ = ["found_between", "density", "density_change"]


def found_between(problems: gpd.GeoDataFrame, start: dt.date, end: dt.date, categories=()) -> gpd.GeoDataFrame:
    """Problems found from ``start`` to ``end`` (both inclusive), of ``categories`` (empty: all)."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    found = pd.to_datetime(problems["found_on"])
    keep = (found >= pd.Timestamp(start)) & (found <= pd.Timestamp(end))
    if categories:
        keep &= problems["category"].isin(tuple(categories))
    return problems[keep.to_numpy()]


def density(problems: gpd.GeoDataFrame, size_m: float, crs, start: dt.date, end: dt.date,
            categories=()) -> gpd.GeoDataFrame:
    """Problems found in the period per hexagon (``q``, ``r``, ``count``, WGS-84 hexagon)."""
    return geo.hex_counts(found_between(problems, start, end, categories), size_m, crs=crs)


def density_change(problems: gpd.GeoDataFrame, size_m: float, crs, before: tuple[dt.date, dt.date],
                   after: tuple[dt.date, dt.date], categories=()) -> gpd.GeoDataFrame:
    """Per hexagon: problems found in the ``before`` period, in the ``after`` period, and
    ``change`` (after − before; negative: better). Cells empty in both are left out."""
    first = density(problems, size_m, crs, *before, categories)
    second = density(problems, size_m, crs, *after, categories)
    table = pd.merge(pd.DataFrame(first[["q", "r", "count"]]), pd.DataFrame(second[["q", "r", "count"]]),
                     on=["q", "r"], how="outer", suffixes=("_before", "_after")).fillna(0)
    table = table.rename(columns={"count_before": "before", "count_after": "after"})
    table[["q", "r", "before", "after"]] = table[["q", "r", "before", "after"]].astype(np.int64)
    table["change"] = table["after"] - table["before"]
    shapes = gpd.GeoSeries(geo.hex_polygons(table["q"], table["r"], size_m), crs=crs).to_crs(geo.WGS84) \
        if len(table) else gpd.GeoSeries([], crs=geo.WGS84)
    return gpd.GeoDataFrame(table, geometry=shapes.to_numpy(), crs=geo.WGS84)
