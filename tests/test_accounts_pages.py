"""The sign-in form, the problem detail page and the account page in Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civmap import accounts, audit, clock
from civmap.accounts import Area
from civmap.cases import load_case
from civmap.storage.engine import make_engine
from civmap.storage.store import Store
from civmap.ui.text import plain
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
VOCAB = load_vocabulary()
PASSWORD = "good enough password"


@pytest.fixture
def office(monkeypatch, office_db_url, tmp_path):
    """A private store with accounts, the app pointed at it."""
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", office_db_url)
    monkeypatch.setenv("CIVMAP_PHOTOS_DIR", str(tmp_path / "photos"))
    st.cache_resource.clear()
    st.cache_data.clear()
    store = Store(make_engine(office_db_url))
    for login, role, area in (("op1", "office", Area()), ("li", "district_head", Area(["D01"])),
                              ("insp", "inspector", Area())):
        accounts.add_user(store.engine, VOCAB, "operator", login, f"<b>{login}</b>", role, area, password=PASSWORD)
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()


def _page(path: str, login: str | None = None, params: dict | None = None, seen: dt.datetime | None = None,
          lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = lang
    if login:
        at.session_state["civmap_user"] = login
        at.session_state["civmap_seen"] = seen or clock.now()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def _problem(store: Store, district: str, status: str) -> str:
    problems = store.problems()
    return str(problems[(problems["district_code"] == district) & (problems["status"] == status)]["id"].iloc[0])


def test_signing_in_with_the_form_wrong_then_right(office):
    at = _page("pages/problem.py")
    assert at.text_input(key="civmap_login_name") is not None and not at.get("dataframe")
    at.text_input(key="civmap_login_name").set_value("li")
    at.text_input(key="civmap_login_password").set_value("wrong password")
    at.button[0].click().run()
    assert "Wrong login name or password." in _texts(at, "error")
    at.text_input(key="civmap_login_name").set_value("li")
    at.text_input(key="civmap_login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.session_state["civmap_user"] == "li"
    assert f"Signed in as {plain('<b>li</b>')} (District head · Jiangcheng)" in _texts(at, "caption")  # text, not markup
    assert audit.trail(office.engine)["action"].tolist()[-2:] == ["login_failed", "login_ok"]
    assert "civmap_login_password" not in at.session_state


def test_an_idle_session_expires_and_says_so(office):
    at = _page("pages/problem.py", "li", seen=clock.now() - dt.timedelta(minutes=31))
    assert "civmap_user" not in at.session_state
    assert any("signed out" in text for text in _texts(at, "info"))


def test_a_district_head_sees_his_problem_and_its_moves_but_not_another_districts(office):
    mine, theirs = _problem(office, "D01", "found"), _problem(office, "D02", "found")
    other = _page("pages/problem.py", "li", {"id": theirs})
    assert _texts(other, "warning") == [f"No problem {plain(theirs)} found."] and not other.get("dataframe")
    at = _page("pages/problem.py", "li", {"id": mine})
    assert [e.label for e in at.expander] == ["Assign"]
    facts = at.dataframe[0].value
    assert office.problems().set_index("id").at[mine, "description"] in facts.iloc[:, 1].tolist()


def test_a_move_from_the_page_and_the_conflict_message(office):
    pid = _problem(office, "D01", "reported")
    at = _page("pages/problem.py", "insp", {"id": pid})
    assert [e.label for e in at.expander] == ["Check and close", "Check and send back"]
    stale = load_case(office, accounts.get_user(office.engine, "insp"), VOCAB, pid)["version"]
    at.text_area[0].set_value("复核通过")
    at.button(key="FormSubmitter:civmap_move:%s:close-Submit: Check and close" % pid).click().run()
    assert not at.exception
    assert "Done: Check and close." in _texts(at, "success")
    assert office.problems().set_index("id").at[pid, "status"] == "closed"
    at.run()  # the run after (as when a click cut the first short): the move is still confirmed
    assert "Done: Check and close." in _texts(at, "success")
    history = at.dataframe[1].value
    assert history.iloc[-1]["What"] == "Check and close" and history.iloc[-1]["By"] == "<b>insp</b>"
    # someone else's page, opened before the closing, tries to send it back
    late = _page("pages/problem.py", "op1", {"id": pid})
    late.session_state[f"civmap_seen_version:{pid}"] = stale
    assert [e.label for e in late.expander] == ["Reopen"]
    late.text_area[0].set_value("又脏了")
    late.button(key="FormSubmitter:civmap_move:%s:reopen-Submit: Reopen" % pid).click().run()
    errors = _texts(late, "error")
    assert errors and f"just changed by {plain('insp')}" in errors[0] and "Closed" in errors[0]
    assert office.problems().set_index("id").at[pid, "status"] == "closed"
    # having seen the closing, he sends it back: the inspector's page no longer says "done"
    late.text_area[0].set_value("又脏了")
    late.button(key="FormSubmitter:civmap_move:%s:reopen-Submit: Reopen" % pid).click().run()
    assert "Done: Reopen." in _texts(late, "success")
    at.run()
    assert not [text for text in _texts(at, "success") if text.startswith("Done")]


def test_the_account_page_is_for_the_office_only(office):
    refused = _page("pages/admin.py", "li")  # not in his navigation: the link opens his overview
    assert "Accounts and audit" not in _texts(refused, "title")
    assert not any("Login" in frame.value.columns for frame in refused.dataframe)
    at = _page("pages/admin.py", "op1", lang="zh")
    users = at.dataframe[0].value
    assert users["账号"].tolist() == ["insp", "li", "op1"] and "区负责人" in users["角色"].tolist()
    trail = at.dataframe[1].value
    assert (trail["操作"] == "user_add").sum() == 3
    assert PASSWORD not in trail.to_string()


def test_photos_show_with_their_flags(office, tmp_path):
    from civmap.cases import CaseRules, make_move, read_photo
    from tests.photo_samples import jpeg

    pid = _problem(office, "D01", "fixing")
    li = accounts.get_user(office.engine, "li")
    case = load_case(office, li, VOCAB, pid)
    photos = [read_photo(jpeg(case["lon"], case["lat"] + 0.018), "far.jpg", 10**7), read_photo(jpeg(), "plain.jpg",
                                                                                                 10**7)]
    make_move(office, VOCAB, li, "report", pid, case["version"], CaseRules(tmp_path / "photos"), note="好了",
              photos=photos)
    at = _page("pages/problem.py", "insp", {"id": pid})
    assert len(at.get("image")) == 2
    (flag,) = [w for w in _texts(at, "warning") if "from the problem" in w]
    assert flag.startswith("Taken 1,9") or flag.startswith("Taken 2,0")


def _param(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values (AppTest keeps one value as a string, several as a list)."""
    value = at.query_params.get(key)
    return [value] if isinstance(value, str) else list(value or [])


@pytest.mark.parametrize("lang, headers, status", [("en", ["Field", "Value"], "Found"),
                                                    ("zh", ["项目", "内容"], "待交办")])
def test_the_facts_name_the_unit_and_the_first_event_has_no_nan(office, lang, headers, status):
    problems = office.problems()
    row = problems[(problems["district_code"] == "D01") & problems["unit_code"].notna()].iloc[0]
    at = _page("pages/problem.py", "li", {"id": row["id"]}, lang=lang)
    facts, history = at.dataframe[0].value, at.dataframe[1].value
    assert facts.columns.tolist() == headers
    values = dict(zip(facts.iloc[:, 0], facts.iloc[:, 1]))
    unit_label = {"en": "Responsible unit", "zh": "责任单位"}[lang]
    assert values[unit_label] == row["unit_name"] and row["unit_name"] != row["unit_code"]
    statuses = history.iloc[:, 3].tolist()
    assert statuses[0] == status and not any("nan" in s for s in statuses)
    assert row["unit_code"] not in history.iloc[:, 5].tolist()  # the history names units too


@pytest.mark.parametrize("path", ["pages/problem.py", "pages/admin.py"])
def test_the_problem_and_accounts_pages_keep_the_view(office, path):
    at = _page(path, "op1", {"id": _problem(office, "D01", "found"), "district": "D01"}, lang="en")
    assert at.selectbox(key="lang").value == "en"
    assert _param(at, "lang") == ["en"] and _param(at, "district") == ["D01"]
    assert path != "pages/problem.py" or _param(at, "id")  # the page's own parameter stays
    at.selectbox(key="lang").set_value("zh").run()
    assert _param(at, "lang") == ["zh"]


def test_the_overview_links_a_problem_in_the_page_language(office):
    from civmap.ui.mapchannel import MapPick

    pid = _problem(office, "D01", "found")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["civmap_user"], at.session_state["civmap_seen"] = "op1", clock.now()
    at.session_state["overview__pick"] = MapPick("problems", pid)
    at.run()
    assert not at.exception, at.exception
    links = [link.proto for link in at.get("page_link")]
    assert links and all(f"id={pid}" in link.query_string and "lang=en" in link.query_string for link in links)


def test_the_reporter_of_a_fix_is_not_offered_its_closing(office, tmp_path):
    from civmap.cases import CaseRules, make_move, read_photo
    from tests.photo_samples import jpeg

    pid = _problem(office, "D01", "fixing")
    op1 = accounts.get_user(office.engine, "op1")
    case = load_case(office, op1, VOCAB, pid)
    make_move(office, VOCAB, op1, "report", pid, case["version"], CaseRules(tmp_path / "photos"), note="好了",
              photos=[read_photo(jpeg(), "after.jpg", 10**7)])
    mine = _page("pages/problem.py", "op1", {"id": pid})
    assert [e.label for e in mine.expander] == ["Check and send back"]
    assert "Another account must check and close it: you reported the fix." in _texts(mine, "caption")
    other = _page("pages/problem.py", "insp", {"id": pid})
    assert [e.label for e in other.expander] == ["Check and close", "Check and send back"]


def test_a_refused_move_does_not_show_the_last_ones_banner(office):
    pid = _problem(office, "D01", "assigned")
    at = _page("pages/problem.py", "li", {"id": pid})
    at.button(key="FormSubmitter:civmap_move:%s:start-Submit: Start fixing" % pid).click().run()
    assert "Done: Start fixing." in _texts(at, "success")
    at.button(key="FormSubmitter:civmap_move:%s:extend-Submit: Extend deadline" % pid).click().run()
    assert len(_texts(at, "error")) == 1  # the deadline is not later, the reason missing
    assert not [text for text in _texts(at, "success") if text.startswith("Done")]
    at.run()  # nor on the next run: the user has moved on
    assert not [text for text in _texts(at, "success") if text.startswith("Done")]


def test_the_photo_forms_state_the_real_limit_and_captions_name_the_actor(office, tmp_path):
    from civmap.cases import CaseRules, make_move, read_photo
    from tests.photo_samples import jpeg

    pid = _problem(office, "D01", "fixing")
    li = accounts.get_user(office.engine, "li")
    report = _page("pages/problem.py", "li", {"id": pid})
    assert {u.proto.max_upload_size_mb for u in report.get("file_uploader")} == {10}
    case = load_case(office, li, VOCAB, pid)
    make_move(office, VOCAB, li, "report", pid, case["version"], CaseRules(tmp_path / "photos"), note="好了",
              photos=[read_photo(jpeg(), "after.jpg", 10**7)])
    at = _page("pages/problem.py", "insp", {"id": pid})
    (image,) = at.get("image")
    assert image.proto.imgs[0].caption.startswith(f"After · {plain('<b>li</b>')} · ")
