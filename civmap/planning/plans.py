"""Named plans: a set of ranked rows kept under a name, in a JSON file beside the store.

A plan holds only ``(kind, key)`` pairs (``circle``/``alley``/``point``/``category`` and a
code), never figures: reopened later, it is recomputed on the data of that day. The file
is replaced whole on every save (written beside it, then renamed), so a crash midway
leaves the previous plans as they were. A save or delete reads, changes and writes the file
under an exclusive lock on ``plans.json.lock`` beside it, so two sessions saving at once, in
one app process or in several sharing ``CIVMAP_DATA_DIR``, each keep their plan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

from civmap.planning.rank import KINDS

__all__ = ["PLANS_FILE", "MAX_NAME", "plans_path", "load_plans", "save_plan", "delete_plan"]

PLANS_FILE = "plans.json"
MAX_NAME = 60


def plans_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / PLANS_FILE


def _items(raw, where: str) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: items must be a list")
    out = []
    for n, item in enumerate(raw, start=1):
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and item[0] in KINDS and isinstance(item[1], str)):
            raise ValueError(f"{where}: item {n} must be [kind, code] with kind one of {', '.join(KINDS)}")
        out.append((item[0], item[1]))
    return out


def load_plans(path: Path) -> dict[str, dict]:
    """Plans by name: ``{"items": [(kind, key), ...], "saved_at": ISO time}``; none if no file."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a plans file ({error})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("plans"), list):
        raise ValueError(f"{path}: not a plans file (no list of plans)")
    out = {}
    for n, plan in enumerate(raw["plans"], start=1):
        if not isinstance(plan, dict) or not isinstance(plan.get("name"), str):
            raise ValueError(f"{path}: plan {n} has no name")
        out[plan["name"]] = {"items": _items(plan.get("items"), f"{path}: plan {plan['name']!r}"),
                             "saved_at": str(plan.get("saved_at", ""))}
    return out


def _write(path: Path, plans: dict[str, dict]) -> None:
    payload = {"plans": [{"name": name, "items": [list(i) for i in plan["items"]], "saved_at": plan["saved_at"]}
                         for name, plan in plans.items()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".plans-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the plans file's lock (blocking) while a save or delete reads and rewrites it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save_plan(path: Path, name: str, items, at: dt.datetime) -> str:
    """Keep ``items`` as the plan ``name`` (replacing one of that name); returns the name as kept."""
    name = " ".join(str(name).split())
    if not name:
        raise ValueError("a plan needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"a plan name has at most {MAX_NAME} characters, not {len(name)}")
    items = _items([list(i) for i in items], f"plan {name!r}")
    if not items:
        raise ValueError(f"plan {name!r} is empty")
    with _locked(path):
        plans = load_plans(path)
        plans[name] = {"items": items, "saved_at": at.isoformat(timespec="seconds")}
        _write(path, plans)
    return name


def delete_plan(path: Path, name: str) -> None:
    with _locked(path):
        plans = load_plans(path)
        if name not in plans:
            raise KeyError(f"no plan named {name!r}")
        del plans[name]
        _write(path, plans)
