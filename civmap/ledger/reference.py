"""What a ledger's names are matched against: the store's areas, units and points, and the
office's vocabularies, each able to suggest the closest known names for a typo.

Names are compared after NFKC folding, lower-casing and dropping spaces; a district may
also be written without its suffix (江城 for 江城区). Suggestions come from ``difflib``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["Names", "Reference", "load_reference", "point_shapes", "AREA_LEVELS"]

#: Area levels from the top down; a level's parent is the nearest level above it that has areas.
AREA_LEVELS = ("district", "street", "community", "grid")
_SUFFIXES = ("街道办事处", "办事处", "街道", "社区", "区", "县", "市")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Names:
    """Codes and every name that means one of them."""

    codes: dict[str, str]   # normalised name or code -> code
    shown: dict[str, str]   # normalised name (its stem, for areas) -> the name as to be suggested
    stems: bool = False     # compare without 区/街道/社区 ..., so 不存在街道 is not near 穿山街道

    @classmethod
    def build(cls, rows, strip_suffixes: bool = False) -> "Names":
        """``rows``: (code, [names...]) pairs; the first name is the one suggested."""
        codes: dict[str, str] = {}
        shown: dict[str, str] = {}
        for code, names in rows:
            code = str(code)
            codes.setdefault(_key(code), code)
            for position, name in enumerate(n for n in names if isinstance(n, str) and n):
                codes.setdefault(_key(name), code)
                if strip_suffixes:
                    codes.setdefault(_key(_stem(name)), code)
                if position == 0:
                    shown.setdefault(_key(_stem(name) if strip_suffixes else name), name)
        return cls(codes, shown, strip_suffixes)

    def find(self, value: str) -> str | None:
        return self.codes.get(_key(value))

    def suggest(self, value: str, n: int = 3) -> list[str]:
        """The closest known names (as they should be written), best first."""
        key = _key(_stem(value) if self.stems else value)
        close = difflib.get_close_matches(key, list(self.shown), n=n, cutoff=0.4)
        return [self.shown[k] for k in close]


@dataclass(frozen=True)
class Reference:
    """The store and vocabulary data a ledger is checked against (all WGS-84)."""

    vocab: Vocabulary
    districts: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    points: gpd.GeoDataFrame | None
    names: dict[str, Names]
    streets_by_district: dict[str, Names]
    district_name: dict[str, str]
    street_parent: dict[str, str]
    point_rows: dict[str, dict]              # problems, circles, inspections: point id -> its row
    point_ids_by_name: dict[str, list[str]]  # the same kinds: point name -> ids


def _vocab_names(vocab: Vocabulary, kind: str) -> Names:
    table = vocab.table(kind)
    return Names.build((code, [row["zh"], row["en"]]) for code, row in table.iterrows())


def load_reference(store: Store, vocab: Vocabulary, kind: str) -> Reference:
    """Read what checking a ledger of ``kind`` needs, through ``store`` (and its scope)."""
    districts = store.districts()
    streets = store.areas("street")
    units = store.units()
    names = {
        "district": Names.build(((r.code, [r.name, r.name_en]) for r in districts.itertuples()), True),
        "unit": Names.build((r.code, [r.name]) for r in units.itertuples()),
    }
    names["street"] = Names.build(((r.code, [r.name]) for r in streets.itertuples()), True)
    for vocab_kind in ("point_categories", "problem_categories", "statuses", "alley_states", "problem_sources",
                       "unit_kinds", "centre_kinds"):
        names[vocab_kind] = _vocab_names(vocab, vocab_kind)
    by_district = {
        code: Names.build(((r.code, [r.name]) for r in group.itertuples()), True)
        for code, group in streets.groupby("parent_code")
    }
    points, point_rows, by_name = None, {}, {}
    if kind in ("problems", "circles", "inspections"):
        points = store.points()[["id", "name", "category", "district_code", "street_code", "lon", "lat",
                                 "shape", "unit_code", "chief_name", "geometry"]]
        names["point"] = Names.build((r.id, []) for r in points.itertuples())
        body = pd.DataFrame(points.drop(columns="geometry")).astype(object)
        point_rows = {r["id"]: r for r in body.where(body.notna(), None).to_dict("records")}
        for point_id, name in zip(points["id"], points["name"]):
            by_name.setdefault(name, []).append(point_id)
    return Reference(vocab, districts, streets, points, names, by_district,
                     dict(zip(districts["code"], districts["name"])), dict(zip(streets["code"], streets["parent_code"])),
                     point_rows, by_name)


def point_shapes(points: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Assessment points as drawn: a road's line where it has one, else its point."""
    shapes = [line if line is not None else pt for line, pt in zip(points["shape"], points.geometry.to_numpy())]
    return gpd.GeoSeries(shapes, index=points.index, crs=points.crs)
