"""The status history of every problem in a scope, read once and narrowed in memory.

At ten times the demo city the event log holds over half a million rows; reading it takes
about a second and building its timeline a few tenths more. Both are done once per data
version (``History``), and a filter change then narrows the built timeline with a mask
(``Timeline.subset``): the Progress page, the overview's tiles and ``progress`` recompute
without touching the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civmap.filters import Filters
from civmap.progress.timeline import Timeline, build_timeline, with_rows
from civmap.vocab import Vocabulary

__all__ = ["History", "built_history", "read_history"]


@dataclass(frozen=True, eq=False)
class History:
    """Every problem of a store's scope (the columns filters test) and its built timeline."""

    problems: pd.DataFrame
    timeline: Timeline

    def timeline_for(self, filters: Filters) -> Timeline:
        """The timeline of the problems ``filters`` select; the status filter is ignored, as a
        problem's current status says nothing about its past."""
        chosen = filters.without_statuses()
        if chosen == Filters():
            return self.timeline
        return self.timeline.subset(chosen.problem_mask(self.problems))

    def replaced(self, problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary) -> "History":
        """This history with the problems of ``problems`` (rows as ``Store.status_problems``
        gives them, all already here) rebuilt from their ``events`` (all of theirs): what a
        status change alters, without building the other problems' histories again."""
        if problems.empty:
            return self
        rows = pd.Index(self.problems["id"]).get_indexer(problems["id"])
        if (rows < 0).any():
            raise ValueError(f"problem {problems['id'].iloc[int(np.flatnonzero(rows < 0)[0])]!r} is not in this history")
        ordered = problems.reset_index(drop=True)
        part = build_timeline(ordered, events, vocab)
        return History(with_rows(self.problems, rows, ordered[list(self.problems.columns)]),
                       self.timeline.replaced(rows, part))

    def narrowed(self, keep) -> "History":
        """The history of the problems ``keep`` marks (a bool per problem row): a scope's
        part of the city's, without building anything again."""
        if keep.all():
            return self
        return History(self.problems[keep].reset_index(drop=True), self.timeline.subset(keep))


def read_history(store, vocab: Vocabulary) -> History:
    """The scope's problems and events, in two lean reads (``Store.status_history``), built."""
    return built_history(*store.status_history(), vocab)


def built_history(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary) -> History:
    """The history of ``problems`` from their status ``events`` (``Store.status_history``'s frames)."""
    return History(problems, build_timeline(problems, events, vocab))
