"""Plotly figure builders for the progress figures, and the data behind each as a table.

Each builder takes the frames of :mod:`civmap.progress.figures` and a language, and returns a
``plotly.graph_objects.Figure`` with labelled axes and hover values; ``*_data`` gives the
same numbers as a table with headers in that language, for the chart's CSV download.
Colours of flows follow the status vocabulary (found, closed, reopened), so an office's
palette carries over from the map.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from civmap.i18n import t
from civmap.vocab import Vocabulary

__all__ = ["flows_chart", "levels_chart", "rates_chart", "burndown_chart", "ranking_chart", "series_data",
           "burndown_lines", "ranking_data", "ranking_style", "csv_bytes", "FLOW_COLUMNS", "LEVEL_COLUMNS", "RATE_COLUMNS"]

FLOW_COLUMNS = ("found", "closed", "reopened")
LEVEL_COLUMNS = ("backlog", "overdue")
RATE_COLUMNS = ("closing_rate", "on_time_rate", "rework_rate")
_COLORS = {"backlog": "#2563eb", "overdue": "#b91c1c", "closing_rate": "#16a34a", "on_time_rate": "#c8102e",
           "rework_rate": "#7c3aed", "projection": "#f97316", "needed": "#16a34a", "assessment": "#111827"}
_MARK_COLORS = {"red": "#c8102e", "black": "#111827", None: "#94a3b8"}
_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, percent: bool = False) -> go.Figure:
    fig.update_layout(title=title, hovermode="x unified", font_family=_FONT, legend_orientation="h",
                      legend_y=-0.18, margin=dict(l=10, r=10, t=50, b=10), height=360)
    fig.update_xaxes(title_text=x_title, tickformat="%m-%d", hoverformat="%Y-%m-%d")
    fig.update_yaxes(title_text=y_title, rangemode="tozero", tickformat=".0%" if percent else ",d")
    return fig


def _x_title(frame: pd.DataFrame, lang: str) -> str:
    return t("progress.axis.week" if frame.index.name == "week" else "progress.axis.date", lang)


def flows_chart(frame: pd.DataFrame, vocab: Vocabulary, lang: str) -> go.Figure:
    """Found, closed and reopened per day or per week (``frame`` from daily/weekly_figures)."""
    colors = vocab.colors("statuses")
    fig = go.Figure([go.Bar(x=frame.index, y=frame[col], name=t(f"progress.{col}", lang),
                            marker_color=colors.get(col), hovertemplate="%{y:,}")
                     for col in FLOW_COLUMNS])
    fig.update_layout(barmode="group", bargap=0.15)
    return _layout(fig, t("progress.chart.flows", lang), _x_title(frame, lang), t("progress.axis.count", lang))


def levels_chart(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Backlog and overdue at the end of each day (or each week's last day)."""
    fig = go.Figure([go.Scatter(x=frame.index, y=frame[col], name=t(f"progress.{col}", lang), mode="lines",
                                line=dict(color=_COLORS[col], width=2), hovertemplate="%{y:,}")
                     for col in LEVEL_COLUMNS])
    return _layout(fig, t("progress.chart.levels", lang), _x_title(frame, lang), t("progress.axis.count", lang))


def rates_chart(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Closing, on-time and rework rates of each day or week; gaps where a rate is undefined."""
    fig = go.Figure([go.Scatter(x=frame.index, y=frame[col], name=t(f"progress.{col}", lang),
                                mode="lines+markers", line=dict(color=_COLORS[col], width=2),
                                hovertemplate="%{y:.1%}")
                     for col in RATE_COLUMNS])
    fig = _layout(fig, t("progress.chart.rates", lang), _x_title(frame, lang), t("progress.axis.rate", lang),
                  percent=True)
    fig.update_yaxes(range=[0, 1.05])
    return fig


def burndown_lines(history: pd.DataFrame, race: dict) -> pd.DataFrame:
    """The burn-down's lines by date: ``backlog`` (history), ``projection`` (at the net pace,
    from ``as_of`` to the assessment date, floored at 0) and ``needed`` (straight from the
    backlog now to the target on the assessment date)."""
    as_of, assessment = race["as_of"], race["assessment_date"]
    lines = pd.DataFrame({"backlog": history["backlog"].astype(float)})
    if race["days_left"] > 0:
        future = pd.date_range(as_of, assessment, freq="D")
        days = (future - pd.Timestamp(as_of)).days.to_numpy()
        ahead = pd.DataFrame({
            "projection": (race["backlog"] - race["net_pace"] * days).clip(min=0),
            "needed": race["backlog"] - (race["backlog"] - race["target"]) * days / race["days_left"],
        }, index=future)
        lines = lines.join(ahead, how="outer")
    lines.index.name = "date"
    return lines


def burndown_chart(lines: pd.DataFrame, race: dict, lang: str) -> go.Figure:
    """The backlog so far, where the current pace takes it, and what reaching the target
    takes: the ``burndown_lines`` of ``race``, drawn."""
    styles = {"backlog": dict(color=_COLORS["backlog"], width=3),
              "projection": dict(color=_COLORS["projection"], width=2, dash="dash"),
              "needed": dict(color=_COLORS["needed"], width=2, dash="dot")}
    fig = go.Figure([go.Scatter(x=lines.index, y=lines[col], name=t(f"progress.line.{col}", lang), mode="lines",
                                line=styles[col], hovertemplate="%{y:,.0f}", connectgaps=False)
                     for col in lines.columns])
    top = float(lines.max().max()) if len(lines) else 0.0
    assessment = pd.Timestamp(race["assessment_date"])
    fig.add_trace(go.Scatter(x=[assessment, assessment], y=[0, top * 1.05], mode="lines",
                             name=t("progress.line.assessment", lang), hoverinfo="skip",
                             line=dict(color=_COLORS["assessment"], width=1.5, dash="longdash")))
    if race["target"] > 0:
        fig.add_trace(go.Scatter(x=[lines.index.min(), lines.index.max()], y=[race["target"]] * 2, mode="lines",
                                 name=t("progress.line.target", lang), hoverinfo="skip",
                                 line=dict(color=_COLORS["needed"], width=1)))
    return _layout(fig, t("progress.chart.burndown", lang), t("progress.axis.date", lang),
                   t("progress.axis.count", lang))


def ranking_chart(table: pd.DataFrame, lang: str) -> go.Figure:
    """Horizontal bars of the on-time rate in rank order, red and black list coloured."""
    shown = table[table["on_time_rate"].notna()]
    fig = go.Figure(go.Bar(
        # plotly renders a subset of HTML in labels (<a href>, <b>): a unit's name is text
        y=shown["name"].astype(str).map(html.escape), x=shown["on_time_rate"], orientation="h",
        marker_color=[_MARK_COLORS.get(m, _MARK_COLORS[None]) for m in shown["mark"]],
        text=[f"{v:.1%}" for v in shown["on_time_rate"]], textposition="outside",
        customdata=shown[["closed", "overdue"]].to_numpy(),
        hovertemplate=("%{y}: %{x:.1%}<br>" + t("progress.closed", lang) + " %{customdata[0]:,}<br>"
                       + t("progress.overdue", lang) + " %{customdata[1]:,}<extra></extra>")))
    fig = _layout(fig, t("progress.chart.ranking", lang), t("progress.on_time_rate", lang), "", percent=True)
    fig.update_layout(hovermode="closest", height=max(260, 26 * len(shown) + 90), showlegend=False)
    fig.update_yaxes(autorange="reversed", tickformat=None, rangemode=None)
    fig.update_xaxes(tickformat=".0%", range=[0, 1.12], hoverformat=None)
    return fig


def series_data(frame: pd.DataFrame, columns, lang: str, titles: dict[str, str] | None = None) -> pd.DataFrame:
    """``columns`` of a dated frame as a table with headers in ``lang``, dates as YYYY-MM-DD."""
    titles = titles or {}
    out = frame[list(columns)].copy()
    out.index = [d.date().isoformat() if isinstance(d, (pd.Timestamp, dt.datetime)) else str(d)
                 for d in out.index]
    out.index.name = _x_title(frame, lang)
    out = out.rename(columns={c: titles.get(c, t(f"progress.{c}", lang)) for c in columns})
    return out.reset_index()


def ranking_data(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The red and black list with headers and marks in ``lang``; rates in per cent and
    the change in percentage points, one decimal, as offices print them."""
    out = table.copy()
    out["mark"] = out["mark"].map({"red": t("progress.mark.red", lang), "black": t("progress.mark.black", lang)})
    out["mark"] = out["mark"].fillna("")
    for column in ("on_time_rate", "previous_rate", "change"):
        out[column] = (out[column] * 100).round(1)
    titles = {"rank": "progress.col.rank", "code": "progress.col.code", "name": "progress.col.name",
              "on_time_rate": "progress.col.on_time_rate", "previous_rate": "progress.col.previous_rate",
              "change": "progress.col.change", "closed": "progress.closed", "on_time": "progress.on_time",
              "overdue": "progress.overdue", "mark": "progress.col.mark"}
    return out[list(titles)].rename(columns={k: t(v, lang) for k, v in titles.items()})


def ranking_style(shown: pd.DataFrame, lang: str):
    """A pandas Styler tinting the red-list rows red and the black-list rows grey."""
    mark = t("progress.col.mark", lang)
    tints = {t("progress.mark.red", lang): "background-color: #fde8ea",
             t("progress.mark.black", lang): "background-color: #d1d5db"}
    number = {t(key, lang): "{:.1f}" for key in ("progress.col.on_time_rate", "progress.col.previous_rate",
                                                  "progress.col.change")}
    return (shown.style.apply(lambda row: [tints.get(row[mark], "")] * len(row), axis=1)
            .format(number, na_rep="—"))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark, so that Excel on Windows opens the Chinese correctly,
    and no text cell a spreadsheet would run as a formula (``civmap.safecells``)."""
    from civmap.safecells import csv_text

    return csv_text(frame).encode("utf-8-sig")
