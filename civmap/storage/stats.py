"""Counts per layer and per district, for ``python -m civmap stats``."""

from __future__ import annotations

import pandas as pd

from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

__all__ = ["layer_counts"]


def layer_counts(store: Store) -> tuple[pd.DataFrame, dict[str, int]]:
    """Per-district counts of every layer, and the city totals."""
    vocab = load_vocabulary()
    districts = store.districts()[["code", "name"]]
    points, circles, alleys = store.points(), store.circles(), store.alleys()
    problems = store.problems()
    open_problems = problems[problems["status"].isin(vocab.unresolved_statuses)]
    parts = {
        "points": points.groupby("district_code").size(),
        "circles": circles.groupby("district_code").size(),
        "alleys": alleys.groupby("district_code").size(),
        "problems": problems.groupby("district_code").size(),
        "open_problems": open_problems.groupby("district_code").size(),
    }
    table = districts.set_index("code")
    for name, series in parts.items():
        table[name] = series.reindex(table.index).fillna(0).astype(int)
    table = table.reset_index().rename(columns={"code": "district", "name": "name"})
    totals = {name: int(series.sum()) for name, series in parts.items()}
    totals["districts"] = len(districts)
    totals["events"] = len(store.events())
    totals["inspections"] = len(store.inspections())
    return table, totals
