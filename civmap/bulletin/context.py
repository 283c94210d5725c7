"""A bulletin's words: the values a template's placeholders are filled with.

:func:`context` turns :class:`~civmap.bulletin.figures.BulletinData` into plain strings,
lists and dicts (no numbers left to format in the template), written as an office
writes them: counts with thousands separators ("1,012 件"), rates to one decimal
through ``figures.format_rate`` (what the pages show), paces through
``progress_text``. :data:`PLACEHOLDERS` names every top-level key, so an office's
template can be checked against it before anything is filled.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from civmap.bulletin.figures import BulletinData
from civmap.circles.tables import reason_text
from civmap.figures import format_rate
from civmap.i18n import t
from civmap.progress.figures import default_marks
from civmap.progress.text import number, per_day, race_message
from civmap.vocab import Vocabulary

__all__ = ["context", "date_text", "period_text", "number_text", "PLACEHOLDERS", "IMAGE_PLACEHOLDERS"]

#: The pictures, filled by ``document`` (they need the template to be made into images).
IMAGE_PLACEHOLDERS = ("chart_trend", "chart_burndown", "map")
#: Every top-level placeholder a template may use.
PLACEHOLDERS = ("office", "number", "issued", "title", "scope", "period", "previous_period", "recipients",
                "opening", "summary", "headline", "rank_rule", "ranks", "race", "overdue_summary",
                "overdue_units", "overdue", "circles_summary", "circles", "requirements", "cc",
                "captions", "figures", *IMAGE_PLACEHOLDERS)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_HEADLINE = (("found", "count"), ("closed", "count"), ("on_time", "count"), ("on_time_rate", "rate"),
             ("closing_rate", "rate"), ("backlog", "count"), ("overdue", "count"), ("reopened", "count"),
             ("rework_rate", "rate"))


def date_text(day: dt.date, lang: str) -> str:
    """``2026年11月29日`` / ``29 November 2026``: a date as a document writes it."""
    month = day.month if lang == "zh" else _MONTHS[day.month - 1]
    return t("bulletin.date", lang, year=day.year, month=month, day=day.day)


def period_text(start: dt.date, end: dt.date, lang: str) -> str:
    """``2026年11月16日至11月29日``: the second year left out when it is the same, as offices write."""
    last = date_text(end, lang)
    if lang == "zh" and start.year == end.year:
        last = last.removeprefix(f"{end.year}年")
    return t("bulletin.period", lang, start=date_text(start, lang), end=last)


def number_text(end: dt.date, lang: str) -> str:
    """The default issue number: the fortnight of the year the period ends in."""
    return t("bulletin.number", lang, year=end.year, n=(end.timetuple().tm_yday - 1) // 14 + 1)


def _count(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def _change(now, before, kind: str, lang: str) -> str:
    """Counts as ``+12`` / ``-5``; rates in percentage points to one decimal."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return "—"
    if kind == "count":
        return f"{int(now) - int(before):+,}"
    points = round((now - before) * 100, 1)
    sign = "+" if points > 0 else ("-" if points < 0 else "")
    return t("bulletin.change.points", lang, sign=sign, value=f"{abs(points):.1f}")


def _points(now, before) -> str:
    """A rate's change in percentage points, signed, one decimal (a table's 变化 column)."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return "—"
    return f"{round((now - before) * 100, 1):+.1f}"


def _value(value, kind: str) -> str:
    return _count(value) if kind == "count" else format_rate(value)


def _rank_rows(table: pd.DataFrame, lang: str) -> list[dict]:
    marks = {"red": t("progress.mark.red", lang), "black": t("progress.mark.black", lang)}
    return [{"rank": "—" if pd.isna(row.rank) else str(int(row.rank)), "name": str(row.name),
             "rate": format_rate(row.on_time_rate), "previous": format_rate(row.previous_rate),
             "change": _change(row.on_time_rate, row.previous_rate, "rate", lang),
             "points": _points(row.on_time_rate, row.previous_rate),
             "closed": _count(row.closed), "on_time": _count(row.on_time), "overdue": _count(row.overdue),
             "mark": marks.get(row.mark, ""), "code": str(row.code)}
            for row in table.itertuples(index=False)]


def _ranks(data: BulletinData, lang: str, numbers) -> dict:
    comma = "、" if lang == "zh" else ", "
    # Every level is a key, empty when not ranked, so a template may test ``ranks.district``.
    out = {level: {} for level in ("district", "street", "unit")}
    for level, table in data.rankings.items():
        marked_only = level != "district"  # streets and units are many: their lists, not the whole table
        rows = _rank_rows(table, lang)
        names = {m: comma.join(table.loc[table["mark"] == m, "name"].astype(str)) or t("bulletin.lists.none", lang)
                 for m in ("red", "black")}
        out[level] = {"level": t(f"bulletin.level.{level}", lang), "rows": rows,
                      "marked": [r for r, m in zip(rows, table["mark"]) if m is not None],
                      "names": t("bulletin.lists.names", lang, red=names["red"], black=names["black"]),
                      "ranked": int(table["rank"].notna().sum()),
                      "k": default_marks(int(table["rank"].notna().sum())),
                      "caption": t("bulletin.list.marked_caption" if marked_only else "bulletin.list.caption", lang,
                                   n=next(numbers), level=t(f"bulletin.level.{level}", lang))}
    return out


def _race(race: dict, lang: str) -> dict:
    return {"text": race_message(race, lang),
            "figures": t("bulletin.race.figures", lang, assessment=race["assessment_date"].isoformat(),
                         days_left=race["days_left"], backlog=_count(race["backlog"]),
                         window=race["window_days"], closing_pace=per_day(race["closing_pace"], lang),
                         inflow_pace=per_day(race["inflow_pace"], lang), needed_pace=per_day(race["needed_pace"], lang)),
            "backlog": _count(race["backlog"]), "days_left": str(race["days_left"]),
            "closing_pace": number(race["closing_pace"]), "needed_pace": number(race["needed_pace"]),
            "inflow_pace": number(race["inflow_pace"]), "net_pace": number(race["net_pace"]),
            "enough": bool(race["enough"])}


def _chiefs(names: pd.Series, lang: str, shown: int = 3) -> str:
    """The first few point chiefs of a unit's overdue problems, then how many in all."""
    chiefs = list(dict.fromkeys(names.dropna().astype(str)))
    text = ("、" if lang == "zh" else ", ").join(chiefs[:shown])
    return text + t("bulletin.chiefs_more", lang, n=len(chiefs)) if len(chiefs) > shown else text or "—"


def _overdue(data: BulletinData, lang: str) -> tuple[str, list[dict], list[dict]]:
    late = data.overdue
    if not len(late):
        return t("bulletin.overdue.none", lang), [], []
    unit = late["unit_name"].fillna(late["unit_code"]).fillna("—").astype(str)
    grouped = late.assign(unit=unit).groupby("unit", sort=False)
    units = [{"seq": str(i), "unit": name, "count": _count(len(rows)), "longest": _count(rows["days"].max()),
              "chiefs": _chiefs(rows["chief_name"], lang)}
             for i, (name, rows) in enumerate(grouped, start=1)]
    rows = [{"seq": str(i), "unit": u, "id": str(r.id), "description": str(r.description or ""),
             "chief": str(r.chief_name or "—"), "deadline": r.deadline.isoformat(), "days": _count(r.days)}
            for i, (u, r) in enumerate(zip(unit, late.itertuples(index=False)), start=1)]
    summary = t("bulletin.overdue.summary", lang, count=_count(len(late)), units=len(units),
                longest=_count(late["days"].max()))
    return summary, units, rows


def _circles(data: BulletinData, vocab: Vocabulary, districts: dict[str, str], lang: str) -> list[dict]:
    kinds = vocab.labels("centre_kinds", lang)
    return [{"seq": str(i), "name": str(r.name), "kind": kinds.get(r.kind, r.kind),
             "district": districts.get(r.district_code, r.district_code or "—"),
             "chief": str(r.chief_name or "—"), "reason": reason_text(r.reasons, lang)}
            for i, r in enumerate(data.circles.itertuples(index=False), start=1)]


def context(data: BulletinData, vocab: Vocabulary, districts: dict[str, str], lang: str = "zh",
            issued: dt.date | None = None, number_: str | None = None, rule_text: str = "") -> dict:
    """The values for a template: every key of :data:`PLACEHOLDERS` but the images.

    ``districts`` names districts (code → name in ``lang``); ``issued`` is the date of
    issue (default: the day after the period); ``number_`` the issue number (default:
    :func:`number_text`); ``rule_text`` the circle rule in words.
    """
    issued = issued or data.end + dt.timedelta(days=1)
    scope = data.area_name or t("bulletin.scope.city", lang)
    period = period_text(data.start, data.end, lang)
    now, before = data.now, data.before
    summary = t("bulletin.summary", lang, end=date_text(data.end, lang), scope=scope, total=_count(now["total"]),
                closed_total=_count(now["total"] - now["backlog"]), closing_rate=format_rate(now["closing_rate"]),
                found=_count(now["found"]), closed=_count(now["closed"]), on_time=_count(now["on_time"]),
                on_time_rate=format_rate(now["on_time_rate"]),
                previous_on_time_rate=format_rate(before["on_time_rate"]), overdue=_count(now["overdue"]))
    headline = [{"label": t(f"bulletin.row.{key}", lang), "now": _value(now[key], kind),
                 "before": _value(before[key], kind), "change": _change(now[key], before[key], kind, lang)}
                for key, kind in _HEADLINE]
    numbers = iter(range(2, 100))  # table 1 is the headline figures
    ranks = _ranks(data, lang, numbers)
    overdue_summary, overdue_units, overdue = _overdue(data, lang)
    captions = {"overdue_units": t("bulletin.overdue.caption", lang, n=next(numbers)) if overdue else "",
                "overdue": t("bulletin.overdue.detail_caption", lang, n=next(numbers)) if overdue else ""}
    circles = _circles(data, vocab, districts, lang)
    captions["circles"] = t("bulletin.circles.caption", lang, n=next(numbers)) if circles else ""
    level = t(f"bulletin.map.level.{data.map_level}", lang)
    captions.update(headline=t("bulletin.headline.caption", lang), trend=t("bulletin.chart.trend_caption", lang),
                    burndown=t("bulletin.chart.burndown_caption", lang),
                    map=t("bulletin.map.caption", lang, level=level))
    office = t("bulletin.office", lang)
    return {
        "office": office, "number": number_ or number_text(data.end, lang), "issued": date_text(issued, lang),
        "title": t("bulletin.title", lang, scope=scope, period=period), "scope": scope, "period": period,
        "previous_period": period_text(*data.previous, lang),
        "recipients": t("bulletin.recipients", lang), "opening": t("bulletin.opening", lang, period=period, scope=scope),
        "summary": summary, "headline": headline,
        "rank_rule": t("bulletin.rank_rule", lang, prev_start=data.previous[0].isoformat(),
                       prev_end=data.previous[1].isoformat()),
        "ranks": ranks, "race": _race(data.race, lang),
        "overdue_summary": overdue_summary, "overdue_units": overdue_units, "overdue": overdue,
        "circles_summary": t("bulletin.circles.summary", lang, scope=scope, total=data.circle_count,
                             failing=len(circles), rule=rule_text, issued=date_text(issued, lang)),
        "circles": circles, "requirements": t("bulletin.requirements", lang), "cc": t("bulletin.cc", lang),
        "captions": captions, "figures": {k: v for k, v in now.items() if k not in ("start", "end")},
    }
