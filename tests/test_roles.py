"""Each role against each page (AppTest, signed in through the session as the frame's gate
reads it), URL and export attempts outside the area, redaction, demo mode and screen tokens.

The demo city's seven accounts are the roles; the district head's area is a district with
overdue problems (``civmap.demo.accounts``).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import map_drawn, run_page

from civmap import accounts, clock
from civmap.accounts import scope_of
from civmap.demo.accounts import DEMO_ACCOUNTS, DEMO_DEFAULT, DEMO_PASSWORD
from civmap.filters import Filters
from civmap.i18n import t
from civmap.ledger.export import export_as
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
ROLES = accounts.roles_of(VOCAB)


@pytest.fixture(scope="module")
def users(demo_store):
    return {login: accounts.get_user(demo_store.engine, login) for login, _, _ in DEMO_ACCOUNTS}


def _scope(store: Store, user):
    role = ROLES[user.role]
    return scope_of(user, role, accounts.districts_of(store, role.scope))


def _open(page: str, login: str | None, params: dict | None = None, lang: str = "zh") -> AppTest:
    return run_page(page, params or {}, login=login, lang=lang)


def _texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def _metric(at: AppTest, label: str) -> int:
    return int({m.label: m.value for m in at.metric}[label].replace(",", ""))


def test_demo_accounts_one_per_role_in_the_demo_store(demo_store, users):
    assert sorted(u.role for u in users.values()) == sorted(ROLES)
    result = accounts.sign_in(demo_store.engine, "demo-district", DEMO_PASSWORD, accounts.LoginPolicy())
    assert result.outcome == "ok" and result.user.districts == users["demo-district"].districts
    head = users["demo-district"]
    problems = demo_store.problems()
    late = problems[(problems["district_code"] == head.districts[0]) & problems["status"].isin(("assigned", "fixing"))
                    & (pd.to_datetime(problems["deadline"]).dt.date < clock.today())]
    assert len(late) > 0  # the district head has overdue problems to act on
    assert users["demo-street"].streets[0] in set(problems[problems["district_code"] == head.districts[0]]["street_code"])


def test_the_demo_opens_signed_in_with_a_badge_and_switches_accounts_on_every_page(app_env, demo_store, users):
    at = _open("overview", None)
    assert at.session_state["civmap_user"] == DEMO_DEFAULT
    assert any("演示模式 / Demo mode" in m.value for m in at.sidebar.markdown)  # the badge, as markdown
    switch = at.sidebar.selectbox(key="civmap_demo_account")
    assert switch.value == DEMO_DEFAULT and len(switch.options) == len(DEMO_ACCOUNTS)
    whole = _metric(at, "超期问题")
    switch.set_value("demo-district").run()
    assert not at.exception and at.session_state["civmap_user"] == "demo-district"
    map_drawn(at)  # a new account's first run of the overview: the lists follow the map
    head = users["demo-district"]
    district_name = demo_store.district_names()[head.districts[0]]
    assert at.sidebar.multiselect(key="f_districts").options == [district_name]  # his district only
    own = _metric(at, "超期问题")
    assert 0 < own < whole
    late = at.dataframe(key="overview_late").value
    assert len(late) == own and set(late["所属区"]) == {district_name}
    # the switch is in the frame: it is on the progress page too
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    at.sidebar.selectbox(key="civmap_demo_account").set_value("demo-leader").run()
    assert not at.exception and at.session_state["civmap_user"] == "demo-leader"


def test_signing_out_of_the_demo_shows_the_form_with_the_demo_accounts(app_env):
    at = _open("overview", None, lang="en")
    at.sidebar.button(key="civmap_sign_out").click().run()
    assert not at.exception
    assert at.text_input(key="civmap_login_name") is not None and not at.metric and not at.dataframe
    hint = " ".join(_texts(at, "info"))
    assert DEMO_PASSWORD in hint and all(login in hint for login, _, _ in DEMO_ACCOUNTS)
    at.text_input(key="civmap_login_name").set_value("demo-inspector")
    at.text_input(key="civmap_login_password").set_value(DEMO_PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.session_state["civmap_user"] == "demo-inspector"


@pytest.mark.parametrize("login", [login for login, _, _ in DEMO_ACCOUNTS])
def test_each_role_on_each_page_sees_its_area_and_is_refused_the_rest(app_env, demo_store, users, login):
    user = users[login]
    role = ROLES[user.role]
    scope = _scope(demo_store, user)
    mine = demo_store.within(scope)
    for page in ("overview", "circles", "progress", "planning", "bulletin", "wall", "ledger", "setup", "problem",
                 "admin"):
        at = _open(page, login)
        titles = _texts(at, "title")
        path = "" if page == "overview" else page
        if not role.opens(path):  # not in his navigation: the link opens his first page instead
            assert t(f"page.{'import' if page == 'ledger' else page}", "zh") not in titles, (login, page)
            assert not any("账号" in frame.value.columns for frame in at.dataframe)
            continue
        if page == "overview":
            names = list(mine.district_names().values())
            assert at.multiselect(key="f_districts").options == names, login
            if not role.reads_all:  # never the whole city's list, and the page says whose figures these are
                assert len(names) == 1, login
                assert at.caption[0].value.startswith("范围："), login
            else:
                assert not at.caption[0].value.startswith("范围："), login
            open_count = int(mine.problems()["status"].isin(VOCAB.unresolved_statuses).sum())
            assert _metric(at, "未办结问题") == open_count, login
        if page == "ledger":
            assert role.may("import") and at.file_uploader(key="ledger_file") is not None


def test_a_problem_of_another_district_reads_as_not_found(app_env, demo_store, users):
    head = users["demo-district"]
    problems = demo_store.problems()
    other = problems[problems["district_code"] != head.districts[0]]["id"].iloc[0]
    own = problems[problems["district_code"] == head.districts[0]]["id"].iloc[0]
    at = _open("problem", "demo-district", {"id": str(other)})
    assert _texts(at, "warning") == [t("case.not_found", "zh", id=str(other))] and not at.dataframe
    at = _open("problem", "demo-district", {"id": str(own)})
    assert not _texts(at, "warning") and at.dataframe  # facts and history
    # the unit sees only problems assigned to it, even in its own district
    unit = users["demo-unit"]
    not_its = problems[(problems["district_code"] == head.districts[0]) & (problems["unit_code"] != unit.unit_code)]
    at = _open("problem", "demo-unit", {"id": str(not_its["id"].iloc[0])})
    assert _texts(at, "warning") == [t("case.not_found", "zh", id=str(not_its["id"].iloc[0]))]


def test_a_url_naming_another_district_is_refused_not_shown(app_env, demo_store, users):
    head = users["demo-district"]
    other = next(code for code in demo_store.district_names() if code != head.districts[0])
    at = _open("overview", "demo-district", {"district": other})
    own = demo_store.within(_scope(demo_store, head)).problems()
    assert _metric(at, "未办结问题") == int(own["status"].isin(VOCAB.unresolved_statuses).sum())
    assert any(other in w for w in _texts(at, "warning"))  # named as a value the link got wrong


def test_exports_hold_only_the_area(demo_store, users):
    for login in ("demo-district", "demo-street", "demo-unit"):
        user = users[login]
        mine = demo_store.within(_scope(demo_store, user))
        data = json.loads(export_as("geojson", mine, Filters(), VOCAB, clock.today()))
        problem_ids = {f["properties"].get("问题编号") or f["properties"].get("id") for f in data["features"]}
        problem_ids.discard(None)
        expected = set(mine.problems()["id"])
        assert expected and problem_ids <= (expected | set(mine.points()["id"]) | set(mine.alleys()["id"])
                                         | set(mine.circles()["id"])), login
        workbook = pd.read_excel(io.BytesIO(export_as("xlsx", mine, Filters(), VOCAB, clock.today())), sheet_name=None)
        sheet = next(frame for name, frame in workbook.items() if "问题" in name)
        assert set(sheet.iloc[:, 0].dropna().astype(str)) & set(expected), login
        outside = set(demo_store.problems()["id"]) - expected
        assert not set(sheet.astype(str).stack()) & outside, login


def test_the_wall_role_reads_no_personal_data(demo_store, users):
    wall = demo_store.within(_scope(demo_store, users["demo-wall"]))
    assert wall.points()["chief_name"].isna().all() and wall.points()["chief_phone"].isna().all()
    assert wall.units()["head_phone"].isna().all() and wall.events()["actor"].isna().all()
    assert wall.problems()["chief_name"].isna().all()
    assert demo_store.points()["chief_phone"].notna().any()  # the city leader's reads keep them


def test_the_wall_opens_with_a_screen_token_and_stops_when_it_is_revoked(office_env_with_accounts):
    store, token, token_id = office_env_with_accounts
    at = _open("wall", None, {"token": token})
    assert not at.text_input and at.session_state["civmap_screen"] == token
    assert "civmap_user" not in at.session_state and not at.sidebar.button  # a screen has nobody to sign out
    assert any("指挥大屏" in c.value for c in at.sidebar.caption)
    with pytest.raises(ValueError, match=r"Known pages: .*wall.py'\]"):  # the wall is a screen's only page
        at.switch_page("pages/overview.py")
    assert (accounts.list_tokens(store.engine)["last_used_at"].notna()).all()
    accounts.revoke_token(store.engine, "operator", token_id)
    at.run()
    assert _texts(at, "error") == [t("auth.bad_token", "zh")] and at.text_input(key="civmap_login_name") is not None


@pytest.fixture
def office_env_with_accounts(monkeypatch, office_db_url):
    import streamlit as st

    store = Store(make_engine(office_db_url))
    accounts.add_user(store.engine, VOCAB, "operator", "screen1", "主屏", "wall")
    token = accounts.issue_token(store.engine, VOCAB, "operator", "screen1", "指挥中心主屏")
    monkeypatch.setenv("CIVMAP_DATABASE_URL", office_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield store, token, int(accounts.list_tokens(store.engine)["id"].iloc[-1])
    st.cache_resource.clear()
    st.cache_data.clear()


def test_an_office_store_has_no_demo_mode_and_refuses_a_demo_login(office_env_with_accounts):
    store, _, _ = office_env_with_accounts
    at = _open("overview", None)
    assert at.text_input(key="civmap_login_name") is not None and not at.metric
    assert not any("演示模式" in m.value for m in at.sidebar.markdown) and "演示" not in " ".join(_texts(at, "info"))
    # even an account named like a demo one, made by hand, is no way in outside the demo
    accounts.add_user(store.engine, VOCAB, "operator", DEMO_DEFAULT, "冒名", "office", password=DEMO_PASSWORD)
    at.text_input(key="civmap_login_name").set_value(DEMO_DEFAULT)
    at.text_input(key="civmap_login_password").set_value(DEMO_PASSWORD)
    at.button[0].click().run()
    assert _texts(at, "error") == [t("auth.failed", "zh")] and "civmap_user" not in at.session_state


def test_the_cli_acts_as_a_named_account(monkeypatch, capsys, office_db_url):
    from civmap.cli import main

    store = Store(make_engine(office_db_url))
    district = sorted(store.district_names())[0]
    accounts.add_user(store.engine, VOCAB, "operator", "li", "李区长", "district_head", accounts.Area([district]),
                      password="good enough password")
    monkeypatch.setenv("CIVMAP_DATABASE_URL", office_db_url)
    assert main(["--as", "li", "stats", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [row["district"] for row in shown["districts"]] == [district] or len(shown["districts"]) == 1
    assert main(["--as", "li", "users", "add", "x1", "--name", "某", "--role", "office", "--no-password",
                 "--sso-sub", "s1"]) == 2
    assert "may not manage accounts" in capsys.readouterr().err
    assert accounts.get_user(store.engine, "x1") is None
    assert main(["--as", "nobody", "stats"]) == 2
    capsys.readouterr()
    # --as is for its own command: the next one, in the same process, is the operator's again
    assert main(["stats", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["districts"]) == len(store.district_names()) > 1


def test_each_role_is_offered_exactly_its_moves_and_refused_the_others(demo_store, users, scratch_db_url, tmp_path):
    from civmap.cases import CaseRules, Refused, allowed_moves, load_case, make_move, moves_of

    moves = moves_of(VOCAB)
    store = Store(make_engine(scratch_db_url))
    rules = CaseRules(tmp_path / "photos")
    for login, user in users.items():
        role = ROLES[user.role]
        mine = store.within(_scope(store, user))
        problems = mine.problems()
        assigned = problems[problems["status"] == "assigned"]
        if assigned.empty:  # the wall reads the city but acts on nothing; every other role has work
            assert role.may("screen") or role.scope == "unit", login
            continue
        case = load_case(mine, user, VOCAB, str(assigned["id"].iloc[0]))
        offered = {m.code for m in allowed_moves(moves, user, role, case)}
        expected = {code for code, m in moves.items() if "assigned" in m.sources and user.role in m.roles}
        assert offered == expected, login
        for code in set(moves) - offered:
            if "assigned" in moves[code].sources:  # a move of this status the role may not make
                with pytest.raises(Refused):
                    make_move(mine, VOCAB, user, code, case["id"], case["version"], rules, note="因故",
                              deadline=clock.today())


def test_roles_are_parsed_once_per_table_and_again_for_a_new_one():
    from dataclasses import replace

    from civmap.accounts.roles import roles_of

    first, again = roles_of(VOCAB), roles_of(VOCAB)
    assert first == again and first is not again  # a copy each time: the held roles stay as read
    renamed = VOCAB.roles.copy()
    renamed.loc[renamed.index[0], "zh"] = "改名"
    assert roles_of(replace(VOCAB, roles=renamed))[str(renamed.index[0])].zh == "改名"
    assert roles_of(VOCAB) == first
