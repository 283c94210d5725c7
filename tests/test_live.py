"""The city an app process holds in memory (``civmap.storage.live``): a scope's part equals what
the store reads for that scope, and after case moves or any other write the held city equals a
fresh read of the store, while a case move re-reads only the problems it touched."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import update

from civmap.storage import schema as s
from civmap.storage.engine import make_engine, write_transaction
from civmap.storage.live import LiveCity
from civmap.storage.scope import NOTHING, Scope
from civmap.storage.store import Store
from civmap.storage.writes import bump_version

pytestmark = pytest.mark.both_backends

SCOPES = [
    Scope(),
    Scope(districts=("D01",)),
    Scope(districts=("D01", "D03")),
    Scope(streets=("D01S02",)),
    Scope(unit="D01S02-OFF"),
    Scope(districts=("D02",), unit="D01S02-OFF"),  # parts that do not meet: nothing
    Scope(districts=(NOTHING,)),
    Scope(personal=False),
    Scope(districts=("D02",), personal=False),
]


def _same(held: pd.DataFrame, read: pd.DataFrame, key: str | None = "id") -> None:
    """Equal rows, whatever their order (``key`` None: in order, as the event log is)."""
    assert list(held.columns) == list(read.columns)
    if key is not None:
        held, read = held.sort_values(key), read.sort_values(key)
    held, read = held.reset_index(drop=True), read.reset_index(drop=True)
    for column in read.columns:
        if column == "geometry":
            assert held.geometry.to_wkt().tolist() == read.geometry.to_wkt().tolist()
            continue
        mine, theirs = held[column].astype(object), read[column].astype(object)
        assert mine.where(mine.notna(), None).tolist() == theirs.where(theirs.notna(), None).tolist(), column


def _agrees(state, store: Store) -> None:
    _same(state.areas, store.areas(None), "code")
    _same(state.points, store.points())
    _same(state.circles, store.circles())
    _same(state.alleys, store.alleys())
    _same(state.problems, store.problems())
    _same(state.status_problems, store.status_problems())
    _same(state.events, store.status_events(), key=None)


@pytest.fixture
def store(scratch_db_url) -> Store:
    return Store(make_engine(scratch_db_url))


@pytest.mark.parametrize("scope", SCOPES, ids=repr)
def test_a_scopes_part_of_the_held_city_is_what_the_store_reads_for_it(demo_store, scope):
    held = LiveCity(demo_store).state().within(scope)
    assert held.scope == scope
    _agrees(held, demo_store.within(scope))


def test_nested_scopes_narrow_as_the_store_does(demo_store):
    district = LiveCity(demo_store).state().within(Scope(districts=("D01",)))
    _agrees(district.within(Scope(streets=("D01S02",), personal=False)),
            demo_store.within(Scope(districts=("D01",))).within(Scope(streets=("D01S02",), personal=False)))


def test_after_case_moves_only_the_moved_problems_are_read_again(store, monkeypatch):
    live = LiveCity(store)
    before = live.state()
    open_ids = before.problems.loc[before.problems["status"] == "assigned", "id"].head(3).tolist()
    for problem_id in open_ids:
        store.set_status(problem_id, "fixing", "tester", at=dt.datetime(2026, 12, 1, 9, 30))
    read_whole = []
    monkeypatch.setattr(Store, "points", lambda self, *a, **k: read_whole.append("points"))
    after = live.state(store.data_version())
    assert read_whole == []  # nothing but the changed problems was read
    assert after.version == store.data_version() and after.base == before.base
    assert after.event_mark == before.event_mark + 3
    assert after.points is before.points and after.circles is before.circles  # shared, not copied
    monkeypatch.undo()
    _agrees(after, store)
    moved = after.problems.set_index("id").loc[open_ids]
    assert set(moved["status"]) == {"fixing"}
    # the state a run began with is still held for it
    assert live.state(before.version) is before
    # and the new state answers for a scope as a fresh read does
    _agrees(after.within(Scope(districts=("D01",))), store.within(Scope(districts=("D01",))))


def test_any_other_write_reads_the_city_whole(store):
    live = LiveCity(store)
    before = live.state()
    point_id = before.points["id"].iloc[0]
    with write_transaction(store.engine) as conn:
        conn.execute(update(s.points).where(s.points.c.id == point_id).values(name="改名后的点位"))
        bump_version(conn)
    after = live.state(store.data_version())
    assert after.base != before.base
    assert after.points.set_index("id").loc[point_id, "name"] == "改名后的点位"
    _agrees(after, store)


def test_a_state_asked_for_at_its_own_version_is_not_read_again(store):
    live = LiveCity(store)
    first = live.state()
    assert live.state(first.version) is first
    assert live.state() is first  # nothing written: the same state


def test_a_history_rebuilt_for_the_moved_problems_equals_one_built_whole(store):
    """The Progress page's timeline after case moves: only the moved problems' histories are
    built again (``History.replaced``), and the result is the one a whole build gives,
    array for array, a reopened and a closed problem included."""
    from civmap.progress.history import built_history
    from civmap.vocab import load_vocabulary

    vocab = load_vocabulary()
    live = LiveCity(store)
    before = live.state()
    history = built_history(before.status_problems, before.events, vocab)
    problems = before.problems
    moves = [(problems.loc[problems["status"] == "assigned", "id"].iloc[0], "fixing"),
             (problems.loc[problems["status"] == "assigned", "id"].iloc[1], "closed"),
             (problems.loc[problems["status"] == "closed", "id"].iloc[0], "reopened")]
    for n, (problem_id, status) in enumerate(moves):
        store.set_status(problem_id, status, "tester", at=dt.datetime(2026, 12, 1, 9, 30 + n))
    after = live.state(store.data_version())
    assert after.since == before.version and set(after.changed) == {p for p, _ in moves}
    changed = after.status_problems[after.status_problems["id"].isin(after.changed)]
    patched = history.replaced(changed, after.events[after.events["problem_id"].isin(after.changed)], vocab)
    whole = built_history(after.status_problems, after.events, vocab)
    _same(patched.problems, whole.problems, key=None)
    for name in ("pidx", "day", "kind", "prev", "deadline", "cycle_start", "seg_pidx", "seg_start", "seg_end",
                 "seg_kind", "seg_deadline"):
        assert (getattr(patched.timeline, name) == getattr(whole.timeline, name)).all(), name
    _same(patched.timeline.problems, whole.timeline.problems, key=None)
    assert len(patched.timeline.kind) == len(history.timeline.kind) + 3  # the moves' events are in
