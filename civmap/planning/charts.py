"""Plotly figures for the Planning page (pure: a frame and a language in, a figure out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from civmap.i18n import t

__all__ = ["trend_chart"]

_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"


def trend_chart(frame: pd.DataFrame, threshold: float, title: str, lang: str) -> go.Figure:
    """Mean score rate and share up to standard per round (:func:`civmap.planning.trends.trend`),
    with the office's threshold (``CIVMAP_STANDARD_SCORE``) drawn as a dashed line."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=frame["round"], y=frame["score_rate"], mode="lines+markers",
                             name=t("planning.trend.score_rate", lang), line_color="#2563eb"))
    fig.add_trace(go.Scatter(x=frame["round"], y=frame["standard_share"], mode="lines+markers",
                             name=t("planning.trend.standard_share", lang), line_color="#16a34a"))
    fig.add_hline(y=threshold, line_dash="dash", line_color="#c8102e",
                  annotation_text=t("planning.trend.threshold", lang, value=f"{threshold:.0%}"),
                  annotation_position="bottom right")
    fig.update_layout(title=title, font_family=_FONT, hovermode="x unified", legend_orientation="h", legend_y=-0.2,
                      margin=dict(l=10, r=10, t=50, b=10), height=340)
    fig.update_xaxes(title_text=t("planning.trend.round", lang), type="category")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig
