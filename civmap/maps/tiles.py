"""A city's own base map, served by the app: an MBTiles or PMTiles file, unpacked.

An office gets a tile file from its surveying bureau (or makes one, see the README); the
intranet has no tile server. Streamlit serves the app's ``static/`` folder, so the file's
raster tiles are written there once as ``static/tiles/<name>/{z}/{x}/{y}.<ext>`` beside a
``tileset.json`` that records what they came from; Leaflet then asks the app itself for
each tile. The file is unpacked again only when it changes (size and modification time).

Only raster tiles (PNG, JPEG, WebP) can be drawn by Leaflet as they are; vector tiles
(MVT/PBF) are refused with a message that says so. Tiles are taken to be Web Mercator in
WGS-84 / CGCS2000 (what Chinese surveying bureaus deliver); civmap's data are drawn on
them unshifted.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from civmap.config import ROOT

__all__ = ["TILE_ROOT", "TileFileError", "TileSet", "ensure_unpacked", "installed", "tile_format", "unpack"]

#: Where unpacked tile sets live: inside ``static/``, which the app serves.
TILE_ROOT = ROOT / "static" / "tiles"

#: Formats Leaflet draws as images, by their first bytes.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"RIFF", "webp"))

#: The deepest zoom a tile file may hold (z 22 is about 4 cm a pixel at the equator).
MAX_ZOOM = 22

#: Largest single tile accepted (a 256 px raster tile is tens of kB).
MAX_TILE_BYTES = 4 * 1024 * 1024


class TileFileError(ValueError):
    """A tile file civmap cannot serve; the message names the file and what is wrong."""


@dataclass(frozen=True)
class TileSet:
    """An unpacked tile set: where its tiles are, their format and zooms, and its source."""

    name: str
    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (degrees)
    attribution: str
    tiles: int
    source: str
    stamp: str

    def url(self, asset_base: str) -> str:
        """The Leaflet URL template of the tiles as the app serves them."""
        return f"{asset_base.rstrip('/')}/tiles/{self.name}/{{z}}/{{x}}/{{y}}.{self.format}"


def tile_format(data: bytes) -> str | None:
    """``png``, ``jpg`` or ``webp`` from a tile's first bytes; None for anything else."""
    for magic, name in _MAGIC:
        if data.startswith(magic) and (name != "webp" or data[8:12] == b"WEBP"):
            return name
    return None


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{int(stat.st_mtime)}"


def _read_mbtiles(path: Path) -> tuple[dict, Iterator[tuple[int, int, int, bytes]]]:
    """MBTiles metadata and its tiles as XYZ (MBTiles rows count from the south: TMS)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1").fetchall()
    except sqlite3.DatabaseError as error:
        raise TileFileError(f"{path.name}: not an MBTiles file ({error})") from None

    def tiles():
        try:
            for z, x, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
                yield int(z), int(x), (1 << int(z)) - 1 - int(row), bytes(data)
        finally:
            db.close()

    bounds = None
    if meta.get("bounds"):
        try:
            bounds = tuple(float(v) for v in meta["bounds"].split(","))
        except ValueError:
            raise TileFileError(f"{path.name}: metadata bounds {meta['bounds']!r} is not west,south,east,north")
    return {"attribution": meta.get("attribution", ""), "bounds": bounds, "format": meta.get("format", "")}, tiles()


def _read_pmtiles(path: Path) -> tuple[dict, Iterator[tuple[int, int, int, bytes]]]:
    from pmtiles.reader import MmapSource, all_tiles
    from pmtiles.tile import Compression, MagicNumberNotFound, SpecVersionUnsupported, TileType, deserialize_header

    handle = open(path, "rb")
    get_bytes = MmapSource(handle)
    try:
        header = deserialize_header(get_bytes(0, 127))
    except (MagicNumberNotFound, SpecVersionUnsupported, UnicodeDecodeError, ValueError):
        handle.close()
        raise TileFileError(f"{path.name}: not a PMTiles version 3 file") from None
    if header["tile_type"] == TileType.MVT:
        handle.close()
        raise TileFileError(f"{path.name}: holds vector tiles (MVT); civmap needs raster tiles (PNG, JPEG or WebP)")
    gzipped = header["tile_compression"] == Compression.GZIP
    bounds = tuple(v / 1e7 for v in (header["min_lon_e7"], header["min_lat_e7"],
                                     header["max_lon_e7"], header["max_lat_e7"]))

    def tiles():
        try:
            for (z, x, y), data in all_tiles(get_bytes):
                yield z, x, y, gzip.decompress(data) if gzipped else data
        finally:
            handle.close()

    return {"attribution": "", "bounds": bounds, "format": ""}, tiles()


def _reader(path: Path):
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(b"PMTiles"):
        return _read_pmtiles(path)
    if head.startswith(b"SQLite format 3"):
        return _read_mbtiles(path)
    raise TileFileError(f"{path.name}: neither an MBTiles (SQLite) nor a PMTiles file")


def _safe_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    if not slug:
        raise TileFileError(f"tile set name {name!r}: use letters, digits, '-' or '_'")
    return slug[:64]


def unpack(path: str | os.PathLike, name: str | None = None, root: Path = TILE_ROOT,
           progress: Callable[[int], None] | None = None) -> TileSet:
    """Write the tile file's raster tiles under ``root/<name>`` and return the tile set.

    The tiles go to a temporary folder first and replace the old set in one rename, so
    the app never serves half a tile set. Every tile is checked: zoom and indexes in range,
    size under ``MAX_TILE_BYTES``, and one raster format for the whole set.
    """
    source = Path(path)
    if not source.is_file():
        raise TileFileError(f"{source}: no such tile file")
    name = _safe_name(name or source.stem)
    meta, tiles = _reader(source)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    fmt, zooms, count = None, set(), 0
    try:
        for z, x, y, data in tiles:
            if not (0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
                raise TileFileError(f"{source.name}: tile z={z} x={x} y={y} is outside the tile grid")
            if len(data) > MAX_TILE_BYTES:
                raise TileFileError(f"{source.name}: tile z={z} x={x} y={y} is {len(data):,} bytes, over "
                                    f"{MAX_TILE_BYTES:,}")
            kind = tile_format(data)
            if kind is None:
                raise TileFileError(f"{source.name}: tile z={z} x={x} y={y} is not a PNG, JPEG or WebP image "
                                    f"(vector tiles cannot be drawn)")
            if fmt not in (None, kind):
                raise TileFileError(f"{source.name}: tiles mix {fmt} and {kind}; one format per file")
            fmt = kind
            folder = work / str(z) / str(x)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{y}.{kind}").write_bytes(data)
            zooms.add(z)
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
        if count == 0:
            raise TileFileError(f"{source.name}: holds no tiles")
        tile_set = TileSet(name=name, format=fmt, min_zoom=min(zooms), max_zoom=max(zooms),
                           bounds=meta["bounds"], attribution=str(meta["attribution"])[:200], tiles=count,
                           source=str(source.resolve()), stamp=_stamp(source))
        (work / "tileset.json").write_text(json.dumps(asdict(tile_set), ensure_ascii=False), encoding="utf-8")
        target = root / name
        old = root / f".{name}.old"
        if target.exists():
            target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return tile_set
    finally:
        shutil.rmtree(work, ignore_errors=True)


def installed(name: str, root: Path = TILE_ROOT) -> TileSet | None:
    """The unpacked tile set called ``name``, or None if there is none (or it is unreadable)."""
    info = root / _safe_name(name) / "tileset.json"
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        data["bounds"] = tuple(data["bounds"]) if data.get("bounds") else None
        return TileSet(**data)
    except (OSError, ValueError, TypeError):
        return None


def ensure_unpacked(path: str | os.PathLike, root: Path = TILE_ROOT) -> TileSet:
    """The tile set of ``path``, unpacked now only if it is new or the file has changed."""
    source = Path(path)
    if not source.is_file():
        raise TileFileError(f"{source}: no such tile file")
    current = installed(source.stem, root)
    if current is not None and current.stamp == _stamp(source) and current.source == str(source.resolve()):
        return current
    return unpack(source, root=root)
