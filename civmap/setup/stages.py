"""An office's set-up, stage by stage: what is loaded, what is missing, and what to do next.

An office takes civmap into use by loading its own files in an order where each stage
stands on the one before: boundaries (every row is placed in a district by them), then
responsible units (ledgers name them), assessment points, key point-circles (a circle's
centre is a point), back alleys, inspection results (of points) and problems. The setup
page and ``python -m civmap status`` both read :func:`setup_status`; it returns codes and
numbers only, and the words are added where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from civmap.storage.store import Store

__all__ = ["STAGES", "StageState", "SetupStatus", "setup_status"]

#: The stages in loading order: (code, the ``import --kind`` that loads it).
STAGES: tuple[tuple[str, str], ...] = (
    ("boundaries", "boundaries"),
    ("units", "units"),
    ("points", "points"),
    ("circles", "circles"),
    ("alleys", "alleys"),
    ("inspections", "inspections"),
    ("problems", "problems"),
)
#: Units with no district answer for the whole city; their row in the district table.
CITY_LEVEL = ""


@dataclass(frozen=True)
class StageState:
    """One stage: rows loaded in all, and per district code (``""``: city level)."""

    code: str
    kind: str
    count: int
    by_district: dict[str, int]

    @property
    def loaded(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class SetupStatus:
    """Every stage's state, in loading order, and the districts they are counted by."""

    stages: tuple[StageState, ...]
    districts: dict[str, str]
    is_demo: bool

    def stage(self, code: str) -> StageState:
        return next(s for s in self.stages if s.code == code)

    @property
    def next_stage(self) -> StageState | None:
        """The first stage with nothing loaded: the office's next step (None: all loaded)."""
        return next((s for s in self.stages if not s.loaded), None)

    def by_district(self) -> pd.DataFrame:
        """Districts (rows, in code order, plus a city-level row where one has data) × stages.

        The boundaries column counts each district's own polygon and those of its streets,
        communities and grids.
        """
        codes = list(self.districts)
        if any(s.by_district.get(CITY_LEVEL) for s in self.stages):
            codes.append(CITY_LEVEL)
        table = pd.DataFrame({s.code: [s.by_district.get(c, 0) for c in codes] for s in self.stages},
                             index=pd.Index(codes, name="district"))
        return table.astype(int)


def setup_status(store: Store) -> SetupStatus:
    """Where the store stands in an office's set-up (within the store's scope)."""
    stages = []
    for code, kind in STAGES:
        per = store.counts_by_district(code)
        stages.append(StageState(code, kind, sum(per.values()), per))
    return SetupStatus(tuple(stages), store.district_names("zh"),
                       is_demo=store.get_meta("demo_seed") is not None and store.get_meta("office_import") is None)
