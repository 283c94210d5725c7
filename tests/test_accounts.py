"""Accounts: roles from data, the lock-out and idle rules, hashed passwords, screen tokens,
every change in the audit trail."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from civmap import accounts, audit, clock
from civmap.accounts import Area, LoginPolicy, User
from civmap.storage.engine import make_engine
from civmap.vocab import VOCAB_DIR, load_vocabulary

pytestmark = pytest.mark.both_backends

VOCAB = load_vocabulary()
T0 = dt.datetime(2026, 5, 4, 9, 0, 0)
POLICY = LoginPolicy(max_failures=3, lock_minutes=15, idle_minutes=30)
PASSWORD = "correct horse battery"


@pytest.fixture
def engine(office_db_url):
    engine = make_engine(office_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def city_clock(monkeypatch):
    """The city's clock under the test's hand: ``city_clock(datetime)`` sets the city's now."""
    def set_now(wall: dt.datetime) -> None:
        instant = wall.replace(tzinfo=clock.city_zone()).astimezone(dt.timezone.utc)
        monkeypatch.setattr(clock, "_utc_now", lambda: instant)
    set_now(T0)
    return set_now


# -- roles --------------------------------------------------------------------------------
def test_the_seven_roles_and_what_each_may_do_come_from_the_vocabulary():
    roles = accounts.roles_of(VOCAB)
    assert set(roles) == {"city_leader", "office", "district_head", "street_staff", "unit", "inspector", "wall"}
    assert [code for code, r in roles.items() if r.may("manage_accounts")] == ["office"]
    assert [code for code, r in roles.items() if r.may("import")] == ["office"]
    assert [code for code, r in roles.items() if r.may("screen")] == ["wall"]
    assert [code for code, r in roles.items() if not r.may("personal_data")] == ["wall"]
    assert {code: r.scope for code, r in roles.items() if not r.reads_all} == {
        "district_head": "district", "street_staff": "street", "unit": "unit"}
    assert roles["district_head"].label("zh") == "区负责人" and roles["wall"].label("en") == "Command wall"
    with pytest.raises(ValueError, match="capability"):
        roles["office"].may("fly")
    with pytest.raises(ValueError, match="unknown role 'mayor'"):
        accounts.role_of(VOCAB, "mayor")


def test_an_office_may_change_what_a_role_may_do_and_a_bad_row_is_named(tmp_path):
    for path in VOCAB_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    roles = pd.read_csv(tmp_path / "roles.csv", dtype=str, keep_default_na=False)
    roles.loc[roles["code"] == "inspector", "import"] = "true"
    roles.to_csv(tmp_path / "roles.csv", index=False)
    assert accounts.role_of(load_vocabulary.__wrapped__(tmp_path), "inspector").may("import")
    roles.loc[roles["code"] == "unit", "scope"] = "province"
    roles.to_csv(tmp_path / "roles.csv", index=False)
    with pytest.raises(ValueError, match="role 'unit': scope 'province'"):
        accounts.roles_of(load_vocabulary.__wrapped__(tmp_path))


def test_covers_tests_a_problem_against_the_roles_scope():
    roles = accounts.roles_of(VOCAB)
    problem = {"district_code": "D01", "street_code": "D01S02", "unit_code": "U7"}
    head = User("li", "李区长", "district_head", districts=("D01",))
    assert accounts.covers(head, roles["district_head"], problem)
    assert not accounts.covers(head, roles["district_head"], {**problem, "district_code": "D02"})
    street = User("wang", "王", "street_staff", streets=("D01S01",))
    assert not accounts.covers(street, roles["street_staff"], problem)
    assert accounts.covers(User("u", "单位", "unit", unit_code="U7"), roles["unit"], problem)
    assert not accounts.covers(User("u", "单位", "unit", unit_code="U8"), roles["unit"], problem)
    assert accounts.covers(User("c", "领导", "city_leader"), roles["city_leader"], problem)
    with pytest.raises(ValueError, match="not user"):
        accounts.covers(head, roles["office"], problem)


# -- pure rules ---------------------------------------------------------------------------
def test_lock_out_after_n_failures_for_m_minutes_then_a_fresh_count():
    minute = dt.timedelta(minutes=1)
    assert accounts.failures_after(0, None, T0, POLICY) == 1
    assert not accounts.is_locked(2, T0, T0, POLICY)
    assert accounts.is_locked(3, T0, T0 + 14 * minute, POLICY)
    assert accounts.locked_until(3, T0, POLICY) == T0 + 15 * minute
    assert not accounts.is_locked(3, T0, T0 + 15 * minute, POLICY)
    assert accounts.failures_after(3, T0, T0 + 16 * minute, POLICY) == 1  # the lock ran out: start again
    assert accounts.failures_after(2, T0, T0 + minute, POLICY) == 3


def test_a_session_expires_after_the_idle_time():
    assert accounts.session_expired(None, T0, POLICY)
    assert not accounts.session_expired(T0, T0 + dt.timedelta(minutes=29, seconds=59), POLICY)
    assert accounts.session_expired(T0, T0 + dt.timedelta(minutes=30), POLICY)


def test_password_hashes_are_salted_argon2_and_never_the_password():
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert accounts.verify_password(first, PASSWORD) and not accounts.verify_password(first, PASSWORD + "!")
    assert not accounts.verify_password(None, PASSWORD) and not accounts.verify_password("garbage", PASSWORD)
    with pytest.raises(ValueError, match="at least 8") as short:
        accounts.hash_password("short")
    assert "short" not in str(short.value)


# -- the store ----------------------------------------------------------------------------
def test_accounts_are_added_with_a_checked_area_and_every_change_is_audited(engine, city_clock):
    head = accounts.add_user(engine, VOCAB, "operator:test", "li", "李区长", "district_head", Area(["D01"]),
                             password=PASSWORD)
    assert head.districts == ("D01",) and head.has_password and not head.disabled
    with pytest.raises(ValueError, match="--district: no district D99"):
        accounts.add_user(engine, VOCAB, "op", "zhao", "赵", "district_head", Area(["D99"]), password=PASSWORD)
    with pytest.raises(ValueError, match="--district: role 'district_head' needs"):
        accounts.add_user(engine, VOCAB, "op", "zhao", "赵", "district_head", password=PASSWORD)
    with pytest.raises(ValueError, match="--street: role 'office' reads 'city'"):
        accounts.add_user(engine, VOCAB, "op", "zhao", "赵", "office", Area(streets=["D01S01"]), password=PASSWORD)
    with pytest.raises(ValueError, match="login: 'li' is taken"):
        accounts.add_user(engine, VOCAB, "op", "li", "另一个", "office", password=PASSWORD)
    with pytest.raises(ValueError, match="login: .* spaces"):
        accounts.add_user(engine, VOCAB, "op", "li si", "李四", "office", password=PASSWORD)
    unit = accounts.add_user(engine, VOCAB, "op", "unit1", "单位", "unit", Area(unit="D01S01-OFF"), password=PASSWORD)
    assert unit.unit_code == "D01S01-OFF"
    moved = accounts.set_role(engine, VOCAB, "op", "li", "street_staff", Area(streets=["D01S01"]))
    assert moved.role == "street_staff" and moved.streets == ("D01S01",) and moved.districts == ()
    accounts.set_disabled(engine, "op", "unit1")
    assert accounts.get_user(engine, "unit1").disabled
    assert [u.login for u in accounts.list_users(engine)] == ["li", "unit1"]
    trail = audit.trail(engine)
    assert trail["action"].tolist() == ["user_add", "user_add", "role_change", "user_disable"]
    assert trail["actor"].tolist()[0] == "operator:test" and (trail["at"] == pd.Timestamp(T0)).all()
    assert '"to_role": "street_staff"' in trail["detail"].iloc[2]
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalars().all()
    assert all(PASSWORD not in h for h in stored) and not trail.apply(lambda r: PASSWORD in str(r.values), axis=1).any()


def test_sign_in_locks_after_repeated_failures_and_records_every_attempt(engine, city_clock):
    accounts.add_user(engine, VOCAB, "op", "li", "李区长", "office", password=PASSWORD)
    assert accounts.sign_in(engine, "nobody", PASSWORD, POLICY).outcome == "failed"
    assert accounts.sign_in(engine, "li", "wrong-1", POLICY).outcome == "failed"
    assert accounts.sign_in(engine, "li", "wrong-2", POLICY).outcome == "failed"
    third = accounts.sign_in(engine, "li", "wrong-3", POLICY)
    assert third.outcome == "locked" and third.until == T0 + dt.timedelta(minutes=15)
    city_clock(T0 + dt.timedelta(minutes=5))
    assert accounts.sign_in(engine, "li", PASSWORD, POLICY).outcome == "locked"  # even the right one
    city_clock(T0 + dt.timedelta(minutes=15))
    ok = accounts.sign_in(engine, "li", PASSWORD, POLICY)
    assert ok.outcome == "ok" and ok.user.login == "li"
    assert accounts.sign_in(engine, "li", "wrong-4", POLICY).outcome == "failed"  # the count started afresh
    accounts.set_disabled(engine, "op", "li")
    assert accounts.sign_in(engine, "li", PASSWORD, POLICY).outcome == "disabled"
    actions = audit.trail(engine, since=T0, actions=("login_ok", "login_failed", "login_locked"))["action"]
    assert actions.tolist() == ["login_failed"] * 3 + ["login_failed", "login_locked", "login_ok", "login_failed",
                                                       "login_failed"]


def test_a_new_password_lifts_the_lock(engine, city_clock):
    accounts.add_user(engine, VOCAB, "op", "li", "李", "office", password=PASSWORD)
    for attempt in range(3):
        accounts.sign_in(engine, "li", f"wrong-{attempt}", POLICY)
    accounts.set_password(engine, "op", "li", "another good one")
    assert accounts.sign_in(engine, "li", "another good one", POLICY).outcome == "ok"
    assert accounts.sign_in(engine, "li", PASSWORD, POLICY).outcome == "failed"


def test_single_sign_on_identities_find_their_account(engine, city_clock):
    accounts.add_user(engine, VOCAB, "op", "li", "李", "inspector", sso_sub="sub-123", sso_email="Li@City.gov.cn")
    assert accounts.user_by_identity(engine, "sub-123", None).login == "li"
    assert accounts.user_by_identity(engine, "sub-other", "li@city.gov.cn").login == "li"
    assert accounts.user_by_identity(engine, "sub-other", "else@city.gov.cn") is None
    with pytest.raises(ValueError, match="--sso-sub"):
        accounts.add_user(engine, VOCAB, "op", "li2", "李2", "inspector", sso_sub="sub-123")
    with pytest.raises(ValueError, match="password: an account needs"):
        accounts.add_user(engine, VOCAB, "op", "li3", "李3", "inspector")


def test_screen_tokens_are_hashed_bound_to_the_wall_role_and_revocable(engine, city_clock):
    accounts.add_user(engine, VOCAB, "op", "wall1", "指挥中心大屏", "wall")
    accounts.add_user(engine, VOCAB, "op", "li", "李", "office", password=PASSWORD)
    with pytest.raises(ValueError, match="may not sign in on a screen"):
        accounts.issue_token(engine, VOCAB, "op", "li", "office screen")
    token = accounts.issue_token(engine, VOCAB, "op", "wall1", "指挥中心")
    assert len(token) >= 40
    assert accounts.user_for_token(engine, VOCAB, token).login == "wall1"
    assert accounts.user_for_token(engine, VOCAB, token + "x") is None
    listed = accounts.list_tokens(engine)
    assert listed["login"].tolist() == ["wall1"] and listed["last_used_at"].notna().all()
    with engine.connect() as conn:
        assert token not in str(conn.exec_driver_sql("SELECT * FROM wall_tokens").all())
    accounts.revoke_token(engine, "op", int(listed["id"].iloc[0]))
    assert accounts.user_for_token(engine, VOCAB, token) is None
    with pytest.raises(ValueError, match="revoked already"):
        accounts.revoke_token(engine, "op", int(listed["id"].iloc[0]))
    second = accounts.issue_token(engine, VOCAB, "op", "wall1", "备用屏")
    accounts.set_disabled(engine, "op", "wall1")
    assert accounts.user_for_token(engine, VOCAB, second) is None
    assert token not in audit.trail(engine).to_string()
