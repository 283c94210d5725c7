"""``python -m civmap tiles import FILE`` and ``tiles list``: the city's own base map.

Unpacking a big city's tile file takes a while; doing it here, before the app is started
with ``CIVMAP_TILES=file``, spares the first visitor the wait (the app would otherwise do
it on its first map).
"""

from __future__ import annotations

import argparse
import sys

from civmap.config import load_settings

__all__ = ["REGISTERS"]


def _cmd_import(args: argparse.Namespace) -> int:
    from civmap.i18n import t
    from civmap.maps.tiles import TILE_ROOT, unpack

    lang = args.lang or load_settings().lang
    tile_set = unpack(args.file,
                      progress=lambda n: print(f"{n:,}", end="\r", file=sys.stderr, flush=True))
    print(t("tiles.cli.unpacked", lang, name=tile_set.name, tiles=f"{tile_set.tiles:,}", format=tile_set.format,
            min_zoom=tile_set.min_zoom, max_zoom=tile_set.max_zoom, path=TILE_ROOT / tile_set.name))
    print(t("tiles.cli.use", lang, file=args.file))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from civmap.i18n import t
    from civmap.maps.tiles import TILE_ROOT, installed

    lang = args.lang or load_settings().lang
    sets = [s for s in (installed(p.name) for p in sorted(TILE_ROOT.glob("[!.]*"))) if s is not None]
    if not sets:
        print(t("tiles.cli.none", lang))
    for tile_set in sets:
        print(f"{tile_set.name}\t{tile_set.tiles}\t{tile_set.format}\tz{tile_set.min_zoom}-{tile_set.max_zoom}"
              f"\t{tile_set.source}")
    return 0


def register_tiles(sub) -> tuple[str, callable]:
    parser = sub.add_parser("tiles", help="unpack the city's MBTiles/PMTiles base map for the app to serve")
    verbs = parser.add_subparsers(dest="verb", required=True)
    unpacking = verbs.add_parser("import", help="unpack an MBTiles or PMTiles file of raster tiles")
    unpacking.add_argument("file", help="the .mbtiles or .pmtiles file")
    unpacking.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    listing = verbs.add_parser("list", help="the unpacked tile sets")
    listing.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")

    def handler(args: argparse.Namespace) -> int:
        return _cmd_import(args) if args.verb == "import" else _cmd_list(args)

    return "tiles", handler


REGISTERS = [register_tiles]
