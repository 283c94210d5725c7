"""The office's vocabularies: one source of truth, loaded from data.

Every list an office may change (point categories, problem categories, statuses and
their open/closed type, centre kinds, alley states, problem sources, unit kinds) lives as a CSV
file in ``data/vocab/``. The store keeps codes; the UI shows labels from here.
Statuses follow FixMyStreet's lesson: a status has a stable code and a *type*
(``open``, ``fixed`` or ``closed``); whether a problem counts as open is derived from
the type, never from a list of names typed somewhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["Vocabulary", "load_vocabulary", "VOCAB_DIR", "STATUS_TYPES"]

VOCAB_DIR = Path(__file__).resolve().parent.parent / "data" / "vocab"

#: The three status types; every status in ``statuses.csv`` has one of them.
STATUS_TYPES = ("open", "fixed", "closed")

_FILES = {
    "point_categories": ("code", "zh", "en", "color", "geometry", "authority"),
    "problem_categories": ("code", "zh", "en", "color", "time_limit_days"),
    "statuses": ("code", "type", "zh", "en", "color"),
    "centre_kinds": ("code", "zh", "en", "color", "default_on"),
    "alley_states": ("code", "zh", "en", "color"),
    "problem_sources": ("code", "zh", "en"),
    "unit_kinds": ("code", "zh", "en"),
    # Who may do what (civmap.accounts) and the case flow's moves (civmap.cases).
    "roles": ("code", "zh", "en", "scope", "personal_data", "import", "manage_accounts", "record", "screen"),
    "moves": ("code", "zh", "en", "from", "to", "needs", "roles"),
}
#: Vocabularies added after offices first copied the folder: read from civmap's own
#: ``data/vocab`` when an office's folder has no file for them yet.
_OPTIONAL = ("unit_kinds", "roles", "moves")


@dataclass(frozen=True)
class Vocabulary:
    """All vocabularies, each a DataFrame indexed by its code."""

    point_categories: pd.DataFrame
    problem_categories: pd.DataFrame
    statuses: pd.DataFrame
    centre_kinds: pd.DataFrame
    alley_states: pd.DataFrame
    problem_sources: pd.DataFrame
    unit_kinds: pd.DataFrame
    roles: pd.DataFrame
    moves: pd.DataFrame

    def table(self, kind: str) -> pd.DataFrame:
        if kind not in _FILES:
            raise KeyError(f"unknown vocabulary {kind!r}; known: {', '.join(_FILES)}")
        return getattr(self, kind)

    def codes(self, kind: str) -> list[str]:
        return list(self.table(kind).index)

    def label(self, kind: str, code: str, lang: str = "zh") -> str:
        """The label of ``code`` in ``lang``; an unknown code shows as itself, so a
        ledger row with a code the office has since retired still displays."""
        table = self.table(kind)
        if code in table.index:
            return str(table.at[code, lang])
        return str(code)

    def labels(self, kind: str, lang: str = "zh") -> dict[str, str]:
        return self.table(kind)[lang].astype(str).to_dict()

    def colors(self, kind: str) -> dict[str, str]:
        return self.table(kind)["color"].to_dict()

    def statuses_of_type(self, *types: str) -> list[str]:
        for t in types:
            if t not in STATUS_TYPES:
                raise ValueError(f"unknown status type {t!r}; expected one of {STATUS_TYPES}")
        return list(self.statuses.index[self.statuses["type"].isin(types)])

    @property
    def unresolved_statuses(self) -> list[str]:
        """Statuses of a problem not yet closed (open or reported fixed)."""
        return self.statuses_of_type("open", "fixed")

    @property
    def closed_statuses(self) -> list[str]:
        return self.statuses_of_type("closed")

    @property
    def initial_status(self) -> str:
        """The status a new problem starts in: the first of type open, in the vocabulary's order."""
        opened = self.statuses[self.statuses["type"] == "open"]
        return str(opened.sort_values("order").index[0] if "order" in opened else opened.index[0])

    def time_limit_days(self, problem_category: str) -> int:
        return int(self.problem_categories.at[problem_category, "time_limit_days"])

    def centre_kind_of(self, point_category: str) -> str | None:
        """The key-circle centre kind a point category can anchor, if any."""
        value = self.point_categories.at[point_category, "centre_kind"]
        return None if pd.isna(value) or value == "" else str(value)


def _read(directory: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    path = directory / f"{name}.csv"
    if name in _OPTIONAL and not path.exists():
        path = VOCAB_DIR / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    duplicated = frame["code"][frame["code"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: duplicate code(s) {', '.join(duplicated)}")
    for column in ("time_limit_days", "weight", "order"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="raise")
    if "default_on" in frame.columns:
        frame["default_on"] = frame["default_on"].str.lower().eq("true")
    if name == "statuses":
        bad = sorted(set(frame["type"]) - set(STATUS_TYPES))
        if bad:
            raise ValueError(f"{path}: unknown status type(s) {', '.join(bad)}")
    if "centre_kind" in frame.columns:
        frame["centre_kind"] = frame["centre_kind"].replace("", None)
    return frame.set_index("code")


@lru_cache(maxsize=4)
def load_vocabulary(directory: str | Path = VOCAB_DIR) -> Vocabulary:
    """Read every vocabulary CSV in ``directory`` (an office's own lists)."""
    directory = Path(directory)
    tables = {name: _read(directory, name, cols) for name, cols in _FILES.items()}
    vocab = Vocabulary(**tables)
    unknown = set(vocab.point_categories["centre_kind"].dropna()) - set(vocab.centre_kinds.index)
    if unknown:
        raise ValueError(f"point_categories.csv: unknown centre_kind {', '.join(sorted(unknown))}")
    return vocab
