"""Readable at every size: a layer too big to read at a zoom is sent as counted grid cells.

Fifty thousand dots on a city map are a smear, and sending them all costs megabytes. A
layer holding more than ``AGGREGATE_ABOVE`` features goes to the map as cells instead: for
every zoom level below its detail zoom, the features are counted in squares of ``CELL_PX``
screen pixels (Web Mercator, as Leaflet lays them out), and each square is sent once, as
its features' mean position, their count and how many of them are "hot" (overdue problems).
From the detail zoom on the map asks for the single features of its view
(``features_within``), which are few enough there to read and to send.

The detail zoom is the first zoom at which a screenful of the densest part of the layer
holds no more than ``DETAIL_LIMIT`` features, so a view's detail is bounded however the
city is built (up to ``MAX_DETAIL_ZOOM``, street level).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["AGGREGATE_ABOVE", "DETAIL_LIMIT", "CELL_PX", "MIN_CELL_ZOOM", "MAX_DETAIL_ZOOM", "pixel_xy",
           "detail_zoom", "grid_cells", "within_bounds"]

#: A layer of more features than this is sent as cells (a city of this many dots is a smear).
AGGREGATE_ABOVE = 5_000
#: The most single features one view's detail may hold.
DETAIL_LIMIT = 4_000
#: A cell's side in screen pixels: a count label fits, and neighbours do not overlap.
CELL_PX = 72
#: The lowest zoom cells are counted for (the whole city at once); the deepest detail zoom.
MIN_CELL_ZOOM, MAX_DETAIL_ZOOM = 8, 17
#: A screenful, in pixels: what a view can hold at most (a large monitor).
_SCREEN_PX = 1024


def pixel_xy(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (Leaflet's, 256-pixel tiles)."""
    scale = 256.0 * 2.0 ** zoom
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * scale
    s = np.sin(np.radians(lat))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def _bins(lat, lon, zoom: int, size: float) -> np.ndarray:
    """Each feature's square of ``size`` pixels at ``zoom``, as one integer key."""
    x, y = pixel_xy(lat, lon, zoom)
    return (np.floor(x / size).astype(np.int64) << 32) + np.floor(y / size).astype(np.int64)


def _densest_view(lat: np.ndarray, lon: np.ndarray, zoom: int) -> int:
    """An upper bound of the features one screenful can hold at ``zoom``.

    Features are counted in squares of a quarter screen; a screen-sized view, wherever it
    lies, is inside some block of 5 × 5 squares, so the fullest block bounds every view
    (block sums from a summed-area table). A city spread so wide that the table would be
    huge is bounded more loosely: nine times the fullest half-screen square.
    """
    x, y = pixel_xy(lat, lon, zoom)
    side = _SCREEN_PX / 4
    i = np.floor((x - x.min()) / side).astype(np.int64)
    j = np.floor((y - y.min()) / side).astype(np.int64)
    if i.max() > 4096 or j.max() > 4096:
        _, counts = np.unique(_bins(lat, lon, zoom, _SCREEN_PX / 2), return_counts=True)
        return 9 * int(counts.max())
    grid = np.zeros((i.max() + 5, j.max() + 5), dtype=np.int64)
    np.add.at(grid, (i, j), 1)
    table = np.zeros((grid.shape[0] + 1, grid.shape[1] + 1), dtype=np.int64)
    table[1:, 1:] = grid.cumsum(0).cumsum(1)
    blocks = table[5:, 5:] - table[:-5, 5:] - table[5:, :-5] + table[:-5, :-5]
    return int(blocks.max())


def detail_zoom(lat: np.ndarray, lon: np.ndarray, limit: int = DETAIL_LIMIT) -> int:
    """The first zoom at which no screenful holds more than ``limit`` features
    (``MAX_DETAIL_ZOOM`` at most: there a view's detail is cut at three times the limit)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    if len(lat) == 0:
        return MIN_CELL_ZOOM + 1
    for zoom in range(MIN_CELL_ZOOM + 1, MAX_DETAIL_ZOOM + 1):
        if _densest_view(lat, lon, zoom) <= limit:
            return zoom
    return MAX_DETAIL_ZOOM


def grid_cells(lat: np.ndarray, lon: np.ndarray, hot: np.ndarray, zooms) -> dict[str, list[list]]:
    """Zoom → cells ``[lat, lon, count, hot]``: the features counted per ``CELL_PX`` square."""
    lat, lon, hot = np.asarray(lat, float), np.asarray(lon, float), np.asarray(hot, bool)
    out: dict[str, list[list]] = {}
    for zoom in zooms:
        keys = _bins(lat, lon, zoom, CELL_PX)
        uniques, index, counts = np.unique(keys, return_inverse=True, return_counts=True)
        mean_lat = np.bincount(index, weights=lat, minlength=len(uniques)) / counts
        mean_lon = np.bincount(index, weights=lon, minlength=len(uniques)) / counts
        hot_counts = np.bincount(index, weights=hot.astype(float), minlength=len(uniques)).astype(int)
        out[str(zoom)] = [[round(float(a), 5), round(float(b), 5), int(c), int(h)]
                          for a, b, c, h in zip(mean_lat, mean_lon, counts, hot_counts)]
    return out


def within_bounds(lat: np.ndarray, lon: np.ndarray, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """Which features lie in ``bounds`` (south, west, north, east)."""
    south, west, north, east = bounds
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
