"""Where each ledger row is: its coordinates read, converted to WGS-84, and placed in areas.

A row's position may come from 经度/纬度 columns, one 坐标 cell ("110.29,25.27"), a WKT
column, start and end coordinates (an alley), or the file's own geometry (GeoJSON,
Shapefile). Coordinates picked on AMap (GCJ-02) or Baidu (BD-09) are converted with
``geo.convert`` before anything else looks at them; the city's district polygons then
decide the district, and a stated district must agree with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civmap.ledger import cells
from civmap.ledger.issues import IssueLog
from civmap.ledger.parse import RawLedger
from geo import WGS84, assign_area, convert, convert_geometry

__all__ = ["Located", "locate_rows", "position_field"]


@dataclass(frozen=True)
class Located:
    """Per row (indexed like ``raw.cells``): WGS-84 lon/lat (NaN when unknown), the
    geometry when the row has a line or polygon (else None), and the district and street
    that contain the lon/lat (NA when none)."""

    lon: pd.Series
    lat: pd.Series
    geometry: pd.Series
    district: pd.Series
    street: pd.Series
    given: pd.Series  # True where the row itself gives a position
    written: pd.Series  # the position as the file wrote it, for messages


def _point_from_cells(columns: dict, row, log: IssueLog) -> tuple[float, float] | None:
    lon_cell, lat_cell = columns["lon"].get(row), columns["lat"].get(row)
    if not (cells.is_blank(lon_cell) and cells.is_blank(lat_cell)):
        try:
            lon, lat = cells.coordinate(lon_cell), cells.coordinate(lat_cell)
        except cells.CellError as error:
            field = "lon" if _bad(cells.coordinate, lon_cell) else "lat"
            log.add(row, field, "bad_coords", error.value)
            return None
        if lon is None or lat is None:
            log.add(row, "lon" if lon is None else "lat", "missing_coords", "")
            return None
        return lon, lat
    pair = columns["coords"].get(row)
    try:
        return cells.coordinate_pair(pair)
    except cells.CellError as error:
        log.add(row, "coords", "bad_coords", error.value)
        return None


def _written(columns: dict, row) -> str:
    lon, lat = columns["lon"].get(row), columns["lat"].get(row)
    if not (cells.is_blank(lon) and cells.is_blank(lat)):
        return f"{cells.text(lon, fold=True) or ''}, {cells.text(lat, fold=True) or ''}"
    return cells.text(columns["coords"].get(row), fold=True) or ""


def _bad(parser, value) -> bool:
    try:
        parser(value)
        return False
    except cells.CellError:
        return True


def _usable(shape, row, log: IssueLog):
    """The shape, or False (logged) when it is empty, has NaN/infinite vertices or is invalid.

    Such a shape would otherwise pass the check and fail later: an empty point has no
    x to place, a NaN vertex fails the store's constraints at commit, and a
    self-intersecting polygon gives wrong areas and containment.
    """
    if shape.is_empty:
        log.add(row, "wkt", "empty_geometry", f"{shape.geom_type.upper()} EMPTY")
        return False
    if not np.isfinite(shapely.get_coordinates(shape)).all():
        log.add(row, "wkt", "nonfinite_geometry", shapely.to_wkt(shape, rounding_precision=6)[:40])
        return False
    if not shape.is_valid:
        log.add(row, "wkt", "invalid_geometry", shapely.to_wkt(shape, rounding_precision=6)[:40],
                detail=shapely.is_valid_reason(shape))
        return False
    return shape


def _geometry_from_cells(columns: dict, row, log: IssueLog):
    """A row's own geometry: the file's, a WKT cell, or a start–end line; None if none."""
    if columns["_geometry"] is not None:
        shape = columns["_geometry"].get(row)
        return None if shape is None else _usable(shape, row, log)
    wkt = cells.text(columns["wkt"].get(row))
    if wkt:
        try:
            shape = shapely.from_wkt(wkt)
        except shapely.errors.GEOSException:
            log.add(row, "wkt", "bad_geometry", wkt[:40])
            return False
        return _usable(shape, row, log)
    start, end = columns["start"].get(row), columns["end"].get(row)
    if not (cells.is_blank(start) and cells.is_blank(end)):
        ends = []
        for name, value in (("start", start), ("end", end)):
            try:
                pair = cells.coordinate_pair(value)
            except cells.CellError as error:
                log.add(row, name, "bad_coords", error.value)
                return False
            if pair is None:
                log.add(row, name, "missing_coords", "")
                return False
            ends.append(_unswap(*pair))
        return shapely.LineString(ends)
    return None


def _unswap(lon: float, lat: float) -> tuple[float, float]:
    """Undo latitude-first order, which is certain when the 'latitude' exceeds 90°."""
    return (lat, lon) if abs(lat) > 90 >= abs(lon) else (lon, lat)


def locate_rows(raw: RawLedger, crs: str, districts: gpd.GeoDataFrame, streets: gpd.GeoDataFrame,
                log: IssueLog) -> Located:
    """Read, convert and place every row's position; unreadable ones are logged.

    Parameters
    ----------
    crs : {"wgs84", "gcj02", "bd09"}
        The system the ledger's coordinates were picked in.
    districts, streets : GeoDataFrame
        Area polygons in WGS-84 with a ``code`` column.
    """
    index = raw.cells.index
    columns = {name: raw.column(name).to_dict() for name in ("lon", "lat", "coords", "wkt", "start", "end")}
    columns["_geometry"] = None if raw.geometry is None else raw.geometry.to_dict()
    found_lon, found_lat, found_shape = {}, {}, {}
    written = pd.Series({row: _written(columns, row) for row in index}, index=index, dtype=object)
    unreadable = dict(raw.bad_shapes)
    from_columns = set()  # rows whose position is their 经度/纬度 cells
    for row in index:
        if row in unreadable:
            log.add(row, "wkt", "unreadable_geometry", f"#{row}", detail=unreadable[row])
            continue
        shape = _geometry_from_cells(columns, row, log)
        if shape is False:
            continue
        point = _point_from_cells(columns, row, log)
        if point is not None:
            found_lon[row], found_lat[row] = _unswap(*point)
            if not (cells.is_blank(columns["lon"].get(row)) and cells.is_blank(columns["lat"].get(row))):
                from_columns.add(row)
        if shape is not None:
            found_shape[row] = shape
    lon = pd.Series(found_lon, index=index, dtype=float)
    lat = pd.Series(found_lat, index=index, dtype=float)
    shapes = pd.Series(found_shape, index=index, dtype=object)
    has_shape = shapes.notna()
    if has_shape.any():
        series = gpd.GeoSeries(shapes[has_shape].to_list(), index=shapes.index[has_shape], crs=WGS84)
        shapes[has_shape] = convert_geometry(series, crs, "wgs84").to_list()
    has_point = lon.notna() & lat.notna()
    if has_point.any():
        x, y = convert(lon[has_point].to_numpy(), lat[has_point].to_numpy(), crs, "wgs84")
        lon[has_point], lat[has_point] = x, y
    for row in index[has_shape & ~has_point]:  # a line or polygon without a stated point
        anchor = _anchor(shapes[row])
        lon[row], lat[row] = anchor.x, anchor.y
        written[row] = written[row] or f"{anchor.x:.6f}, {anchor.y:.6f}"
    given = lon.notna()
    out_of_range = given & ((lon.abs() > 180) | (lat.abs() > 90))
    for row in index[out_of_range]:
        field = ("lat" if abs(lat[row]) > 90 else "lon") if row in from_columns else position_field(raw)
        log.add(row, field, "coords_range", written[row])
    lon[out_of_range], lat[out_of_range] = np.nan, np.nan
    district, street = _areas(lon, lat, districts, streets)
    return Located(lon, lat, shapes, district, street, given & ~out_of_range, written)


def _anchor(shape) -> shapely.Point:
    """The point standing for a line (its middle, along it) or a polygon (a point inside)."""
    if shape.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shape, 0.5, normalized=True)
    if shape.geom_type == "Point":
        return shape
    return shape.representative_point()


def position_field(raw: RawLedger) -> str:
    """The column an issue about a row's position is reported against."""
    for name in ("lon", "coords", "wkt", "start"):
        if raw.has(name):
            return name
    return "wkt" if raw.geometry is not None else "lon"


def _areas(lon: pd.Series, lat: pd.Series, districts, streets) -> tuple[pd.Series, pd.Series]:
    known = lon.notna()
    district = pd.Series(pd.NA, index=lon.index, dtype=object)
    street = pd.Series(pd.NA, index=lon.index, dtype=object)
    if not known.any():
        return district, street
    points = gpd.GeoSeries(gpd.points_from_xy(lon[known], lat[known]), index=lon.index[known], crs=WGS84)
    if len(districts):
        district[known] = assign_area(points, districts[["code", "geometry"]], "code").astype(object)
    if len(streets):
        street[known] = assign_area(points, streets[["code", "geometry"]], "code").astype(object)
    return district, street


def outside_city(lon: float, lat: float, districts: gpd.GeoDataFrame) -> bool:
    """Beyond the box around all districts (not merely between them): the city's extent."""
    if districts.empty:
        return True
    west, south, east, north = districts.total_bounds
    return not (west <= lon <= east and south <= lat <= north)
