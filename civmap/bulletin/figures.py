"""What a bulletin (通报) says for one period, as plain values: no words, no layout.

Every number comes from the functions the pages use (``civmap.progress.figures``: the period's
figures, the red and black lists, the race; ``civmap.circles.membership``: circle states), so the
bulletin and the Progress page agree to the last digit for the same period and scope.
Words and layout are applied later (:mod:`civmap.bulletin.context`), so one
:class:`BulletinData` serves any language and any template.

Figures are as the timeline stood at the end of the period's last day (``end``), not as
the store stands today: a bulletin for last fortnight is re-made with the same numbers
next month. Only the circle states are as of the day of issue, because a circle's state
rests on its points' latest inspections, which have no history in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmap.circles.state import CircleRule
from civmap.filters import Filters
from civmap.i18n import area_names
from civmap.progress.figures import PACE_DAYS, build_timeline, timeline_daily, timeline_race, timeline_summary, previous_period, rank
from civmap.progress.figures import BY_COLUMNS
from civmap.progress.timeline import Timeline, to_date, to_day
from civmap.vocab import Vocabulary

__all__ = ["BulletinData", "BulletinOptions", "collect", "options_from", "overdue_at", "parse_period", "rank_levels"]


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """``2026-11-16..2026-11-29`` → (first day, last day); ValueError saying what is wrong."""
    first, sep, last = str(text).strip().partition("..")
    if not sep:
        raise ValueError(f"period {text!r}: expected FIRST..LAST, e.g. 2026-11-16..2026-11-29")
    try:
        start, end = dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
    except ValueError:
        raise ValueError(f"period {text!r}: dates must be YYYY-MM-DD") from None
    if end < start:
        raise ValueError(f"period {text!r}: ends before it starts")
    return start, end


def rank_levels(district: str | None) -> tuple[str, ...]:
    """Who a bulletin ranks: the city's ranks districts, streets and units; a district's
    own ranks its streets and units (its one district ranked alone is no ranking)."""
    return ("street", "unit") if district else ("district", "street", "unit")


@dataclass(frozen=True)
class BulletinOptions:
    """What a bulletin depends on besides the timeline: settings an office may change."""

    assessment_date: dt.date
    circle_rule: CircleRule = field(default_factory=CircleRule)
    radius_m: float = 300.0
    centre_kinds: tuple[str, ...] = ()
    tie_distance_m: float = 50.0


@dataclass(frozen=True, eq=False)
class BulletinData:
    """One period's bulletin as numbers and tables of codes (see the module docstring).

    ``now`` and ``before`` are ``timeline_summary`` dicts of the period and of the period
    of equal length just before it; ``rankings`` maps ``district``/``street``/``unit`` to
    ``civmap.progress.rank.rank`` tables; ``race`` is ``timeline_race`` as of ``end``;
    ``overdue`` the problems overdue at the end of ``end``; ``circles`` the active
    circles not up to standard, with their reasons; ``daily`` the flows per day over
    both periods; ``burndown`` the race's history and projection (``charts.burndown_lines``);
    ``areas`` the areas the map shades (districts, or a district's streets) with
    ``rate`` (the period's on-time rate; NaN when there is none).
    """

    start: dt.date
    end: dt.date
    previous: tuple[dt.date, dt.date]
    district: str | None
    area_name: str
    now: dict
    before: dict
    rankings: dict[str, pd.DataFrame]
    race: dict
    overdue: pd.DataFrame
    circles: pd.DataFrame
    circle_count: int
    daily: pd.DataFrame
    burndown: pd.DataFrame
    areas: object
    map_level: str


def overdue_at(timeline: Timeline, problems: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """The problems overdue at the end of ``end`` (as ``timeline_summary`` counts them, so
    the list has exactly its ``overdue`` rows), with the deadline then in force and
    whole days past it; most overdue first within each responsible unit.

    Not ``ledger.sheets.supervision_frame``: that one reads today's statuses, and a
    bulletin for a past fortnight must list what was late when the fortnight ended.
    """
    day = to_day(end)
    pidx, lo, hi = timeline.overdue_spans()
    late = np.unique(pidx[(lo <= day) & (day < hi)])
    seen = pd.DataFrame({"pidx": timeline.pidx, "day": timeline.day, "deadline": timeline.deadline})
    seen = seen[(seen["day"] <= day) & seen["pidx"].isin(late)].groupby("pidx")["deadline"].last()
    ids = timeline.problems["id"].iloc[late].to_numpy()
    rows = problems.set_index(problems["id"].astype(str)).reindex(ids.astype(str))
    deadlines = [to_date(d) for d in seen.reindex(late).to_numpy()]
    out = pd.DataFrame({
        "id": ids, "description": rows["description"].to_numpy(),
        "category": rows["category"].to_numpy(), "district_code": rows["district_code"].to_numpy(),
        "street_code": rows["street_code"].to_numpy(), "unit_code": rows["unit_code"].to_numpy(),
        "unit_name": rows["unit_name"].to_numpy() if "unit_name" in rows else rows["unit_code"].to_numpy(),
        "chief_name": rows["chief_name"].to_numpy(), "deadline": deadlines,
        "days": [(end - d).days for d in deadlines],
    })
    out["unit_sort"] = out["unit_name"].fillna("\uffff")
    out = out.sort_values(["unit_sort", "days", "id"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="unit_sort").reset_index(drop=True)


def _names(store, by: str, lang: str, codes: set) -> dict[str, str]:
    """Display names of the areas or units ``by``, only those the timeline's problems carry
    (as on the Progress page: a unit with no problem in scope is not ranked)."""
    if by in ("district", "street"):
        names = area_names(store.areas(by), lang)
    else:
        names = store.units().set_index("code")["name"].to_dict()
    return {code: name for code, name in names.items() if code in codes}


def _circles(store, vocab: Vocabulary, options: BulletinOptions, district: str | None):
    from civmap.circles.membership import load_circle_data, summarise

    kinds = options.centre_kinds or tuple(vocab.codes("centre_kinds"))
    data = load_circle_data(store, vocab, options.radius_m, kinds, options.tie_distance_m)
    summary = summarise(data, options.circle_rule)
    if district:
        summary = summary[summary["district_code"] == district]
    failing = summary[summary["state"] == "not_met"].sort_values(["overdue", "open", "circle_id"],
                                                                 ascending=[False, False, True])
    return failing.reset_index(drop=True), len(summary)


def collect(store, vocab: Vocabulary, start: dt.date, end: dt.date, options: BulletinOptions,
            district: str | None = None, lang: str = "zh") -> BulletinData:
    """Everything a bulletin for start..end says, for the city or one ``district``.

    ``store`` is a ``civmap.storage.store.Store`` (already scoped to what the reader may see);
    ``lang`` only names areas (place names are data).
    """
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    districts = store.district_names(lang)
    if district is not None and district not in districts:
        raise ValueError(f"unknown district {district!r}; known: {', '.join(districts)}")
    filters = Filters(districts=(district,)) if district else Filters()
    problems = store.problems(filters)
    timeline = build_timeline(problems, store.events()[["problem_id", "at", "to_status", "deadline"]], vocab)
    before = previous_period(start, end)

    rankings = {}
    for by in rank_levels(district):
        codes = set(timeline.group_codes(BY_COLUMNS[by]).dropna())
        rankings[by] = rank(timeline, by, start, end, _names(store, by, lang, codes))

    race = timeline_race(timeline, end, options.assessment_date)
    from civmap.progress.charts import burndown_lines

    history = timeline_daily(timeline, min(start, end - dt.timedelta(days=PACE_DAYS)), end)
    circles, circle_count = _circles(store, vocab, options, district)

    map_level = "street" if district else "district"
    areas = store.areas(map_level)
    if district:
        areas = areas[areas["parent_code"] == district]
    rates = rankings[map_level].set_index("code")["on_time_rate"]
    areas = areas.assign(rate=areas["code"].map(rates).astype(float))
    if lang != "zh":
        from civmap.i18n import localized_areas

        areas = localized_areas(areas, lang)

    return BulletinData(
        start=start, end=end, previous=before, district=district,
        area_name=districts[district] if district else "",
        now=timeline_summary(timeline, start, end), before=timeline_summary(timeline, *before),
        rankings=rankings, race=race, overdue=overdue_at(timeline, problems, end),
        circles=circles, circle_count=circle_count,
        daily=timeline_daily(timeline, before[0], end), burndown=burndown_lines(history, race),
        areas=areas, map_level=map_level)


def options_from(settings) -> BulletinOptions:
    """The configured options (``civmap.config.Settings``), as the Circles page reads them."""
    return BulletinOptions(assessment_date=settings.assessment_date,
                           circle_rule=CircleRule.parse(settings.circle_rule, "CIVMAP_CIRCLE_RULE"),
                           radius_m=settings.circle_radius_m, centre_kinds=tuple(settings.centre_kinds),
                           tie_distance_m=settings.tie_distance_m)
