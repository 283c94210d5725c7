"""The city's own base map: tile files unpacked for the app to serve, and bad files named."""

from __future__ import annotations

import json
import os

import pytest

from civmap.config import load_settings
from civmap.maps.folium_map import TileConfig
from civmap.maps.tiles import TileFileError, ensure_unpacked, installed, tile_format, unpack
from tests.tilefiles import make_mbtiles, make_pmtiles, png, tiles_over

BOX = (114.28, 30.55, 114.32, 30.58)  # one tile at z11 and z12, four at z13


@pytest.fixture
def tiles():
    return list(tiles_over(BOX, range(11, 14)))


def test_an_mbtiles_file_is_unpacked_as_xyz_tiles(tmp_path, tiles):
    source = make_mbtiles(tmp_path / "city.mbtiles", tiles, bounds=BOX)
    root = tmp_path / "static"
    tile_set = unpack(source, root=root)
    assert (tile_set.name, tile_set.format, tile_set.min_zoom, tile_set.max_zoom) == ("city", "png", 11, 13)
    assert tile_set.tiles == len(tiles)
    assert tile_set.bounds == BOX
    for z, x, y, data in tiles:  # rows flipped from TMS back to XYZ
        assert (root / "city" / str(z) / str(x) / f"{y}.png").read_bytes() == data
    assert installed("city", root) == tile_set
    assert tile_set.url("/app/static") == "/app/static/tiles/city/{z}/{x}/{y}.png"


def test_a_pmtiles_file_is_unpacked_too(tmp_path, tiles):
    tile_set = unpack(make_pmtiles(tmp_path / "bureau.pmtiles", tiles), root=tmp_path / "static")
    assert tile_set.tiles == len(tiles) and tile_set.format == "png"
    z, x, y, data = tiles[-1]
    assert (tmp_path / "static" / "bureau" / str(z) / str(x) / f"{y}.png").read_bytes() == data


def test_an_unchanged_file_is_not_unpacked_again_and_a_changed_one_is(tmp_path, tiles):
    source = make_mbtiles(tmp_path / "city.mbtiles", tiles)
    root = tmp_path / "static"
    first = ensure_unpacked(source, root)
    marker = root / "city" / "tileset.json"
    before = marker.stat().st_mtime_ns
    assert ensure_unpacked(source, root) == first
    assert marker.stat().st_mtime_ns == before
    source.unlink()
    make_mbtiles(source, tiles[:2])
    os.utime(source, (1, 1))
    again = ensure_unpacked(source, root)
    assert again.tiles == 2 and again.max_zoom == 12
    assert not (root / "city" / str(tiles[-1][0])).exists()  # the old set is replaced whole


@pytest.mark.parametrize("content, message", [
    (b"not a tile file at all", "neither an MBTiles"),
    (b"PMTiles\x07" + bytes(119), "PMTiles version 3"),
])
def test_a_file_that_is_not_a_tile_file_is_named(tmp_path, content, message):
    path = tmp_path / "odd.mbtiles"
    path.write_bytes(content)
    with pytest.raises(TileFileError, match=message) as caught:
        unpack(path, root=tmp_path / "static")
    assert "odd.mbtiles" in str(caught.value)
    assert not (tmp_path / "static" / "odd").exists()


def test_vector_tiles_are_refused_with_the_reason(tmp_path):
    vector = [(12, 3340, 1700, b"\x1a\x02\x08\x01")]
    with pytest.raises(TileFileError, match="vector"):
        unpack(make_pmtiles(tmp_path / "v.pmtiles", vector, tile_type=1), root=tmp_path / "s")
    with pytest.raises(TileFileError, match="z=12 x=3340 y=1700"):
        unpack(make_mbtiles(tmp_path / "v.mbtiles", vector, fmt="pbf"), root=tmp_path / "s")


def test_a_tile_outside_the_grid_or_mixed_formats_loses_nothing_already_served(tmp_path, tiles):
    root = tmp_path / "static"
    good = unpack(make_mbtiles(tmp_path / "city.mbtiles", tiles), root=root)
    (tmp_path / "city.mbtiles").unlink()
    make_mbtiles(tmp_path / "city.mbtiles", [*tiles[:2], (3, 9, 0, png((0, 0, 0)))])
    with pytest.raises(TileFileError, match="z=3 x=9 y=0 is outside the tile grid"):
        unpack(tmp_path / "city.mbtiles", root=root)
    assert installed("city", root) == good  # the set being served is untouched
    assert [p.name for p in root.iterdir()] == ["city"]  # and no half-written folder is left


def test_an_empty_tile_file_is_named(tmp_path):
    with pytest.raises(TileFileError, match="holds no tiles"):
        unpack(make_mbtiles(tmp_path / "empty.mbtiles", []), root=tmp_path / "s")


def test_tile_formats_are_told_by_content_not_name():
    assert tile_format(png((1, 2, 3))) == "png"
    assert tile_format(b"\xff\xd8\xff\xe0rest") == "jpg"
    assert tile_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert tile_format(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert tile_format(b"<svg onload=alert(1)>") is None


def test_the_map_asks_the_app_for_the_file_tiles_and_enlarges_past_their_deepest_zoom():
    layer = TileConfig("file", "/app/static/tiles/city/{z}/{x}/{y}.png", attribution="<b>院</b>", max_zoom=13).layer()
    assert layer.tiles == "/app/static/tiles/city/{z}/{x}/{y}.png"
    assert layer.options["max_native_zoom"] == 13
    assert "<b>" not in layer.options["attribution"]
    assert TileConfig("file", "").layer() is None


def test_tiles_file_needs_the_file_setting(monkeypatch):
    monkeypatch.setenv("CIVMAP_TILES", "file")
    monkeypatch.delenv("CIVMAP_TILE_FILE", raising=False)
    with pytest.raises(ValueError, match="CIVMAP_TILE_FILE"):
        load_settings()
    monkeypatch.setenv("CIVMAP_TILE_FILE", "/srv/tiles/city.mbtiles")
    assert load_settings().tile_file == "/srv/tiles/city.mbtiles"
