"""The bulletin's pictures as PNG bytes: found vs closed, the backlog burn-down, the map.

Drawn with matplotlib (Agg), not by exporting the pages' plotly figures through kaleido:
kaleido drives a headless Chromium per export, which is seconds each and one more thing
to go wrong on an intranet server; matplotlib needs nothing outside the process. The
numbers are the same frames the pages chart (``timeline_daily``, ``charts.burndown_lines``)
and the map's colours are the wall's (``wallmap.rate_color``), so a reader who knows the
dashboard recognises them. Labels use Noto Sans CJK (Debian's ``fonts-noto-cjk``),
found through matplotlib's font manager; without it, Chinese would print as boxes, so
its absence is said in a warning, not hidden.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from civmap.i18n import t  # noqa: E402
from civmap.wall.map import NO_DATA_COLOR, rate_color, rate_domain  # noqa: E402

__all__ = ["trend_png", "burndown_png", "map_png", "cjk_font", "DPI"]

#: Dots per inch: sharp when printed at the page's 15 cm width.
DPI = 160
_FOUND, _CLOSED, _BACKLOG, _PROJECTION, _NEEDED = "#2563eb", "#16a34a", "#1e3a8a", "#f97316", "#16a34a"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed Noto Sans CJK (Simplified Chinese preferred)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for wanted in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei"):
        if wanted in names:
            return wanted
    warnings.warn("no CJK font found (install fonts-noto-cjk): Chinese labels in the bulletin's images "
                  "will not show", stacklevel=2)
    return None


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _style(font: str | None):
    return {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "font.size": 10,
            "axes.unicode_minus": False}


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _dates(ax) -> None:
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def trend_png(daily: pd.DataFrame, start, lang: str) -> bytes:
    """Found and closed per day (``daily``: ``timeline_daily`` over both periods), the
    current period (from ``start``) shaded so the comparison reads at a glance."""
    with plt.rc_context(_style(cjk_font())):
        fig = _figure(6.4, 3.0)
        ax = fig.add_subplot()
        x = daily.index
        width = pd.Timedelta(hours=9)
        ax.bar(x - width / 2, daily["found"], width=width, color=_FOUND, label=t("progress.found", lang))
        ax.bar(x + width / 2, daily["closed"], width=width, color=_CLOSED, label=t("progress.closed", lang))
        ax.axvspan(pd.Timestamp(start) - pd.Timedelta(hours=12), x.max() + pd.Timedelta(hours=12),
                   color="#fde68a", alpha=0.35, zorder=0, label=t("bulletin.chart.this_period", lang))
        ax.set_title(t("bulletin.chart.trend", lang))
        ax.set_ylabel(t("progress.axis.count", lang))
        _dates(ax)
        ax.legend(loc="upper left", ncols=3, frameon=False, fontsize=9)
        return _png(fig)


def burndown_png(lines: pd.DataFrame, race: dict, lang: str) -> bytes:
    """The backlog so far, the projection at the current net pace and the pace needed,
    up to the assessment date: ``charts.burndown_lines`` drawn as the Progress page does."""
    styles = {"backlog": dict(color=_BACKLOG, linewidth=2.2),
              "projection": dict(color=_PROJECTION, linewidth=1.6, linestyle="--"),
              "needed": dict(color=_NEEDED, linewidth=1.6, linestyle=":")}
    with plt.rc_context(_style(cjk_font())):
        fig = _figure(6.4, 3.0)
        ax = fig.add_subplot()
        for column in lines.columns:
            ax.plot(lines.index, lines[column], label=t(f"progress.line.{column}", lang), **styles[column])
        assessment = pd.Timestamp(race["assessment_date"])
        ax.axvline(assessment, color="#111827", linewidth=1, linestyle="-.", label=t("progress.line.assessment", lang))
        ax.set_ylim(bottom=0)
        ax.set_title(t("progress.chart.burndown", lang))
        ax.set_ylabel(t("progress.axis.count", lang))
        _dates(ax)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.legend(loc="lower left", ncols=2, frameon=False, fontsize=9)
        return _png(fig)


def map_png(areas, lang: str) -> bytes:
    """Areas (a GeoDataFrame in WGS-84 with ``name`` and ``rate``) shaded by their rate on
    the wall's red-to-green scale, each labelled with its name and rate.

    Drawn in the city's UTM zone, so shapes are not stretched as plain degrees would be.
    """
    with plt.rc_context(_style(cjk_font())):
        fig = _figure(6.4, 4.6)
        ax = fig.add_subplot()
        ax.set_axis_off()
        if len(areas):
            metric = areas.to_crs(areas.estimate_utm_crs())
            domain = rate_domain(metric["rate"])
            colors = [rate_color(r, domain) for r in metric["rate"]]
            metric.plot(ax=ax, color=colors, edgecolor="white", linewidth=1.2)
            for row, point in zip(metric.itertuples(), metric.representative_point()):
                rate = "—" if pd.isna(row.rate) else f"{row.rate * 100:.1f}%"
                ax.annotate(f"{row.name}\n{rate}", (point.x, point.y), ha="center", va="center", fontsize=9,
                            color="#111827", bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.7))
            handles = [Patch(color=rate_color(domain[0], domain), label=f"{domain[0] * 100:.1f}%"),
                       Patch(color=rate_color(domain[1], domain), label=f"{domain[1] * 100:.1f}%"),
                       Patch(color=NO_DATA_COLOR, label=t("bulletin.map.no_data", lang))]
            ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8,
                      title=t("progress.on_time_rate", lang), title_fontsize=8)
        ax.set_title(t("bulletin.map.title", lang))
        return _png(fig)
