"""The ``Filters`` value: what a user has selected, built in one place, passed down unchanged.

A ``Filters`` is frozen and hashable, so it serves as a cache key; it round-trips
through URL query parameters so a view can be bookmarked or put on a wall screen; and
it describes itself in a sentence for captions, as datasette's filters do.
An empty tuple means "no restriction" for that field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, replace
from typing import Callable, Collection, Iterable, Mapping

from civmap.i18n import t
from civmap.vocab import Vocabulary

__all__ = ["ALL", "Filters", "ParamProblem"]

#: A list parameter's value for "every code" (``?status=all``): for a field whose absence
#: from a link means a default (the statuses: the open ones), not everything.
ALL = "all"

_LIST_FIELDS = ("districts", "point_categories", "problem_categories", "statuses", "units", "sources")
_DATE_FIELDS = ("found_from", "found_until")


#: How much of a bad value a message repeats: a URL can carry megabytes.
_SHOWN_CHARS = 60


@dataclass(frozen=True)
class ParamProblem:
    """A URL query parameter value that cannot be used, and why; the view ignores it.

    ``reason`` names the message (``param.<reason>`` in ``data/i18n/core.csv``);
    ``detail`` fills its ``{detail}`` placeholder (the other date, the allowed range ...).
    """

    param: str
    value: str
    reason: str
    detail: str = ""

    def message(self, lang: str = "zh", quote: Callable[[str], str] = str) -> str:
        """The complaint in ``lang``; ``quote`` wraps the parameter, value and detail so
        that a page shows them as literal text (a URL is anyone's to write)."""
        return t(f"param.{self.reason}", lang, param=quote(self.param), value=quote(self.shown_value),
                 detail=quote(self.detail))

    @property
    def shown_value(self) -> str:
        """The value on one line and cut short, as a message repeats it."""
        flat = " ".join(self.value.split())
        return flat if len(flat) <= _SHOWN_CHARS else flat[:_SHOWN_CHARS] + "…"


def _tuple(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values or () if str(v)}))


@dataclass(frozen=True)
class Filters:
    """A selection over the city's layers.

    ``districts`` restricts every layer; the category fields restrict their own layer;
    ``statuses``, ``units``, ``sources`` and the ``found_*`` dates restrict problems.
    """

    districts: tuple[str, ...] = ()
    point_categories: tuple[str, ...] = ()
    problem_categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    found_from: dt.date | None = None
    found_until: dt.date | None = None

    def __post_init__(self) -> None:
        # Normalise so that equal selections are equal cache keys whatever the order.
        for name in _LIST_FIELDS:
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        if self.found_from and self.found_until and self.found_from > self.found_until:
            raise ValueError(f"found_from {self.found_from} is after found_until {self.found_until}")

    @classmethod
    def create(cls, **values) -> "Filters":
        return cls(**{k: v for k, v in values.items() if v is not None})

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)

    def without_statuses(self) -> "Filters":
        return replace(self, statuses=())

    def area_mask(self, frame, category: str | None = None) -> "np.ndarray":
        """Which rows of a points, circles or alleys frame this selection keeps, in memory:
        its ``district_code`` among the districts, and for points (``category`` =
        ``"point_categories"``) its ``category`` among the chosen ones, as the store's SQL."""
        import numpy as np

        keep = np.ones(len(frame), dtype=bool)
        if self.districts:
            keep &= frame["district_code"].isin(self.districts).to_numpy()
        if category and getattr(self, category):
            keep &= frame["category"].isin(getattr(self, category)).to_numpy()
        return keep

    def problem_mask(self, problems) -> "np.ndarray":
        """Which rows of a problems frame this selection keeps, in memory (no store read).

        The same conditions as the store applies in SQL to problems (districts, problem
        categories, statuses, units, sources, found dates), on a frame with its columns
        (``district_code``, ``category``, ``status``, ``unit_code``, ``source``, ``found_on``).
        """
        import numpy as np
        import pandas as pd

        keep = np.ones(len(problems), dtype=bool)
        for name, column in (("districts", "district_code"), ("problem_categories", "category"),
                             ("statuses", "status"), ("units", "unit_code"), ("sources", "source")):
            chosen = getattr(self, name)
            if chosen:
                keep &= problems[column].isin(chosen).to_numpy()
        if self.found_from or self.found_until:
            found = pd.to_datetime(problems["found_on"], errors="coerce")
            if self.found_from:
                keep &= (found >= pd.Timestamp(self.found_from)).to_numpy()
            if self.found_until:
                keep &= (found <= pd.Timestamp(self.found_until)).to_numpy()
        return keep

    def to_query_params(self, explicit_all: Collection[str] = ()) -> dict[str, list[str]]:
        """URL query parameters, one repeated key per list field (``?district=a&district=b``);
        ``from_query_params`` reads them back to an equal Filters.

        A field named in ``explicit_all`` is written ``all`` when empty, so a link can say
        "every status" where leaving the parameter out means the default.
        """
        params: dict[str, list[str]] = {}
        for name in _LIST_FIELDS:
            if getattr(self, name):
                params[_param_name(name)] = list(getattr(self, name))
            elif name in explicit_all:
                params[_param_name(name)] = [ALL]
        for name in _DATE_FIELDS:
            if getattr(self, name):
                params[name] = [getattr(self, name).isoformat()]
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]],
                          known: Mapping[str, Collection[str]] | None = None,
                          ) -> tuple["Filters", tuple[ParamProblem, ...]]:
        """Build from URL query parameters, keeping what can be used; never raises.

        ``known`` maps a list field (``"districts"``, ``"statuses"`` ...) to the codes it
        accepts; a field it does not name takes any code. Returns the Filters made of the
        usable values and one ``ParamProblem`` per value left out: a code not known, a date
        that is not YYYY-MM-DD, an end date before the start date. ``all`` (``ALL``) stands
        for every code and leaves the field empty.
        """
        def values(key: str) -> list[str]:
            raw = params.get(key, [])
            items = [raw] if isinstance(raw, str) else list(raw)
            return [part for item in items for part in str(item).split(",") if part]

        known = known or {}
        kwargs: dict = {}
        problems: list[ParamProblem] = []
        for name in _LIST_FIELDS:
            key, accepted = _param_name(name), known.get(name)
            given = [v for v in values(key) if v != ALL]
            kwargs[name] = [v for v in given if accepted is None or v in accepted]
            problems += [ParamProblem(key, v, "unknown_code") for v in dict.fromkeys(given) if v not in kwargs[name]]
        for name in _DATE_FIELDS:
            dates = values(name)
            if not dates:
                continue
            try:
                kwargs[name] = dt.date.fromisoformat(dates[0])
            except ValueError:
                problems.append(ParamProblem(name, dates[0], "not_a_date"))
        start, end = kwargs.get("found_from"), kwargs.get("found_until")
        if start and end and start > end:
            problems.append(ParamProblem("found_until", end.isoformat(), "end_before_start", start.isoformat()))
            del kwargs["found_until"]
        return cls(**kwargs), tuple(problems)

    def file_tag(self, vocab: Vocabulary, district_names: Mapping[str, str], lang: str = "zh") -> str:
        """The selection in a file name: the districts by name (``全市`` for none), then
        each other filter by its labels (or how many, past two), e.g.
        ``江城区+秀山区_问题状态-整改中_发现日期-2026-01-01~``. Only characters every file
        system takes: a district name from a ledger cannot make a path."""
        def names(codes, label) -> str:
            shown = [label(c) for c in codes]
            return "+".join(shown) if len(shown) <= 2 else str(len(shown))

        parts = [names(self.districts, lambda c: district_names.get(c, c)) if self.districts
                 else t("file.city", lang)]
        for name, kind in (("point_categories", "point_categories"), ("problem_categories", "problem_categories"),
                           ("statuses", "statuses"), ("units", None), ("sources", "problem_sources")):
            codes = getattr(self, name)
            if codes:
                shown = names(codes, (lambda c, k=kind: vocab.label(k, c, lang)) if kind else str)
                parts.append(f"{t('filter.' + name, lang)}-{shown}")
        if self.found_from or self.found_until:
            start = self.found_from.isoformat() if self.found_from else ""
            end = self.found_until.isoformat() if self.found_until else ""
            parts.append(f"{t('filter.found', lang)}-{start}~{end}")
        return _safe_file_part("_".join(parts))

    def describe(self, vocab: Vocabulary, district_names: Mapping[str, str], lang: str = "zh") -> str:
        """One sentence saying what is selected, for captions and exports."""
        sep = t("list.sep", lang)
        parts = []
        labelled = (
            ("districts", None),
            ("point_categories", "point_categories"),
            ("problem_categories", "problem_categories"),
            ("statuses", "statuses"),
            ("sources", "problem_sources"),
        )
        for name, kind in labelled:
            codes = getattr(self, name)
            if not codes:
                continue
            if kind is None:
                names = [district_names.get(c, c) for c in codes]
            else:
                names = [vocab.label(kind, c, lang) for c in codes]
            parts.append(f"{t('filter.' + name, lang)}: {sep.join(names)}")
        if self.units:
            parts.append(f"{t('filter.units', lang)}: {len(self.units)}")
        if self.found_from or self.found_until:
            start = self.found_from.isoformat() if self.found_from else "…"
            end = self.found_until.isoformat() if self.found_until else "…"
            parts.append(f"{t('filter.found', lang)}: {start} – {end}")
        if not parts:
            return t("filter.everything", lang)
        return ("；" if lang == "zh" else "; ").join(parts)


def _safe_file_part(text: str, limit: int = 120) -> str:
    """``text`` with what a file system (or a download header) refuses replaced, cut short."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "-", " ".join(text.split())).replace(" ", "-")
    return cleaned[:limit].strip(".-") or "-"


def _param_name(field_name: str) -> str:
    """``districts`` → ``district``: singular keys read better in a repeated URL parameter."""
    singular = {"districts": "district", "point_categories": "point_category",
                "problem_categories": "problem_category", "statuses": "status",
                "units": "unit", "sources": "source"}
    return singular[field_name]


assert {f.name for f in fields(Filters)} == set(_LIST_FIELDS) | set(_DATE_FIELDS)
