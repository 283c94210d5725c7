"""In Chromium: a base map from a tile file made here, served by the app itself, nothing from outside."""

from __future__ import annotations

import shutil
import uuid

from civmap.testing import DRAWN, SCREENSHOTS, RequestLog, running_app, wait_for
from civmap.maps.tiles import TILE_ROOT
from tests.conftest import BROWSER
from tests.tilefiles import make_mbtiles, tiles_over

pytestmark = BROWSER


def test_the_map_draws_the_citys_own_tiles_from_the_app(demo_db_url, demo_store, page, tmp_path):
    west, south, east, north = demo_store.districts().total_bounds
    name = f"test-{uuid.uuid4().hex[:8]}"
    source = make_mbtiles(tmp_path / f"{name}.mbtiles", list(tiles_over((west, south, east, north), range(9, 13))))
    env = {"CIVMAP_DATABASE_URL": demo_db_url, "CIVMAP_TILES": "file", "CIVMAP_TILE_FILE": str(source)}
    try:
        with running_app(env) as url:
            log = RequestLog(url).attach(page)
            page.goto(url)
            frame, _ = wait_for(page, f"{DRAWN} && document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
            loaded = frame.evaluate("Array.from(document.querySelectorAll('img.leaflet-tile-loaded'), i => i.src)")
            assert loaded and all(f"/app/static/tiles/{name}/" in src for src in loaded)
            assert frame.evaluate("document.querySelectorAll('img.leaflet-tile').length") >= len(loaded)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "overview-tiles.png"))
            assert log.foreign() == []
            assert (TILE_ROOT / name / "tileset.json").exists()
    finally:
        shutil.rmtree(TILE_ROOT / name, ignore_errors=True)
