"""Pure spatial helpers for civmap: CRS choice, China's coordinate systems, ground
distance relations, area boundaries and extents.

Everything here takes data and returns new data: no Streamlit, no storage, no I/O.
Geometries are stored in WGS-84 (``EPSG:4326``); lengths are metres on the ground.
"""

from .boundaries import assign_area, random_points_in, voronoi_districts
from .coords import (
    SYSTEMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert,
    convert_geometry,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from .extent import ring_bounds, round_coordinates
from .crs import WGS84, metric_crs, require_geographic, require_projected, to_metric
from .hexgrid import hex_centres, hex_counts, hex_index, hex_polygons
from .join import ground_distance_m, nearest_part, nearest_point, nearest_points_to, within_distance

__all__ = [
    # crs
    "WGS84", "metric_crs", "to_metric", "require_geographic", "require_projected",
    # coords
    "SYSTEMS", "wgs84_to_gcj02", "gcj02_to_wgs84", "gcj02_to_bd09", "bd09_to_gcj02",
    "wgs84_to_bd09", "bd09_to_wgs84", "convert", "convert_geometry",
    # join
    "within_distance", "nearest_point", "nearest_points_to", "nearest_part", "ground_distance_m",
    # boundaries
    "assign_area", "random_points_in", "voronoi_districts",
    # hexgrid
    "hex_index", "hex_centres", "hex_polygons", "hex_counts",
    # extent
    "ring_bounds", "round_coordinates",
]
