"""The case flow: each allowed and forbidden move, the history, the progress figures, and no
lost update between two people acting at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from civmap import accounts, audit, clock
from civmap.progress import figures as progress
from civmap.accounts import Area
from civmap.cases import (
    CaseRules, Conflict, NotFound, Refused, allowed_moves, history, load_case, make_move, moves_of, read_photo,
)
from civmap.storage.engine import make_engine
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from tests.photo_samples import jpeg

pytestmark = pytest.mark.both_backends

VOCAB = load_vocabulary()
ROLES = accounts.roles_of(VOCAB)
MOVES = moves_of(VOCAB)
PASSWORD = "good enough password"


@pytest.fixture
def city_clock(monkeypatch):
    """The city's now at the end of today, after every event the demo wrote today."""
    def set_now(wall: dt.datetime) -> None:
        instant = wall.replace(tzinfo=clock.city_zone()).astimezone(dt.timezone.utc)
        monkeypatch.setattr(clock, "_utc_now", lambda: instant)
    set_now(dt.datetime.combine(clock.today(), dt.time(23, 50)))
    return set_now


@pytest.fixture
def store(scratch_db_url, city_clock) -> Store:
    store = Store(make_engine(scratch_db_url))
    add = lambda login, role, area=Area(): accounts.add_user(store.engine, VOCAB, "operator", login, login.title(),
                                                              role, area, password=PASSWORD)
    add("office1", "office")
    add("office2", "office")
    add("insp", "inspector")
    add("li", "district_head", Area(["D01"]))
    add("wang", "district_head", Area(["D02"]))
    add("s1", "street_staff", Area(streets=["D01S02"]))
    add("unit1", "unit", Area(unit="D01S02-OFF"))
    add("boss", "city_leader")
    return store


@pytest.fixture
def rules(tmp_path) -> CaseRules:
    return CaseRules(photos_dir=tmp_path / "photos")


def _user(store, login):
    return accounts.get_user(store.engine, login)


def _first(store, district: str, status: str, street: str | None = None) -> str:
    problems = store.problems()
    chosen = problems[(problems["district_code"] == district) & (problems["status"] == status)]
    if street:
        chosen = chosen[chosen["street_code"] == street]
    return str(chosen["id"].iloc[0])


def _move(store, rules, login, code, pid, **inputs):
    user = _user(store, login)
    seen = load_case(store, user, VOCAB, pid)["version"]
    return make_move(store, VOCAB, user, code, pid, seen, rules, **inputs)


def test_the_moves_are_data_and_only_the_roles_allowed_moves_are_offered():
    assert list(MOVES) == ["assign", "start", "report", "close", "send_back", "reopen", "extend"]
    assert MOVES["extend"].target is None and MOVES["report"].needs == {"note", "photo"}
    found = {"status": "found", "district_code": "D01", "street_code": "D01S02", "unit_code": None}
    offered = lambda user: [m.code for m in allowed_moves(MOVES, user, ROLES[user.role], found)]
    head = accounts.User("li", "李", "district_head", districts=("D01",))
    assert offered(head) == ["assign"]
    assert offered(accounts.User("wang", "王", "district_head", districts=("D02",))) == []
    assert offered(accounts.User("insp", "督查", "inspector")) == []
    assert offered(accounts.User("boss", "领导", "city_leader")) == []
    assert offered(accounts.User("w", "屏", "wall")) == []
    reported = {**found, "status": "reported", "unit_code": "D01S02-OFF"}
    assert [m.code for m in allowed_moves(MOVES, accounts.User("insp", "督查", "inspector"), ROLES["inspector"],
                                          reported)] == ["close", "send_back"]
    unit = accounts.User("u", "单位", "unit", unit_code="D01S02-OFF")
    assert [m.code for m in allowed_moves(MOVES, unit, ROLES["unit"], {**reported, "status": "fixing"})] == ["report"]
    assert allowed_moves(MOVES, accounts.User("li", "李", "district_head", districts=("D01",), disabled=True),
                         ROLES["district_head"], found) == []


def test_a_problems_whole_life_with_a_name_on_every_step(store, rules):
    pid = _first(store, "D01", "found", "D01S02")
    today = clock.today()
    _move(store, rules, "li", "assign", pid, unit="D01S02-OFF", deadline=today + dt.timedelta(days=3),
          note="三天内清理")
    _move(store, rules, "unit1", "start", pid)
    with pytest.raises(Refused) as refused:
        _move(store, rules, "unit1", "extend", pid, deadline=today + dt.timedelta(days=5), note="等材料")
    assert refused.value.code == "not_allowed"
    _move(store, rules, "li", "extend", pid, deadline=today + dt.timedelta(days=5), note="等材料")
    photo = read_photo(jpeg(), "after.jpg", 10**7)
    _move(store, rules, "unit1", "report", pid, note="已清理完毕", photos=[photo])
    _move(store, rules, "insp", "send_back", pid, note="仍有垃圾")
    _move(store, rules, "unit1", "report", pid, note="再次清理", photos=[photo])
    done = _move(store, rules, "insp", "close", pid)
    assert done.status == "closed"
    _move(store, rules, "insp", "reopen", pid, note="又出现了")
    story = history(store.engine, pid)
    mine = story[story["move"].notna()]
    assert mine["move"].tolist() == ["assign", "start", "extend", "report", "send_back", "report", "close", "reopen"]
    assert mine["to_status"].tolist() == ["assigned", "fixing", "fixing", "reported", "fixing", "reported", "closed",
                                          "reopened"]
    assert mine["who"].tolist() == ["Li", "Unit1", "Li", "Unit1", "Insp", "Unit1", "Insp", "Insp"]
    assert mine["note"].fillna("").tolist()[:5] == ["三天内清理", "", "等材料", "已清理完毕", "仍有垃圾"]
    assert mine["unit_code"].iloc[0] == "D01S02-OFF" and mine["deadline"].iloc[2] == today + dt.timedelta(days=5)
    case = load_case(store, _user(store, "li"), VOCAB, pid)
    assert (case["status"], case["unit_code"], case["deadline"]) == ("reopened", "D01S02-OFF",
                                                                     today + dt.timedelta(days=5))
    moves = audit.trail(store.engine, actions=("move",))
    assert len(moves) == 8 and set(moves["subject"]) == {pid}


def test_forbidden_moves_are_refused_and_name_why(store, rules):
    pid = _first(store, "D01", "found", "D01S02")
    today = clock.today()
    with pytest.raises(NotFound):  # another district's problem: as if there were none
        _move(store, rules, "wang", "assign", pid, unit="D01S02-OFF", deadline=today)
    with pytest.raises(NotFound):
        load_case(store, _user(store, "wang"), VOCAB, pid)
    with pytest.raises(NotFound):
        load_case(store, _user(store, "li"), VOCAB, "NO-SUCH-ID")
    with pytest.raises(NotFound):  # a store scoped elsewhere does not see it either, even for the office
        load_case(store.scoped(["D02"]), _user(store, "office1"), VOCAB, pid)
    cases = {
        "not_allowed": dict(login="li", code="close"),
        "missing": dict(login="li", code="assign", unit="D01S02-OFF"),
        "deadline_past": dict(login="li", code="assign", unit="D01S02-OFF", deadline=today - dt.timedelta(days=1)),
        "unknown_unit": dict(login="li", code="assign", unit="NOPE", deadline=today),
        "unit_elsewhere": dict(login="li", code="assign", unit="D02S01-OFF", deadline=today),
        "unknown_move": dict(login="li", code="fly"),
    }
    for code, given in cases.items():
        login, move = given.pop("login"), given.pop("code")
        with pytest.raises(Refused) as refused:
            _move(store, rules, login, move, pid, **given)
        assert refused.value.code == code, (code, refused.value)
    assert audit.trail(store.engine, actions=("move",)).empty  # nothing refused was written
    _move(store, rules, "li", "assign", pid, unit="B01", deadline=today + dt.timedelta(days=2))  # a city bureau
    with pytest.raises(Refused) as refused:
        _move(store, rules, "li", "extend", pid, deadline=today + dt.timedelta(days=2), note="慢")
    assert refused.value.code == "deadline_not_later"
    with pytest.raises(Refused) as refused:
        _move(store, rules, "li", "extend", pid, deadline=today + dt.timedelta(days=9), note="  ")
    assert refused.value.values == {"field": "reason"}
    with pytest.raises(Refused) as refused:
        _move(store, rules, "office1", "report", pid, note="好了")
    assert refused.value.values == {"field": "photo"}


def test_the_office_can_require_that_the_closer_is_not_the_reporter(store, rules):
    pid = _first(store, "D01", "fixing")
    photo = read_photo(jpeg(), "after.jpg", 10**7)
    _move(store, rules, "office1", "report", pid, note="修好了", photos=[photo])
    with pytest.raises(Refused) as refused:
        _move(store, rules, "office1", "close", pid)
    assert refused.value.code == "closer_is_reporter"
    assert _move(store, rules, "office2", "close", pid).status == "closed"
    other = _first(store, "D01", "fixing")
    _move(store, rules, "office1", "report", other, note="修好了", photos=[photo])
    relaxed = CaseRules(rules.photos_dir, closer_not_reporter=False)
    assert _move(store, relaxed, "office1", "close", other).status == "closed"


def test_a_move_counts_in_the_progress_figures_exactly_as_an_imported_event(store, rules, scratch_db_url, tmp_path):
    from civmap.storage.copying import copy_store

    twin = Store(make_engine(f"sqlite:///{tmp_path / 'twin.sqlite'}"))  # a copy (from either backend)
    copy_store(store.engine, twin.engine)
    pid = _first(store, "D01", "reported")
    today = clock.today()
    figures = lambda s: progress.summary(s.problems(), s.events(), VOCAB, today, today)
    before = figures(store)
    version = store.data_version()
    _move(store, rules, "insp", "close", pid)
    after = figures(store)
    assert store.data_version() != version
    assert after["closed"] == before["closed"] + 1 and after["backlog"] == before["backlog"] - 1
    twin.set_status(pid, "closed", actor="台账导入 x.xlsx")  # the same change, as the store's own write does it
    assert figures(twin) == after


def test_two_people_at_once_the_second_is_told_and_nothing_is_overwritten(store, rules, scratch_db_url):
    pid = _first(store, "D01", "reported")
    first, second = Store(make_engine(scratch_db_url)), Store(make_engine(scratch_db_url))
    insp, office = _user(store, "insp"), _user(store, "office1")
    seen_by_insp = load_case(first, insp, VOCAB, pid)["version"]
    seen_by_office = load_case(second, office, VOCAB, pid)["version"]
    make_move(first, VOCAB, insp, "close", pid, seen_by_insp, rules)
    with pytest.raises(Conflict) as conflict:
        make_move(second, VOCAB, office, "send_back", pid, seen_by_office, rules, note="还没好")
    assert conflict.value.state["status"] == "closed" and conflict.value.state["last_actor"] == "insp"
    assert history(store.engine, pid)["move"].dropna().tolist() == ["close"]


def test_two_movers_racing_in_threads_one_wins_one_is_told(store, rules, scratch_db_url):
    pid = _first(store, "D01", "reported")
    users = [_user(store, "insp"), _user(store, "office1")]
    stores = [Store(make_engine(scratch_db_url)) for _ in users]
    seen = load_case(store, users[0], VOCAB, pid)["version"]
    start, results = threading.Barrier(2), [None, None]

    def act(i: int) -> None:
        start.wait()
        try:
            results[i] = make_move(stores[i], VOCAB, users[i], "close" if i == 0 else "send_back", pid, seen, rules,
                                   note="x").status
        except Conflict as conflict:
            results[i] = conflict

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(r, Conflict) for r in results) == 1 and sum(isinstance(r, str) for r in results) == 1
    assert len(history(store.engine, pid)["move"].dropna()) == 1
