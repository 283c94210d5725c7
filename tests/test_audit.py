"""The audit trail: rows written with the change they describe, never a secret, read back by time."""

from __future__ import annotations

import datetime as dt

import pytest

from civmap import audit, clock
from civmap.storage.audit import insert_entries
from civmap.storage import create_schema
from civmap.storage.engine import make_engine, write_transaction

pytestmark = pytest.mark.both_backends


@pytest.fixture
def engine(empty_db_url):
    """A new store: its trail holds only what a test writes (the demo seed audits its accounts)."""
    engine = make_engine(empty_db_url)
    create_schema(engine)
    yield engine
    engine.dispose()


def _at(monkeypatch, wall: dt.datetime) -> None:
    instant = wall.replace(tzinfo=clock.city_zone()).astimezone(dt.timezone.utc)
    monkeypatch.setattr(clock, "_utc_now", lambda: instant)


def test_the_trail_is_read_by_time_and_action(engine, monkeypatch):
    for day, action in ((1, "login_ok"), (2, "login_failed"), (3, "move")):
        _at(monkeypatch, dt.datetime(2026, 5, day, 9))
        audit.record_now(engine, "li", action, "x", n=day)
    assert audit.trail(engine)["action"].tolist() == ["login_ok", "login_failed", "move"]
    assert audit.trail(engine, since=dt.datetime(2026, 5, 2))["action"].tolist() == ["login_failed", "move"]
    assert audit.trail(engine, until=dt.datetime(2026, 5, 2))["action"].tolist() == ["login_ok"]
    assert audit.trail(engine, actions=("move",))["detail"].tolist() == ['{"n": 3}']


def test_no_secret_and_no_unknown_action_gets_in(engine):
    with pytest.raises(ValueError, match="must not hold password"):
        audit.record_now(engine, "li", "user_password", "li", password="hunter22")
    with pytest.raises(ValueError, match="must not hold token"):
        audit.record_now(engine, "li", "token_issue", "wall", token="abc")
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record_now(engine, "li", "dance")
    assert audit.trail(engine).empty


def test_a_change_that_fails_leaves_no_audit_row(engine):
    with pytest.raises(RuntimeError):
        with write_transaction(engine) as conn:
            insert_entries(conn, [audit.entry("li", "move", "P1", move="close")])
            raise RuntimeError("the change failed after its audit row was written")
    assert audit.trail(engine).empty


def test_the_operator_is_named_as_such():
    assert audit.operator().startswith("operator")
