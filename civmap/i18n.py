"""UI text in Simplified Chinese (default) and English.

Vocabulary labels (categories, statuses ...) come from ``data/vocab``; the interface's
own words live in ``data/i18n/*.csv`` (``key,zh,en``), one file per part of the app so
that an office can reword a page without touching code. ``t`` falls back to the key
itself, so a missing translation shows on screen instead of breaking a page; a test
checks that every key has both languages and that no key is defined twice.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

__all__ = ["t", "messages", "localized_areas", "area_names", "LANGS", "I18N_DIR"]

LANGS = ("zh", "en")
I18N_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"


@lru_cache(maxsize=1)
def messages() -> dict[str, tuple[str, str]]:
    """Every UI message, from all CSV files in ``data/i18n``; raises on a duplicate key."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(I18N_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                key = row["key"]
                if key in out:
                    raise ValueError(f"{path.name} line {line}: message key {key!r} is defined twice")
                out[key] = (row["zh"], row["en"])
    return out


def t(key: str, lang: str = "zh", **values) -> str:
    """The UI text for ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    pair = messages().get(key)
    text = key if pair is None else pair[0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def localized_areas(areas, lang: str = "zh"):
    """``areas`` (districts, streets ...) with ``name`` in ``lang``.

    Place names are data, not UI text: in English an area is called by the ``name_en``
    its boundary data gives (pinyin, usually), and keeps its Chinese name where none is given.
    """
    if lang == "zh" or "name_en" not in areas.columns or not len(areas):
        return areas
    english = areas["name_en"].where(areas["name_en"].fillna("").astype(str).str.strip() != "")
    return areas.assign(name=english.fillna(areas["name"]))


def area_names(areas, lang: str = "zh") -> dict[str, str]:
    """Area code → name in ``lang`` (see ``localized_areas``)."""
    local = localized_areas(areas, lang)
    return dict(zip(local["code"], local["name"]))
