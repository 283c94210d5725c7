"""Shared fixtures: one demo city per test session, seeded into a temporary SQLite store.

``demo_db_url`` is the seeded store's URL; ``demo_store`` a ``Store`` on it;
``app_env`` points the app (AppTest or a live server) at it. Tests that write use
``scratch_db_url``, a fresh copy, so they never disturb the shared city. Browser tests
share one live app (``demo_app``) and one Chromium (``browser``), a new tab each (``page``).

Both backends: a module marked ``pytestmark = pytest.mark.both_backends`` runs each test
that uses a store fixture (``demo_db_url``, ``demo_store``, ``scratch_db_url``,
``empty_db_url``) once on SQLite and once on PostgreSQL with PostGIS. The PostgreSQL server
is ``CIVMAP_TEST_DATABASE_URL`` or a throwaway cluster started here (``tests/pgcluster.py``);
the demo city is seeded into it once per session and copied as a template per test that
writes. Without PostgreSQL binaries those tests skip locally and FAIL in CI (``CI`` set).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import warnings
from pathlib import Path

import pytest

from civmap import accounts, clock, ledger
from civmap.demo.seed import seed_demo
from civmap.storage import create_schema, make_engine
from civmap.ledger.office_samples import boundaries_geojson
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from civmap.testing import CHROMIUM, chromium, running_app
from tests import pgcluster

#: The demo's "today" in tests: the city's today, taken once for the whole session, so the
#: demo city and every figure a test computes are for the same day. Not a frozen date: the
#: browser tests run the app in its own process, on the city's real clock, and compare.
AS_OF = clock.today()
SEED = 20240601
VOCAB = load_vocabulary()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    seed_demo(engine, seed=SEED, as_of=AS_OF)
    engine.dispose()
    return path


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request) -> str:
    """The store's database: ``sqlite`` unless the module is marked ``both_backends``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_databases():
    """Databases on a PostgreSQL + PostGIS server for this session (see ``tests/pgcluster.py``)."""
    given = os.environ.get("CIVMAP_TEST_DATABASE_URL")
    if given:
        databases = pgcluster.Databases(given)
        yield databases
        databases.drop_all()
        return
    why = pgcluster.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL tests cannot run: {why}; .ci/run installs them", pytrace=False)
        pytest.skip(f"{why} (set CIVMAP_TEST_DATABASE_URL to use a running server)")
    with pgcluster.throwaway_cluster() as url:
        databases = pgcluster.Databases(url)
        yield databases
        databases.drop_all()


@pytest.fixture(scope="session")
def pg_empty_template(pg_databases) -> str:
    """An empty database with PostGIS, never connected to again: copied for each new store."""
    return pg_databases.create("empty", postgis=True)


@pytest.fixture(scope="session")
def pg_demo_template(pg_databases, pg_empty_template) -> str:
    """The demo city seeded into PostgreSQL once per session (a template for copies)."""
    name = pg_databases.create("demo_template", template=pg_empty_template)
    engine = make_engine(pg_databases.url(name))
    create_schema(engine)
    seed_demo(engine, seed=SEED, as_of=AS_OF)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def pg_demo_url(pg_databases, pg_demo_template) -> str:
    """A copy of the seeded template that read-only tests share."""
    return pg_databases.url(pg_databases.create("demo", template=pg_demo_template))


@pytest.fixture(scope="session")
def demo_db_url(backend, request) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("pg_demo_url")
    return f"sqlite:///{request.getfixturevalue('demo_db_path')}"


@pytest.fixture(scope="session")
def demo_store(demo_db_url) -> Store:
    return Store(make_engine(demo_db_url))


@pytest.fixture(scope="session")
def office_db_path(demo_db_path, tmp_path_factory):
    """The demo city as an office's own store would hold it: not seeded as the demo (no
    ``demo_seed`` mark, so no demo mode), no demo accounts, an empty audit trail."""
    from sqlalchemy import delete

    from civmap.storage import schema

    path = tmp_path_factory.mktemp("office-city") / "office.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(delete(schema.meta).where(schema.meta.c.key.like("demo_%")))
        conn.execute(delete(schema.users))
        conn.execute(delete(schema.audit))
    engine.dispose()
    return path


@pytest.fixture
def office_db_url(office_db_path, tmp_path) -> str:
    """A private copy of ``office_db_path`` for a test that writes."""
    copy = tmp_path / "office.sqlite"
    shutil.copy(office_db_path, copy)
    return f"sqlite:///{copy}"


@contextlib.contextmanager
def _pg_database(request, name: str, template: str):
    """The URL of a PostgreSQL database made for one test from the ``template`` fixture's
    database (a copy is much faster than seeding), dropped after the test."""
    databases = request.getfixturevalue("pg_databases")
    made = databases.create(name, template=request.getfixturevalue(template))
    try:
        yield databases.url(made)
    finally:
        databases.drop(made)


@pytest.fixture
def scratch_db_url(backend, request, tmp_path) -> str:
    """A private copy of the demo store for a test that writes."""
    if backend == "postgresql":
        with _pg_database(request, "scratch", "pg_demo_template") as url:
            yield url
        return
    copy = tmp_path / "scratch.sqlite"
    shutil.copy(request.getfixturevalue("demo_db_path"), copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def empty_db_url(backend, request, tmp_path) -> str:
    """A new database with no tables (PostGIS present on PostgreSQL), for a test to fill."""
    if backend == "postgresql":
        with _pg_database(request, "empty", "pg_empty_template") as url:
            yield url
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite'}"


#: The office account the tests sign in with on a store that is not the demo (no demo mode there).
OFFICE_LOGIN, OFFICE_PASSWORD = "office-test", "office-test-password"


def office_account(url: str, role: str = "office", login: str = OFFICE_LOGIN) -> str:
    """An account of ``role`` in the store at ``url`` (made once), as an office's admin would."""
    engine = make_engine(url)
    try:
        if accounts.get_user(engine, login) is None:
            password = None if role == "wall" else OFFICE_PASSWORD
            accounts.add_user(engine, VOCAB, "operator", login, "测试账号", role, password=password)
    finally:
        engine.dispose()
    return login


def signed_in(at, login: str = OFFICE_LOGIN):
    """``at`` (an AppTest of the frame) with ``login`` signed in, as the sign-in form leaves a session."""
    at.session_state["civmap_user"], at.session_state["civmap_seen"] = login, clock.now()
    return at


def sign_in_browser(page, url: str, login: str = OFFICE_LOGIN, password: str = OFFICE_PASSWORD) -> None:
    """Open ``url`` in a Chromium tab and sign ``login`` in through the form there (in either
    language); the page asked for opens after it. The tab's session keeps the sign-in, so the
    test goes on by clicking, not by loading another address (that would ask again)."""
    page.goto(url)
    form = page.locator("[data-testid=stForm]")
    form.locator("input[type=text]").fill(login, timeout=120_000)
    form.locator("input[type=password]").fill(password)
    form.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    form.wait_for(state="detached", timeout=120_000)


def map_drawn(at):
    """``at``, an AppTest of the overview, after its map was drawn in the browser: the map
    reports it and the page reruns, sending the list grid it held back on the session's
    first run (``civmap.ui.overview.first_run``). AppTest runs no component: the test reruns."""
    at.run()
    assert not at.exception, at.exception
    return at


def run_page(page: str, params: dict[str, str], timeout: float = 120, login: str | None = None,
             lang: str | None = None):
    """An AppTest of ``page`` through dashboard.py, opened on the URL ``params``, with no exception;
    ``login`` signed in (the demo's default account otherwise), in ``lang`` if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=timeout)
    if lang:
        at.session_state["lang"] = lang
    if login:
        signed_in(at, login)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def demo_app_env(demo_db_url):
    """The demo store for a whole module of AppTests that only read it, so caches may be shared."""
    import streamlit as st

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
        st.cache_resource.clear()
        st.cache_data.clear()
        yield
        st.cache_resource.clear()
        st.cache_data.clear()


@pytest.fixture
def app_env(monkeypatch, demo_db_url):
    """Point the app at the shared demo store and forget any cached store or settings."""
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield {"CIVMAP_DATABASE_URL": demo_db_url}
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def _apptest_runs_through_the_frame(monkeypatch):
    """Let every AppTest run go through ``dashboard.py``, as every run on a server does.

    ``AppTest`` resets Streamlit's old-multipage flag before each run, so its second run
    would start ``pages/x.py`` alone and ``civmap.ui.core.ensure_frame`` would start it
    again through the frame, losing the button click of that run. A server clears the flag
    once, at the first ``st.navigation``, and never sets it again; so do the tests.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _no_planar_math_on_degrees():
    """A buffer or distance computed in degrees is a bug: make geopandas' warning an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Geometry is in a geographic CRS.*")
        yield


#: Marks for browser tests: in CI a missing Chromium is a failure, not a skip (.ci/run installs it).
BROWSER = [pytest.mark.browser,
           pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                              reason=f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")]


@pytest.fixture(scope="session")
def demo_app(demo_db_url):
    """The real app on localhost, on the shared demo store, for every browser test."""
    with running_app({"CIVMAP_DATABASE_URL": demo_db_url}) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright, once per session (it cannot be started twice in one thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Debian's headless Chromium (a fresh profile), driven by Playwright."""
    with chromium(playwright_driver) as context:
        yield context


@pytest.fixture
def page(browser):
    """A fresh Chromium tab, closed after the test so that it stops polling a server that is
    gone. (The AppTest modules define their own ``page``, a Streamlit AppTest, which wins there.)"""
    tab = browser.new_page()
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def boundaries_only(demo_store, tmp_path_factory) -> str:
    """A fresh store holding the demo's districts and streets, imported as an office would."""
    url = f"sqlite:///{tmp_path_factory.mktemp('office') / 'office.sqlite'}"
    engine = make_engine(url)
    create_schema(engine)
    office = Store(engine)
    checked = ledger.check_file(boundaries_geojson(demo_store), "边界.geojson", "boundaries", office, VOCAB)
    assert not checked.issues
    ledger.commit_ledger(office, checked, VOCAB)
    engine.dispose()
    return url


@pytest.fixture
def office_env(monkeypatch, boundaries_only):
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", boundaries_only)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield boundaries_only
    st.cache_resource.clear()
    st.cache_data.clear()
