"""The command-centre wall's data: URL options, carousel, headline figures, district rates.

Everything here takes plain frames and values and returns them, so the wall can be
tested without Streamlit or a browser. The page (``pages/wall.py``) only lays these
out; the HTML lives in ``civmap.wall.html`` and the dark map (with its closing-rate
shading) in ``civmap.wall.map``. Progress figures (trend, red and black lists, the race
to the assessment date) come from ``civmap.progress.figures``, so they match the Progress page.

Nothing personal reaches the wall: every frame read for it passes ``strip_personal``
first, so a point chief's phone number cannot end up in a tile, a list or the map.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from typing import Mapping, NamedTuple, Sequence

import pandas as pd

from civmap.circles.state import MET
from civmap.figures import headline, overdue_mask
from civmap.filters import ParamProblem
from civmap.i18n import area_names
from civmap.progress.figures import (DAILY_COLUMNS, LIST_DAYS, RECENT_DAYS, build_timeline, timeline_daily,
                             timeline_race)
from civmap.progress.behind import (DEFAULT_WEIGHTS, Verdict, city_shares, district_shares, score, standing,
                                   verdict)
from civmap.progress.rank import rank
from civmap.progress.timeline import Timeline
from civmap.vocab import Vocabulary

__all__ = [
    "PERSONAL_COLUMNS", "strip_personal", "WallOptions", "parse_options", "carousel_order", "advance",
    "WallFigures", "wall_figures", "days_left", "district_rates", "WallCity", "wall_city", "WallView",
    "build_view", "WallRead", "TREND_DAYS",
]

#: Days of the found-versus-closed trend.
TREND_DAYS = 30

#: Columns that name or reach a person; dropped from everything the wall reads.
PERSONAL_COLUMNS = ("chief_name", "chief_phone", "inspector", "actor", "note", "partner_unit")
#: Any other column whose name says it holds a contact or identity number.
_PERSONAL_NAME = re.compile(r"phone|mobile|tel(ephone)?$|e_?mail|wechat|id_?card|id_?number", re.IGNORECASE)

DEFAULT_REFRESH_S = 60
DEFAULT_EVERY_S = 30
MIN_INTERVAL_S = 1
MAX_INTERVAL_S = 24 * 3600
_SWITCH = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def strip_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without any column holding a person's name or contact details."""
    drop = [c for c in frame.columns if c in PERSONAL_COLUMNS or _PERSONAL_NAME.search(str(c))]
    return frame.drop(columns=drop)


# -- options from the URL --------------------------------------------------------------
@dataclass(frozen=True)
class WallOptions:
    """What a wall URL asks for: ``?district=D01``, ``?carousel=1&every=30``, ``?refresh=60``.

    ``district`` is the fixed view (None: the whole city) and, in carousel mode, where
    the carousel starts. Intervals are in seconds.
    """

    district: str | None = None
    carousel: bool = False
    every: int = DEFAULT_EVERY_S
    refresh: int = DEFAULT_REFRESH_S

    @property
    def tick(self) -> int:
        """How often the wall's fragment reruns: often enough for both refresh and carousel."""
        return min(self.refresh, self.every) if self.carousel else self.refresh


def _seconds(params: Mapping[str, str], key: str, default: int, problems: list[ParamProblem]) -> int:
    """Whole seconds from ``params[key]``; a bad value is added to ``problems`` and the
    default used (``inf``, ``nan`` and ``1e999`` parse as floats but are no interval)."""
    raw = params.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        seconds = float(str(raw))
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        problems.append(ParamProblem(key, str(raw), "not_seconds", str(default)))
        return default
    if not MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        problems.append(ParamProblem(key, str(raw), "out_of_range", f"{MIN_INTERVAL_S}–{MAX_INTERVAL_S}"))
        return default
    return int(seconds)


def parse_options(params: Mapping[str, str], district_codes: Sequence[str] | None,
                  ) -> tuple[WallOptions, tuple[ParamProblem, ...]]:
    """Read the wall's query parameters, keeping what can be used; never raises.

    Returns the options and one ``ParamProblem`` per value left out (its default used
    instead). ``district_codes`` None (the store could not be read yet) skips the
    district check.
    """
    problems: list[ParamProblem] = []
    district = str(params.get("district") or "").strip() or None
    if district is not None and district_codes is not None and district not in district_codes:
        problems.append(ParamProblem("district", district, "unknown_code"))
        district = None
    carousel_raw = str(params.get("carousel") or "0").strip().lower()
    if carousel_raw not in _SWITCH:
        problems.append(ParamProblem("carousel", str(params.get("carousel")), "not_a_switch"))
    options = WallOptions(district=district, carousel=_SWITCH.get(carousel_raw, False),
                          every=_seconds(params, "every", DEFAULT_EVERY_S, problems),
                          refresh=_seconds(params, "refresh", DEFAULT_REFRESH_S, problems))
    return options, tuple(problems)


# -- carousel --------------------------------------------------------------------------
def carousel_order(district_codes: Sequence[str]) -> list[str | None]:
    """The views a carousel cycles through: the whole city (None), then each district."""
    return [None, *district_codes]


def advance(order: Sequence[str | None], current: str | None) -> str | None:
    """The view after ``current``; an unknown current view restarts at the city."""
    if current not in order:
        return order[0]
    return order[(list(order).index(current) + 1) % len(order)]


# -- figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WallFigures:
    """The wall's headline numbers for the city or one district.

    ``circles_up`` is None when no rule for a circle's state is available; the wall then
    shows the number of circles instead.
    """

    points: int
    circles: int
    circles_up: int | None
    open: int
    overdue: int
    closed_week: int
    closing_rate: float | None
    days_left: int
    as_of: dt.date
    assessment_date: dt.date

    def values(self) -> dict[str, object]:
        """Figure code → value, as the wall shows them (and the tests read them)."""
        return {"points": self.points, "circles": self.circles if self.circles_up is None else self.circles_up,
                "open": self.open, "overdue": self.overdue, "closed_week": self.closed_week,
                "closing_rate": self.closing_rate, "days_left": self.days_left}


def days_left(as_of: dt.date, assessment_date: dt.date) -> int:
    """Whole days from ``as_of`` to the assessment date; 0 once it has come."""
    return max((assessment_date - as_of).days, 0)


def wall_figures(points: pd.DataFrame, circles: pd.DataFrame, problems: pd.DataFrame, daily: pd.DataFrame,
                 vocab: Vocabulary, as_of: dt.date, assessment_date: dt.date,
                 circles_up: int | None = None) -> WallFigures:
    """The headline figures, defined as on the overview (``civmap.figures.headline``).

    ``problems`` is the view's whole timeline (no status filter); ``daily`` is
    ``civmap.progress.figures.daily_counts`` ending on ``as_of``: "closed this week" is its
    closings over the last ``RECENT_DAYS`` days, as on the Progress page.
    """
    base = headline(points, circles, points.iloc[0:0], problems, vocab, as_of)
    recent = daily[daily.index > pd.Timestamp(as_of - dt.timedelta(days=RECENT_DAYS))]
    return WallFigures(points=base.points, circles=base.circles, circles_up=circles_up, open=base.open,
                       overdue=base.overdue, closed_week=int(recent["closed"].sum()),
                       closing_rate=base.closing_rate, days_left=days_left(as_of, assessment_date),
                       as_of=as_of, assessment_date=assessment_date)


def district_rates(district_names: Mapping[str, str], problems: pd.DataFrame, vocab: Vocabulary,
                   as_of: dt.date) -> pd.DataFrame:
    """Per district: problems, closed, open, overdue and closing rate (NaN with no problems).

    Every district in ``district_names`` gets a row, in that order.
    """
    codes = list(district_names)
    frame = pd.DataFrame({"district_code": problems["district_code"],
                          "closed": problems["status"].isin(vocab.closed_statuses),
                          "open": problems["status"].isin(vocab.unresolved_statuses),
                          "overdue": overdue_mask(problems, vocab, as_of)})
    totals = frame.groupby("district_code").agg(problems=("closed", "size"), closed=("closed", "sum"),
                                                open=("open", "sum"), overdue=("overdue", "sum"))
    totals = totals.reindex(codes, fill_value=0).astype(int)
    out = totals.reset_index(names="code")
    out.insert(1, "name", [district_names[c] for c in codes])
    out["closing_rate"] = [None if n == 0 else c / n for c, n in zip(out["closed"], out["problems"])]
    return out


# -- one view of the wall --------------------------------------------------------------
@dataclass(frozen=True)
class WallCity:
    """The whole city as the wall reads it, personal columns already stripped.

    ``circle_states`` has ``circle_id``, ``district_code`` and ``state`` (``met`` when up
    to standard) per active circle, or is None when no circle rule could be applied.
    """

    districts: pd.DataFrame
    points: pd.DataFrame
    circles: pd.DataFrame
    problems: pd.DataFrame
    events: pd.DataFrame
    circle_states: pd.DataFrame | None = None
    #: The status timeline of ``problems`` from ``events``, when the caller holds it built
    #: (the app shares the Progress page's); else each view builds it.
    timeline: Timeline | None = None

    def district_names(self, lang: str = "zh") -> dict[str, str]:
        return area_names(self.districts, lang)


def wall_city(districts, points, circles, problems, events, circle_states=None, timeline=None) -> WallCity:
    """A ``WallCity`` from store reads; every frame loses its personal columns here."""
    states = None if circle_states is None else strip_personal(circle_states)
    return WallCity(*(strip_personal(f) for f in (districts, points, circles, problems, events)), states, timeline)


@dataclass(frozen=True)
class WallView:
    """Everything one screen of the wall shows: the city (``district`` None) or a district.

    ``standing`` ranks every district by the score of :mod:`civmap.progress.behind`; the
    verdict, the red and black lists and the map's shading all read it. ``city`` holds
    the city's own shares (the standing's columns), ``weights`` the weights used.
    """

    district: str | None
    figures: WallFigures
    rates: pd.DataFrame
    standing: pd.DataFrame
    city: dict
    weights: dict
    verdict: Verdict | None
    daily: pd.DataFrame
    race: dict
    problems: pd.DataFrame

    def named(self, names: Mapping[str, str]) -> "WallView":
        """The view with district names in one language (``names``: code → name).

        The view itself is built on codes, so one cached view serves every language and
        the names are added where the wall is drawn.
        """
        def label(frame: pd.DataFrame) -> pd.DataFrame:
            if "name" not in frame or "code" not in frame:
                return frame
            return frame.assign(name=frame["code"].map(lambda code: names.get(code, code)))

        return replace(self, rates=label(self.rates), standing=label(self.standing))

    @property
    def city_score(self) -> float:
        """The city's own score, the level the map's shading is measured from."""
        return score(self.city, self.weights)


def _in_district(frame: pd.DataFrame, district: str | None) -> pd.DataFrame:
    return frame if district is None else frame[frame["district_code"] == district]


def build_view(city: WallCity, district: str | None, vocab: Vocabulary, as_of: dt.date,
               assessment_date: dt.date, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> WallView:
    """Figures, verdict, standing, trend and race for one screen of the wall, on district
    codes (``WallView.named`` adds the names in the UI language).

    The standing always ranks every district (on-time rate over ``LIST_DAYS`` days
    ending on ``as_of``, the other shares as of ``as_of``); the trend covers
    ``TREND_DAYS`` days ending on ``as_of``.
    """
    problems = _in_district(city.problems, district)
    whole = city.timeline if city.timeline is not None else build_timeline(city.problems, city.events, vocab)
    timeline = whole.subset((whole.problems["district_code"] == district).to_numpy()) if district else whole
    daily = timeline_daily(timeline, as_of - dt.timedelta(days=TREND_DAYS - 1), as_of)[list(DAILY_COLUMNS)]
    circles = _in_district(city.circles, district)
    circles_up = None
    if city.circle_states is not None:
        states = _in_district(city.circle_states, district)
        circles, circles_up = states, int((states["state"] == MET).sum())
    figures = wall_figures(_in_district(city.points, district), circles, problems, daily, vocab, as_of,
                           assessment_date, circles_up)
    names = {code: code for code in city.districts["code"]}
    ranked = rank(whole, "district", as_of - dt.timedelta(days=LIST_DAYS - 1), as_of, names)
    rates = district_rates(names, city.problems, vocab, as_of)
    table = standing(district_shares(names, ranked, rates, city.circle_states), weights)
    shares = city_shares(ranked, rates, city.circle_states)
    return WallView(district=district, figures=figures, rates=rates, standing=table, city=shares,
                    weights=dict(weights), verdict=verdict(table, shares, weights), daily=daily,
                    race=timeline_race(timeline, as_of, assessment_date), problems=problems)


class WallRead(NamedTuple):
    """What the wall shows now: a view and its rendered map, when they were read (in the
    viewer's time zone), and whether they are stale (the latest read failed)."""

    view: WallView | None
    map_html: str | None
    refreshed_at: dt.datetime | None
    stale: bool
