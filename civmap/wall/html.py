"""The wall's panels as HTML: header, verdict, figure tiles, red and black lists, trend chart.

The panels are plain HTML shown with ``st.html`` (sanitised, no scripts; the clock alone carries one), sized in
viewport units through the ``--u`` CSS variable of ``static/civmap/wall.css`` so that
one layout fills 1920×1080 and 3840×2160 alike. The trend is an inline SVG whose text
scales with it. Every figure carries ``data-figure``/``data-value`` so the browser tests
can read what is shown and compare it with the store.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from typing import Mapping, Sequence

import pandas as pd

from civmap.config import ROOT
from civmap.figures import format_rate
from civmap.i18n import t
from civmap.progress.behind import MEASURES, Verdict
from civmap.wall.figures import WallFigures

__all__ = ["page_css", "header_html", "clock_html", "figures_html", "ranking_html", "trend_svg",
           "trend_html", "notice_html", "pace_html", "rule_text", "verdict_text", "verdict_html", "WALL_CSS",
           "MAP_TITLE"]

WALL_CSS = ROOT / "static" / "civmap" / "wall.css"
#: The map iframe's title: the wall's CSS sizes the frame by it.
MAP_TITLE = "civmap-wall-map"

_FOUND_COLOR = "#f59e0b"
_CLOSED_COLOR = "#22c55e"


def page_css() -> str:
    """The wall page's stylesheet (dark theme, no Streamlit chrome), as a <style> block."""
    return f"<style>{WALL_CSS.read_text(encoding='utf-8')}</style>"


def _e(text: object) -> str:
    return html.escape(str(text))


def header_html(view_label: str, views: Sequence[str], active: int | None, refreshed_at: dt.datetime | None,
                stale: bool, lang: str) -> str:
    """Title, the view shown, the carousel's views (``active`` marked) and the refresh time."""
    steps = "".join(f'<span class="wall-step{" wall-step-on" if i == active else ""}">{_e(v)}</span>'
                    for i, v in enumerate(views))
    refreshed = t("wall.refreshed", lang, time=refreshed_at.strftime("%H:%M:%S")) if refreshed_at else ""
    marker = (f'<span class="wall-stale" data-wall-stale="1">{_e(t("wall.stale", lang))}</span>' if stale else "")
    return f"""
    <div class="wall-header">
      <div class="wall-title">{_e(t("wall.title", lang))}<span class="wall-view" data-view="{_e(view_label)}">{_e(view_label)}</span></div>
      <div class="wall-steps">{steps}</div>
      <div class="wall-refresh"><span data-refreshed="1">{_e(refreshed)}</span>{marker}</div>
    </div>"""


def clock_html(now: dt.datetime, lang: str, zone: str) -> str:
    """The wall clock: time, date and weekday on the city's clock (``civmap.clock``).

    The server writes the time once; the script in the page then ticks it every second in
    the city's zone ``zone`` (an IANA name, whatever zone the screen is set to), so an open
    wall costs the server nothing between data refreshes. Shown with
    ``st.html(unsafe_allow_javascript=True)``; one timer per page, however often it is redrawn.
    """
    weekday = t(f"wall.weekday.{now.weekday()}", lang)
    weekdays = [t(f"wall.weekday.{i}", lang) for i in range(7)]
    script = _CLOCK_JS.replace("__ZONE__", json.dumps(zone)).replace("__DAYS__", json.dumps(weekdays, ensure_ascii=False))
    return f"""<div class="wall-clock" data-clock-zone="{_e(zone)}"><b data-clock="1">{now:%H:%M:%S}</b>
      <span data-clock-date="1">{now:%Y-%m-%d} {_e(weekday)}</span></div><script>{script}</script>"""


#: Ticks every ``[data-clock]`` of the page in the city's zone (Monday first, as Python's weekday()).
_CLOCK_JS = """(function () {
  var zone = __ZONE__, days = __DAYS__;
  var parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric",
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short" });
  var order = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
  function tick() {
    var p = {};
    parts.formatToParts(new Date()).forEach(function (x) { p[x.type] = x.value; });
    var time = p.hour + ":" + p.minute + ":" + p.second;
    var date = p.year + "-" + p.month + "-" + p.day + " " + days[order[p.weekday]];
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = time; });
    document.querySelectorAll("[data-clock-date]").forEach(function (el) { el.textContent = date; });
  }
  if (window.civmapClockTimer) clearInterval(window.civmapClockTimer);
  window.civmapClockTimer = setInterval(tick, 1000);
  tick();
})();"""


def figures_html(figures: WallFigures, lang: str) -> str:
    """The seven headline tiles, in numbers readable from across the room (the pace line
    under them is :func:`pace_html`, in the verdict bar)."""
    circles_key = "wall.fig.circles" if figures.circles_up is None else "wall.fig.circles_up"
    circles_value = (f"{figures.circles:,}" if figures.circles_up is None
                     else f'{figures.circles_up:,}<small>/{figures.circles:,}</small>')
    tiles = [
        ("points", "wall.fig.points", f"{figures.points:,}", figures.points, ""),
        ("circles", circles_key, circles_value, figures.values()["circles"], ""),
        ("open", "wall.fig.open", f"{figures.open:,}", figures.open, "wall-warn"),
        ("overdue", "wall.fig.overdue", f"{figures.overdue:,}", figures.overdue, "wall-alert"),
        ("closed_week", "wall.fig.closed_week", f"{figures.closed_week:,}", figures.closed_week, "wall-good"),
        ("closing_rate", "wall.fig.closing_rate", format_rate(figures.closing_rate),
         "" if figures.closing_rate is None else f"{figures.closing_rate:.6f}", ""),
        ("days_left", "wall.fig.days_left",
         f'{figures.days_left:,}<small>{_e(t("wall.unit.days", lang))}</small>', figures.days_left, "wall-count"),
    ]
    cells = "".join(
        f'<div class="wall-kpi {css}" data-figure="{code}" data-value="{_e(raw)}">'
        f'<div class="wall-kpi-label">{_e(t(key, lang))}</div><div class="wall-kpi-value">{shown}</div></div>'
        for code, key, shown, raw, css in tiles)
    note = t("wall.fig.assessment", lang, date=figures.assessment_date.isoformat())
    return f'<div class="wall-kpis" title="{_e(note)}">{cells}</div>'


def _share_cell(value, extra: str = "") -> str:
    return f'<span class="wall-num{extra}">{format_rate(value)}</span>'


def ranking_html(standing: pd.DataFrame, lang: str, highlight: str | None = None, days: int = 14) -> str:
    """The districts ranked by the wall's score, red-list rows in red and black-list rows dark.

    ``standing`` is :func:`civmap.progress.behind.standing` (code, name, score, rank, mark
    and the four shares): the same order the verdict and the map's shading read. A district
    with no score yet (a new office store) has no rank and is listed last with a dash.
    """
    rows = []
    for row in standing.sort_values("rank", na_position="last").itertuples():
        mark = row.mark if row.mark in ("red", "black") else ""
        badge = f'<i class="wall-badge wall-badge-{mark}">{_e(t("wall.list." + mark, lang))}</i>' if mark else ""
        classes = " ".join(c for c in ("wall-rank-row", f"wall-row-{mark}" if mark else "",
                                       "wall-row-focus" if row.code == highlight else "") if c)
        score = "—" if pd.isna(row.score) else f"{row.score:.1f}"
        rows.append(
            f'<div class="{classes}" data-district="{_e(row.code)}" data-mark="{mark}" '
            f'data-score="{"" if pd.isna(row.score) else f"{row.score:.6f}"}">'
            f'<span class="wall-rank">{"—" if pd.isna(row.rank) else int(row.rank)}</span>'
            f'<span class="wall-name"><span class="wall-name-text">{_e(row.name)}</span>{badge}</span>'
            f'<span class="wall-num wall-score">{score}</span>'
            + _share_cell(row.on_time_rate, " wall-small") + _share_cell(row.overdue_share, " wall-small wall-alert")
            + _share_cell(row.closing_rate, " wall-small") + _share_cell(row.standard_rate, " wall-small")
            + "</div>")
    heads = "".join(f"<span>{_e(t(key, lang))}</span>" for key in (
        "wall.list.district", "wall.list.score", "wall.list.on_time", "wall.list.overdue_share",
        "wall.list.closing", "wall.list.standard"))
    head = f'<div class="wall-rank-row wall-rank-head"><span></span>{heads}</div>'
    title = t("wall.list.title", lang, days=days)
    return (f'<div class="wall-panel wall-lists"><div class="wall-panel-title">{_e(title)}</div>'
            f'<div class="wall-rank-table">{head}{"".join(rows)}</div></div>')


def rule_text(weights: Mapping[str, float], lang: str) -> str:
    """The ranking rule in one line: each measure with its share of the weight."""
    total = sum(weights.get(m, 0.0) for m in MEASURES)
    parts = [t("wall.rule.part", lang, measure=t(f"wall.rule.{m}", lang), weight=f"{weights[m] / total * 100:.0f}")
             for m in MEASURES if weights.get(m)]
    return t("wall.rule", lang, parts=" + ".join(parts))


def pace_html(race: dict | None, lang: str) -> str:
    """Is the closing pace enough to clear the backlog by the assessment date? One line."""
    if not race or race.get("needed_pace") is None:
        return ""
    pace = f"{race['closing_pace']:.0f}"
    if race["enough"]:
        text, css, code = t("wall.race.enough", lang, pace=pace), "wall-good", "enough"
    else:
        needed = f"{race['needed_pace']:.0f}"
        text, css, code = t("wall.race.short", lang, needed=needed, pace=pace), "wall-alert", "short"
    return (f'<span class="wall-pace {css}" data-race="{code}"><b>{_e(t("wall.race.label", lang))}</b>'
            f'{_e(text)}</span>')


def verdict_text(verdict: Verdict | None, names: Mapping[str, str], lang: str) -> str:
    """The wall's answer to "who is behind", as one sentence in the UI language."""
    if verdict is None:
        return t("wall.verdict.none", lang)
    who = t("wall.verdict.join", lang).join(names.get(code, code) for code in verdict.codes)
    text = t("wall.verdict", lang, names=who, score=f"{verdict.score:.1f}", city=f"{verdict.city_score:.1f}")
    if verdict.measure is not None:
        text += t("wall.verdict.weakest", lang, measure=t(f"wall.measure.{verdict.measure}", lang),
                  value=format_rate(verdict.value), city=format_rate(verdict.city_value))
    return text


def verdict_html(verdict: Verdict | None, names: Mapping[str, str], weights: Mapping[str, float],
                 race: dict | None, lang: str) -> str:
    """The verdict bar: who is behind (large), the pace line and the ranking rule."""
    codes = "" if verdict is None else ",".join(verdict.codes)
    return (f'<div class="wall-verdict" data-verdict="{_e(codes)}">'
            f'<div class="wall-verdict-main">{_e(verdict_text(verdict, names, lang))}</div>'
            f'<div class="wall-verdict-sub">{pace_html(race, lang)}'
            f'<span class="wall-rule" data-rule="1">{_e(rule_text(weights, lang))}</span></div></div>')


def trend_svg(daily: pd.DataFrame, lang: str, width: int = 660, height: int = 280) -> str:
    """Found versus closed per day as an inline SVG (``daily`` indexed by date).

    The SVG scales with its panel (text included), so no pixel sizes leak into the wall;
    it must stand alone (shown as an image), so its fonts are named in it.
    """
    left, right, top, bottom = 54, 14, 44, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    found = daily["found"].astype(float).tolist() if len(daily) else []
    closed = daily["closed"].astype(float).tolist() if len(daily) else []
    peak = max([*found, *closed, 1.0])
    step = _nice_step(peak / 3)
    top_value = step * max(1, -(-peak // step))
    n = max(len(found), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    def line(values: list[float]) -> str:
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))

    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">']
    value = 0.0
    while value <= top_value + 1e-9:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#334155" stroke-width="1"/>'
                     f'<text x="{left - 8}" y="{y(value) + 6:.1f}" text-anchor="end" font-size="17" '
                     f'fill="#94a3b8">{value:,.0f}</text>')
        value += step
    if closed:
        area = f"{x(0):.1f},{y(0):.1f} {line(closed)} {x(len(closed) - 1):.1f},{y(0):.1f}"
        parts.append(f'<polygon points="{area}" fill="{_CLOSED_COLOR}" fill-opacity="0.15"/>')
        parts.append(f'<polyline points="{line(closed)}" fill="none" stroke="{_CLOSED_COLOR}" stroke-width="3.5" '
                     f'stroke-linejoin="round"/>')
    if found:
        parts.append(f'<polyline points="{line(found)}" fill="none" stroke="{_FOUND_COLOR}" stroke-width="3.5" '
                     f'stroke-linejoin="round"/>')
    if len(daily):
        dates = [pd.Timestamp(d) for d in daily.index]
        for i in sorted({0, (n - 1) // 2, n - 1}):
            anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
            parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="17" '
                         f'fill="#94a3b8">{dates[i]:%m-%d}</text>')
    legend = ((_FOUND_COLOR, t("wall.trend.found", lang), sum(found)),
              (_CLOSED_COLOR, t("wall.trend.closed", lang), sum(closed)))
    offset = left
    for color, label, total in legend:
        parts.append(f'<rect x="{offset}" y="12" width="26" height="8" rx="2" fill="{color}"/>'
                     f'<text x="{offset + 34}" y="24" font-size="20" fill="#e2e8f0">{_e(label)} '
                     f'<tspan font-weight="700" fill="{color}">{total:,.0f}</tspan></text>')
        offset += 250
    parts.append("</svg>")
    return "".join(parts)


def trend_html(daily: pd.DataFrame, lang: str, days: int) -> str:
    """The trend panel. The SVG goes in as an image: ``st.html`` sanitises inline SVG away."""
    title = t("wall.trend.title", lang, days=days)
    data = base64.b64encode(trend_svg(daily, lang).encode("utf-8")).decode("ascii")
    summary = t("wall.trend.summary", lang, found=int(daily["found"].sum()), closed=int(daily["closed"].sum()))
    return (f'<div class="wall-panel wall-trend"><div class="wall-panel-title">{_e(title)}</div>'
            f'<img class="wall-trend-svg" alt="{_e(summary)}" src="data:image/svg+xml;base64,{data}"></div>')


def notice_html(message: str) -> str:
    """A calm full-width notice (no data yet, a bad URL): never a stack trace on the wall."""
    return f'<div class="wall-notice">{_e(message)}</div>'


def _nice_step(raw: float) -> float:
    """A round axis step (1, 2 or 5 × a power of ten) at least ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** len(str(int(raw))) / 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(max(factor * power, 1))
    return float(10 * power)
