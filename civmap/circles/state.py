"""The state of a key point-circle, 达标 or 未达标, by a rule an office can set.

A circle is walked by the assessors as one unit, so it fails as one unit: one overdue
problem anywhere in it, too many open problems, or too few of its points up to
standard. The thresholds are a :class:`CircleRule`; it parses from and prints to a short
text (``max_overdue=0,max_open=5,min_standard=0.8``) so an office can set it in
configuration (``CIVMAP_CIRCLE_RULE``) and the page and CLI can show and change it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from civmap.i18n import t

__all__ = ["CircleRule", "apply_rule", "MET", "NOT_MET", "REASONS"]

MET = "met"
NOT_MET = "not_met"
#: Why a circle is not met: too many overdue problems, too many open ones, too low a share
#: of its places up to standard (the codes of ``apply_rule``'s ``reasons``).
REASONS = ("overdue", "open", "standard")


@dataclass(frozen=True)
class CircleRule:
    """Thresholds a circle must all meet to count as 达标 (up to standard).

    Attributes
    ----------
    max_overdue : int
        Most overdue problems allowed (not yet reported fixed after their deadline).
    max_open : int
        Most open problems allowed (not yet closed, including reported-fixed ones).
    min_standard : float
        Least share (0-1) of the circle's rated places up to standard: its centre and
        member points by their latest inspection, and its back alleys by their state
        (an alley counts as up to standard when its state is one of ``alley_states``).
        Places never inspected are left out of the share; a circle with none passes.
    alley_states : tuple of str
        Alley state codes that count as up to standard (default: renovated, 已改造达标).
    """

    max_overdue: int = 0
    max_open: int = 5
    min_standard: float = 0.7
    alley_states: tuple[str, ...] = ("renovated",)

    def __post_init__(self) -> None:
        for name in ("max_overdue", "max_open"):
            value = getattr(self, name)
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"circle rule {name}={value}: expected a whole number")
            if int(value) < 0:
                raise ValueError(f"circle rule {name}={value}: must not be negative")
            object.__setattr__(self, name, int(value))
        share = float(self.min_standard)
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"circle rule min_standard={self.min_standard}: expected a share from 0 to 1")
        object.__setattr__(self, "min_standard", share)
        states = self.alley_states
        object.__setattr__(self, "alley_states", (states,) if isinstance(states, str) else tuple(states))

    @classmethod
    def parse(cls, text: str, source: str = "circle rule") -> "CircleRule":
        """Read ``key=value`` pairs separated by commas or semicolons; missing keys keep
        their defaults; ``alley_states`` takes codes separated by ``|``.

        Raises ValueError naming ``source`` and the bad part.
        """
        known = {f.name for f in fields(cls)}
        values: dict = {}
        for part in str(text or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = (p.strip() for p in part.partition("="))
            if not sep or key not in known:
                raise ValueError(f"{source}: cannot read {part!r}; expected key=value with key one of "
                                 f"{', '.join(sorted(known))}")
            try:
                if key == "alley_states":
                    values[key] = tuple(s.strip() for s in value.split("|") if s.strip())
                elif key == "min_standard":
                    values[key] = float(value.rstrip("%")) / (100.0 if value.endswith("%") else 1.0)
                else:
                    values[key] = float(value)
            except ValueError:
                raise ValueError(f"{source}: {key}={value!r} is not a number") from None
        try:
            return cls(**values)
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from None

    def text(self) -> str:
        """The rule as ``parse`` reads it."""
        return (f"max_overdue={self.max_overdue},max_open={self.max_open},"
                f"min_standard={self.min_standard:g},alley_states={'|'.join(self.alley_states)}")

    def with_(self, **changes) -> "CircleRule":
        return replace(self, **changes)

    def describe(self, lang: str = "zh", alley_state_labels: dict[str, str] | None = None) -> str:
        """The rule in words, for the page and the CLI."""
        labels = alley_state_labels or {}
        states = ("、" if lang == "zh" else ", ").join(labels.get(s, s) for s in self.alley_states)
        return t("circles.rule.text", lang, max_overdue=self.max_overdue, max_open=self.max_open,
                 min_standard=f"{self.min_standard * 100:g}%", alley_states=states or "—")


def apply_rule(summary: pd.DataFrame, rule: CircleRule) -> pd.DataFrame:
    """Add ``state`` (``met``/``not_met``) and ``reasons`` to a circle summary.

    Parameters
    ----------
    summary : DataFrame
        One row per circle with ``overdue``, ``open``, ``rated`` (places with a known
        standard) and ``up_to_standard`` (those up to standard), as made by
        ``civmap.circles.membership.summarise``.
    rule : CircleRule

    Returns
    -------
    DataFrame
        A copy with ``standard_share`` (NaN when nothing is rated), ``state`` and
        ``reasons``: every threshold missed, as ``(code, value, limit)`` tuples in the
        order overdue, open, standard (:data:`REASONS`; a share for ``standard``, counts
        for the others); empty when met. Words are added where they are shown
        (``civmap.circles.tables.reason_text``), so one summary serves every language.
    """
    out = summary.copy()
    rated = out["rated"].astype(float)
    share = np.where(rated > 0, out["up_to_standard"].astype(float) / rated.where(rated > 0, 1.0), np.nan)
    out["standard_share"] = share
    too_overdue = out["overdue"] > rule.max_overdue
    too_open = out["open"] > rule.max_open
    too_low = pd.Series(share < rule.min_standard, index=out.index) & ~np.isnan(share)
    reasons = []
    for overdue, open_, low, n_overdue, n_open, value in zip(too_overdue, too_open, too_low, out["overdue"],
                                                             out["open"], share):
        missed = ((REASONS[0], int(n_overdue), rule.max_overdue) if overdue else None,
                  (REASONS[1], int(n_open), rule.max_open) if open_ else None,
                  (REASONS[2], float(value), rule.min_standard) if low else None)
        reasons.append(tuple(m for m in missed if m is not None))
    out["state"] = np.where(too_overdue | too_open | too_low, NOT_MET, MET)
    out["reasons"] = reasons
    return out
