"""Chinese names for the demo city's places and people, from ``data/demo``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEMO_DIR", "NameBook", "load_namebook", "pick"]

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


def pick(rng: np.random.Generator, options):
    """One of ``options``, uniformly: the same draw as ``rng.choice(options)`` (so a seed
    gives the same city), without turning the list into an array on every call, which
    made most of a demo city's names' cost."""
    return options[rng.integers(0, len(options))]


def _templates(path: Path) -> dict[str, list[str]]:
    frame = pd.read_csv(path, dtype=str)
    return {row.category: row.templates.split("|") for row in frame.itertuples()}


@dataclass(frozen=True)
class NameBook:
    words: dict
    point_templates: dict[str, list[str]]
    problem_templates: dict[str, list[str]]
    affinity: pd.DataFrame

    def person(self, rng: np.random.Generator) -> str:
        surname = pick(rng, self.words["surnames"])
        given = "".join(rng.choice(self.words["given_chars"], size=rng.integers(1, 3)))
        return f"{surname}{given}"

    def phone(self, rng: np.random.Generator) -> str:
        return f"1{pick(rng, (3, 5, 7, 8, 9))}{rng.integers(0, 10**9):09d}"

    def road(self, rng: np.random.Generator) -> str:
        return f"{pick(rng, self.words['road_words'])}{pick(rng, self.words['road_suffixes'])}"

    def point_name(self, rng: np.random.Generator, category: str, context: dict[str, str]) -> str:
        template = pick(rng, self.point_templates.get(category, ["{place}" + category]))
        w = self.words
        values = {
            "place": pick(rng, w["place_words"]),
            "road": context.get("road") or self.road(rng),
            "road2": self.road(rng),
            "n": str(rng.integers(1, 40)),
            "brand": pick(rng, w["brands"]),
            "bank": pick(rng, w["banks"]),
            "telecom": pick(rng, w["telecoms"]),
            "compound": pick(rng, w["compound_suffixes"]),
            "district": context.get("district", ""),
            "street": context.get("street", ""),
            "community": context.get("community", ""),
        }
        return template.format(**values)

    def alley_name(self, rng: np.random.Generator) -> str:
        return f"{pick(rng, self.words['place_words'])}{pick(rng, self.words['alley_suffixes'])}"

    def problem_text(self, rng: np.random.Generator, category: str, where: str) -> str:
        return pick(rng, self.problem_templates[category]).format(where=where)


@lru_cache(maxsize=2)
def load_namebook(directory: str | Path = DEMO_DIR) -> NameBook:
    directory = Path(directory)
    words = json.loads((directory / "names.json").read_text(encoding="utf-8"))
    return NameBook(
        words=words,
        point_templates=_templates(directory / "name_templates.csv"),
        problem_templates=_templates(directory / "problem_texts.csv"),
        affinity=pd.read_csv(directory / "problem_affinity.csv"),
    )
