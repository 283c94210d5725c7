"""Small raster tile files for tests, made here: an MBTiles and a PMTiles over a bounding box."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

from PIL import Image


def tile_index(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The XYZ (Web Mercator) tile holding a place."""
    n = 1 << zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buffer, format="PNG")
    return buffer.getvalue()


def tiles_over(bounds: tuple[float, float, float, float], zooms: range):
    """(z, x, y, png) for every tile over ``bounds`` (west, south, east, north) at ``zooms``."""
    west, south, east, north = bounds
    for z in zooms:
        x0, y0 = tile_index(west, north, z)
        x1, y1 = tile_index(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y, png(((x * 40) % 256, (y * 40) % 256, 200))


def make_mbtiles(path: Path, tiles, fmt: str = "png", bounds=None) -> Path:
    """An MBTiles file: rows are TMS (counted from the south), as the format says."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": path.stem, "format": fmt, "attribution": "测绘院 <b>test</b>"}
    if bounds:
        meta["bounds"] = ",".join(str(v) for v in bounds)
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                   [(z, x, (1 << z) - 1 - y, data) for z, x, y, data in tiles])
    db.commit()
    db.close()
    return path


def make_pmtiles(path: Path, tiles, tile_type: int = 2) -> Path:
    """A PMTiles v3 file (``tile_type`` 2 = PNG, 1 = MVT vector tiles)."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    entries = sorted((zxy_to_tileid(z, x, y), data) for z, x, y, data in tiles)
    with write(str(path)) as writer:
        for tile_id, data in entries:
            writer.write_tile(tile_id, data)
        writer.finalize({"tile_type": TileType(tile_type), "tile_compression": Compression.NONE,
                         "min_lon_e7": 0, "min_lat_e7": 0, "max_lon_e7": 0, "max_lat_e7": 0,
                         "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0}, {"attribution": "test"})
    return path
