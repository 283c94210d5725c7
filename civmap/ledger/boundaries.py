"""Checking an office's official boundaries (districts, streets, communities, grids).

Each feature needs a code, a name, a level and a valid polygon. The level is read from a
层级 column (区县/街道/社区/网格, or the English words) or, failing that, from the length
of a standard administrative code (6 digits a district, 9 a street, 12 a community). The
parent is the stated 上级代码 (a code or a name) or else the area of the level above that
contains the polygon's inner point, looked for in the file first and then in the store.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civmap.ledger import cells
from civmap.ledger.commit import classify, existing_rows
from civmap.ledger.ids import check_ids
from civmap.ledger.issues import IssueLog
from civmap.ledger.model import Checked, Record
from civmap.ledger.parse import RawLedger
from civmap.ledger.reference import AREA_LEVELS, Names
from civmap.ledger.rowread import DECIMALS
from civmap.storage.store import Store
from geo import WGS84, assign_area, convert_geometry, round_coordinates

__all__ = ["check_boundaries", "LEVEL_WORDS"]

LEVEL_WORDS = {
    "district": ("district", "区", "区县", "县", "县区", "市辖区", "县级"),
    "street": ("street", "街道", "乡镇", "镇", "乡", "街道办", "街镇", "乡镇街道"),
    "community": ("community", "社区", "村", "居委会", "村居", "社区(村)", "村(社区)"),
    "grid": ("grid", "网格"),
}
_CODE_LENGTHS = {6: "district", 9: "street", 12: "community"}
_LEVEL_OF = {word.lower(): level for level, words in LEVEL_WORDS.items() for word in words}


def _level(written: str | None, code: str | None) -> str | None:
    if written:
        return _LEVEL_OF.get(cells.text(written, fold=True).lower())
    if code and code.isdigit():
        return _CODE_LENGTHS.get(len(code))
    return None


def check_boundaries(raw: RawLedger, store: Store, crs: str) -> Checked:
    log = IssueLog(raw)
    shapes = raw.column("_geometry")
    present = shapes.notna()
    if present.any() and crs != "wgs84":
        converted = convert_geometry(gpd.GeoSeries(shapes[present].to_list(), index=shapes.index[present],
                                                   crs=WGS84), crs, "wgs84")
        shapes = shapes.copy()
        shapes[present] = converted.to_list()
    codes = {row: cells.text(v, fold=True) for row, v in raw.column("code").items()}
    existing = existing_rows(store, "boundaries")
    check_ids(codes, existing, log, "code")
    unreadable = dict(raw.bad_shapes)
    rows: dict[int, dict] = {}
    for row in raw.cells.index:
        code, name = codes[row], cells.text(raw.column("name").get(row))
        if name is None:
            log.add(row, "name", "missing")
        written = cells.text(raw.column("level").get(row))
        level = _level(written, code)
        if level is None:
            log.add(row, "level", "bad_level", written or "")
        shape = shapes.get(row)
        feature = " ".join(text for text in (code, name) if text)  # names the feature in the message
        if row in unreadable:
            log.add(row, "wkt", "unreadable_geometry", feature, detail=unreadable[row])
        elif shape is None or shape.is_empty:
            log.add(row, "wkt", "missing_geometry", feature)
        elif shape.geom_type not in ("Polygon", "MultiPolygon"):
            log.add(row, "wkt", "need_polygon", shape.geom_type)
        elif not np.isfinite(shapely.get_coordinates(shape)).all():
            log.add(row, "wkt", "nonfinite_geometry", feature)
        elif not shape.is_valid:
            log.add(row, "wkt", "invalid_polygon", feature, detail=shapely.is_valid_reason(shape))
        values = {"code": code, "name": name, "level": level, "shape": shape}
        if raw.has("name_en"):
            values["name_en"] = cells.text(raw.column("name_en").get(row))
        rows[row] = values
    good = {row: v for row, v in rows.items() if not log.is_bad(row)}
    areas = _all_areas(store, good)
    for row, values in good.items():
        values["parent_code"] = _parent(row, values, raw, areas, log)
    records = []
    for row, values in good.items():
        if log.is_bad(row):
            continue
        values["shape"] = round_coordinates(values["shape"], DECIMALS)
        records.append(Record(row, values["code"], values))
    actions = {r.key: classify(r, existing.get(r.key)) for r in records}
    notes = raw.notes + ((("note.converted", {"crs": crs.upper()}),) if crs != "wgs84" else ())
    return Checked(raw, crs, tuple(records), log.sorted(), actions, notes)


def _all_areas(store: Store, good: dict[int, dict]) -> gpd.GeoDataFrame:
    """Every area known after this import: the file's, then the store's other ones."""
    mine = gpd.GeoDataFrame(
        {"code": [v["code"] for v in good.values()], "name": [v["name"] for v in good.values()],
         "level": [v["level"] for v in good.values()]},
        geometry=[v["shape"] for v in good.values()], crs=WGS84)
    stored = store.areas(None)[["code", "name", "level", "geometry"]]
    if not len(stored):
        return mine
    others = stored[~stored["code"].isin(mine["code"])]
    return gpd.GeoDataFrame(pd.concat([mine, others], ignore_index=True), geometry="geometry", crs=WGS84)


def _parent(row: int, values: dict, raw: RawLedger, areas: gpd.GeoDataFrame, log: IssueLog) -> str | None:
    level = values["level"]
    if level == AREA_LEVELS[0]:
        return None
    above = [lvl for lvl in AREA_LEVELS[: AREA_LEVELS.index(level)] if (areas["level"] == lvl).any()]
    if not above:
        log.add(row, "parent_code", "no_parent", values["name"])
        return None
    candidates = areas[areas["level"] == above[-1]]
    written = cells.text(raw.column("parent_code").get(row))
    if written:
        names = Names.build((r.code, [r.name]) for r in candidates.itertuples())
        code = names.find(written)
        if code is None:
            log.add(row, "parent_code", "unknown_parent", written)
        return code
    inner = gpd.GeoSeries([values["shape"].representative_point()], crs=WGS84)
    found = assign_area(inner, candidates, "code").iloc[0]
    if pd.isna(found):
        log.add(row, "parent_code", "no_parent", values["name"])
        return None
    return str(found)
