"""The Progress page's sentences: definitions, the race's verdict, values with their units.

Words come from ``data/i18n/progress.csv``; these functions only choose and fill them,
so the page, the overview and the wall say the same thing the same way.
"""

from __future__ import annotations

from civmap.i18n import t

__all__ = ["definitions", "race_message", "per_day", "days", "number"]

_DEFINITIONS = ("found", "closed", "backlog", "overdue", "on_time", "on_time_rate", "closing_rate",
                "rework_rate", "rebound", "days", "pace")


def definitions(lang: str) -> str:
    """Every figure's definition, as a Markdown list."""
    return "\n".join(f"- {t('progress.def.' + key, lang)}" for key in _DEFINITIONS)


def number(value: float | None, decimals: int = 1) -> str:
    """A figure to ``decimals`` places; ``—`` when there is none."""
    return "—" if value is None else f"{value:,.{decimals}f}"


def per_day(value: float | None, lang: str) -> str:
    """A pace: ``53.6 件/天``; ``—`` when there is none."""
    return "—" if value is None else t("progress.race.per_day", lang, value=f"{value:.1f}")


def days(value: float | None, lang: str) -> str:
    """A number of days, whole when it is whole: ``6 天``, ``6.5 天``; ``—`` when none."""
    if value is None:
        return "—"
    return t("progress.days_value", lang, days=f"{value:.1f}".removesuffix(".0"))


def race_message(race: dict, lang: str) -> str:
    """Say plainly whether the current pace brings the backlog to the target in time."""
    target, assessment = race["target"], race["assessment_date"].isoformat()
    if race["days_left"] <= 0:
        return t("progress.race.passed", lang, assessment=assessment, backlog=f"{race['backlog']:,}", target=target)
    pace = per_day(race["closing_pace"], lang)
    if race["enough"] and race["backlog"] <= target:
        # Already within the target: say whether it holds, not when it "falls" to it.
        if race["net_pace"] < 0:
            projected = race["backlog"] - race["net_pace"] * race["days_left"]
            return t("progress.race.within_rising", lang, backlog=f"{race['backlog']:,}", target=target, pace=pace,
                     inflow=per_day(race["inflow_pace"], lang), rise=per_day(-race["net_pace"], lang),
                     assessment=assessment, projected=f"{int(projected):,}")
        return t("progress.race.within", lang, backlog=f"{race['backlog']:,}", target=target, pace=pace,
                 net=per_day(race["net_pace"], lang), assessment=assessment)
    if race["enough"]:
        return t("progress.race.enough", lang, pace=pace, net=per_day(race["net_pace"], lang),
                 date=race["target_date"].isoformat(), target=target, assessment=assessment)
    if race["backlog"] <= target:
        return t("progress.race.will_exceed", lang, backlog=f"{race['backlog']:,}", target=target, pace=pace,
                 inflow=per_day(race["inflow_pace"], lang), assessment=assessment,
                 needed=per_day(race["needed_pace"], lang))
    if race["target_date"] is not None:
        projection = t("progress.race.projection", lang, date=race["target_date"].isoformat(), target=target)
    else:
        projection = t("progress.race.growing", lang)
    return t("progress.race.not_enough", lang, pace=pace, assessment=assessment, backlog=f"{race['backlog']:,}",
             target=target, needed=per_day(race["needed_pace"], lang),
             gap=per_day(race["needed_pace"] - race["closing_pace"], lang), projection=projection)
