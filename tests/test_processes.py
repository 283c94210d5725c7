"""Several app processes on one store: a change made anywhere is seen by every process.

Two ``streamlit run dashboard.py`` servers on their own ports share one database. Both
are read first (so each holds the old figures in its caches), then a problem is closed
through civmap's case flow as a named user, from a third process. Each app's open
overview shows it at its next rerun, and a wall on the other process shows it at its next
refresh, without a reload: caches are keyed by the data version read from the database,
so no process serves what it cached before another process wrote.

``shared_store_url`` is the database the processes share: a private copy of the demo city,
on SQLite and on PostgreSQL with PostGIS (``both_backends``, tests/conftest.py).
"""

from __future__ import annotations

import ast
import re
import shutil
import time
from pathlib import Path

import pytest

from civmap import accounts
from civmap.cases import CaseRules, load_case, make_move
from civmap.filters import Filters
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.testing import running_app, wait_for
from tests.conftest import BROWSER, VOCAB

ROOT = Path(__file__).resolve().parent.parent
LOGIN, PASSWORD = "proc_inspector", "Procs-test-2026!"
OPEN_TILE = "未办结问题"
#: Seconds between the wall's data refreshes in this test (the URL's ``refresh``).
WALL_REFRESH_S = 2


@pytest.fixture
def shared_store_url(scratch_db_url) -> str:
    """The one database every app process of a test uses: a copy of the demo city of the
    test's backend."""
    return scratch_db_url


def _open_tile(page) -> int:
    """The overview's 未办结问题 figure, once the page has finished its run."""
    _, value = wait_for(page, f"""(() => {{
        if (document.querySelector('[data-testid="stStatusWidget"]')) return null;  // still running
        for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {{
            const label = m.querySelector('[data-testid="stMetricLabel"]');
            if (label && label.innerText.trim() === {OPEN_TILE!r})
                return m.querySelector('[data-testid="stMetricValue"]').innerText;
        }}
        return null;
    }})()""", timeout=120, frames=False)
    return int(value.replace(",", ""))


def _sign_in_if_asked(page) -> None:
    """Pass the sign-in form if the app shows one (demo mode signs in by itself)."""
    login = page.locator(".st-key-civmap_login_name input")
    try:
        login.wait_for(timeout=3000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: no form, nothing to do
        return
    login.fill(LOGIN)
    page.locator(".st-key-civmap_login_password input").fill(PASSWORD)
    page.keyboard.press("Enter")


def _wall_open(page) -> int:
    _, value = wait_for(page, "document.querySelector('[data-figure=open]')?.dataset.value", timeout=120,
                        frames=False)
    return int(value)


def _close_one_reported(url: str, tmp_path: Path) -> str:
    """Close (销号) one problem reported fixed, through the case flow as an inspector."""
    store = Store(make_engine(url))
    try:
        user = accounts.get_user(store.engine, LOGIN)
        reported = store.problems(Filters(statuses=("reported",)))
        problem_id = str(reported["id"].iloc[0])
        case = load_case(store, user, VOCAB, problem_id)
        moved = make_move(store, VOCAB, user, "close", problem_id, case["version"], CaseRules(tmp_path / "photos"))
        assert moved.status == "closed"
        return problem_id
    finally:
        store.engine.dispose()


@pytest.mark.both_backends
@pytest.mark.browser
@BROWSER[1]
def test_a_change_reaches_every_process_at_its_next_run(shared_store_url, browser, tmp_path):
    engine = make_engine(shared_store_url)
    if accounts.get_user(engine, LOGIN) is None:
        accounts.add_user(engine, VOCAB, "test", LOGIN, "多进程测试督查员", "inspector", password=PASSWORD)
    engine.dispose()
    env = {"CIVMAP_DATABASE_URL": shared_store_url, "CIVMAP_DATA_DIR": str(tmp_path)}
    with running_app(env) as app_a, running_app(env) as app_b:
        assert app_a != app_b
        tabs = {}
        for name, url in (("a", app_a), ("b", app_b)):
            tabs[name] = browser.new_page()
            tabs[name].goto(url)
            _sign_in_if_asked(tabs[name])
        before = {name: _open_tile(tab) for name, tab in tabs.items()}
        assert before["a"] == before["b"] > 0
        wall = browser.new_page()
        wall.set_viewport_size({"width": 1920, "height": 1080})
        wall.goto(f"{app_b}/wall?refresh={WALL_REFRESH_S}")
        _sign_in_if_asked(wall)
        wall_before = _wall_open(wall)
        assert wall_before == before["b"]
        try:
            _close_one_reported(shared_store_url, tmp_path)
            # Each session's next run: the same page run again (Streamlit's "r" shortcut),
            # no reload, so a process that kept its own copy would show the old figure.
            for name, tab in tabs.items():
                tab.locator("body").press("r")
                deadline = time.monotonic() + 60
                while (seen := _open_tile(tab)) != before[name] - 1 and time.monotonic() < deadline:
                    time.sleep(0.3)
                assert seen == before[name] - 1, f"process {name} still shows {seen} open problems"
            # The wall on process B, at its next data refresh, without a reload.
            deadline = time.monotonic() + 10 * WALL_REFRESH_S + 30
            while (seen := _wall_open(wall)) != wall_before - 1 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert seen == wall_before - 1, f"the wall still shows {seen} open problems"
        finally:
            for tab in (*tabs.values(), wall):
                tab.close()


# -- no cache may outlive a write made by another process ---------------------------------
#: Cached functions keyed by something other than the data version, and why that is safe.
NOT_DATA = {
    "settings": "the process's environment, fixed for its life",
    "_opened_store": "the engine, a connection pool: holds no rows",
    "_live_city": "the city held in memory, which asks the database for its versions at every use "
                  "(civmap.storage.live; its states are asked for by data version)",
    "_tile_set": "the tile file, keyed by its size and modification time",
    "bulletin_pdf": "a pure conversion of the Word document given",
}


def _cached_functions():
    for path in sorted((ROOT / "civmap").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    text = ast.unparse(deco)
                    if re.match(r"(st\.)?cache_(data|resource)\b|(functools\.)?(lru_cache|cache)\b", text):
                        yield path.relative_to(ROOT), node, text


def test_every_cache_of_stored_data_is_keyed_by_the_data_version():
    """A per-process cache of anything read from the database must take the version read
    from the database as its first argument; anything else is listed above with a reason,
    and module-level caches (``lru_cache``) must not read the store at all."""
    seen = []
    for path, node, deco in _cached_functions():
        seen.append(node.name)
        params = [a.arg for a in node.args.args]
        source = ast.unparse(node)
        if "lru_cache" in deco or deco in ("cache", "functools.cache"):
            assert not re.search(r"\bStore\b|engine|current_store|city_store", source), \
                f"{path}:{node.lineno} {node.name}: a process-wide lru_cache must not read the store"
            continue
        if node.name in NOT_DATA:
            continue
        if params[:1] == ["base"]:  # keyed by the base version (civmap.storage.live), which outlives
            # many data versions: not dropped with them, so its entries must be few
            assert "cache_resource" in deco and re.search(r"max_entries=\d", deco), \
                f"{path}:{node.lineno} {node.name}: a cache keyed by the base version needs max_entries"
            continue
        if "cache_resource" in deco:  # entries of older versions are dropped only when registered
            assert any(ast.unparse(d) == "versioned_resource" for d in node.decorator_list), \
                f"{path}:{node.lineno} {node.name}: a cache_resource keyed by the version needs @versioned_resource"
        assert params[:1] == ["version"], (
            f"{path}:{node.lineno} {node.name} is cached ({deco}) but not keyed by the data version: "
            f"take `version` first (civmap.ui.core.cache_key) or say in NOT_DATA why it holds no stored data")
    assert "_problems" in seen and "_wall_view" in seen  # the walk found the caches
    assert set(NOT_DATA) <= set(seen), set(NOT_DATA) - set(seen)


# -- behind nginx: the shipped configuration, proxying to two processes -------------------------
@pytest.mark.browser
@BROWSER[1]
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_example_proxies_to_two_processes_and_keeps_each_client_on_one(shared_store_url, browser, tmp_path):
    import http.client

    from civmap.testing import app_process, nginx_front, streamlit_static

    env = {"CIVMAP_DATABASE_URL": shared_store_url, "CIVMAP_DATA_DIR": str(tmp_path)}
    with app_process(env) as app_a, app_process(env) as app_b:
        ports = [int(app.url.rsplit(":", 1)[1]) for app in (app_a, app_b)]
        with nginx_front(tmp_path, ports) as url:
            listen = int(url.rsplit(":", 1)[1])
            # A page through the proxy: its run comes back over the proxied websocket.
            tab = browser.new_page()
            try:
                tab.goto(f"{url}/")
                _sign_in_if_asked(tab)
                assert _open_tile(tab) > 0
            finally:
                tab.close()
            # nginx logs the websocket once it has closed, which may follow the tab's closing; a
            # connection still open when nginx is stopped is never logged.
            deadline = time.monotonic() + 20
            while "/_stcore/stream" not in (tmp_path / "access.log").read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            # Streamlit's scripts come from nginx itself: compressed, and cached for good.
            script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', (streamlit_static() / "index.html").read_text()).group(1)
            connection = http.client.HTTPConnection("127.0.0.1", listen, timeout=10)
            connection.request("GET", f"/{script}", headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            assert response.status == 200 and response.getheader("Content-Encoding") == "gzip", response.headers
            assert "immutable" in response.getheader("Cache-Control", ""), response.headers
            assert response.getheader("Content-Type", "").startswith(("application/javascript", "text/javascript"))
            connection.close()
            # Clients from different addresses, each asking twice.
            for round_ in range(2):
                for host in range(1, 13):
                    connection = http.client.HTTPConnection("127.0.0.1", listen, timeout=10,
                                                            source_address=(f"127.0.0.{host}", 0))
                    connection.request("GET", "/_stcore/health")
                    assert connection.getresponse().status == 200
                    connection.close()
    served: dict[str, set[str]] = {}
    static: list[tuple[str, str]] = []  # (who answered, status) of the requests for Streamlit's scripts
    log = (tmp_path / "access.log").read_text()
    for line in log.splitlines():
        # "$remote_addr $upstream_addr $status $request"; a retried request lists its upstreams "a, b"
        found = re.fullmatch(r"(\S+) (.+?) (\d{3}) \S+ (\S+) .*", line)
        assert found, line
        client, upstream, status, path = found.groups()
        if path.startswith("/static/"):
            static.append((upstream, status))
            continue
        if upstream == "-":  # answered by nginx itself (a request the browser gave up as the tab closed)
            continue
        served.setdefault(client, set()).add(upstream)
        if path.startswith("/_stcore/stream"):
            assert status == "101", line  # the websocket went through
    assert "/_stcore/stream" in log, log
    # every one answered by nginx, none asked of a process (a request the closing tab gave up is 499)
    assert {upstream for upstream, _ in static} == {"-"} and ("-", "200") in static, static
    assert all(len(upstreams) == 1 for upstreams in served.values()), log  # each client stays on one
    used = set().union(*served.values())
    assert used == {f"127.0.0.1:{port}" for port in ports}, served  # and both processes serve


# -- what several processes share besides the database: the plans file -------------------------
_SAVE_PLANS = """
import datetime as dt, sys
from pathlib import Path
from civmap.planning.plans import save_plan
for n in range(int(sys.argv[3])):
    save_plan(Path(sys.argv[1]), f"{sys.argv[2]}-{n}", [("category", "C01")], dt.datetime(2026, 12, 1))
"""


def test_plans_saved_at_once_by_several_processes_are_all_kept(tmp_path):
    import subprocess
    import sys

    from civmap.planning.plans import load_plans

    path = tmp_path / "plans.json"
    writers = [subprocess.Popen([sys.executable, "-c", _SAVE_PLANS, str(path), f"p{k}", "40"], cwd=ROOT)
               for k in range(3)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    assert set(load_plans(path)) == {f"p{k}-{n}" for k in range(3) for n in range(40)}
