"""Helpers shared by the browser tests and the benchmarks: a live app and a headless Chromium.

Like ``streamlit.testing``, these ship with the package so that ``tests/`` and ``bench/``
drive the app the same way. Chromium is Debian's (``/usr/bin/chromium``), launched by
Playwright with ``executable_path``; no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from civmap.config import ROOT

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "DRAWN", "NGINX_CONF", "SCREENSHOTS", "free_port", "AppProcess",
           "app_process", "running_app", "nginx_conf", "nginx_front", "streamlit_static", "chromium", "wait_for", "wait_idle", "RequestLog"]

CHROMIUM = os.environ.get("CIVMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


#: How many features layers.js has drawn on the map in a frame (set once every batch is drawn).
DRAWN = "document.documentElement.getAttribute('data-civmap-drawn')"

#: Where browser tests save their screenshots (``docs/screenshots`` to refresh the README's).
SCREENSHOTS = Path(os.environ.get("CIVMAP_SCREENSHOT_DIR", ROOT / "var" / "screenshots"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """Whether the app's health check at ``url`` answers before ``process`` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)


@dataclass(frozen=True)
class AppProcess:
    """A live app: its base URL and the process serving it (for its resident memory)."""

    url: str
    pid: int


@contextlib.contextmanager
def app_process(env: dict[str, str] | None = None, port: int | None = None, timeout: float = 90.0,
                options: dict[str, str] | None = None, script: Path | None = None,
                warm: bool = False) -> Iterator[AppProcess]:
    """Start ``streamlit run dashboard.py`` (or ``script``) on localhost; yield its URL and process id.

    ``options`` are further Streamlit options (``{"secrets.files": path}``: the secrets of
    a single sign-on test, without a ``.streamlit/secrets.toml`` in the repository).
    ``warm``: once it answers, ask its script health check, as a service manager would after
    a start (it starts the app's cache warm-up, ``civmap.ui.warmup``).
    """
    port = port or free_port()
    full_env = {**os.environ, **(env or {})}
    log = tempfile.NamedTemporaryFile(prefix="civmap-app-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *(f"--{k}={v}" for k, v in (options or {}).items())],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not _healthy(url, process, timeout):
            raise RuntimeError(f"the app did not start; see {log.name}:\n{Path(log.name).read_text()[-3000:]}")
        if warm:
            with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=timeout) as response:
                response.read()
        yield AppProcess(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, port: int | None = None, timeout: float = 90.0,
                options: dict[str, str] | None = None, script: Path | None = None,
                warm: bool = False) -> Iterator[str]:
    """Start the app on localhost and yield its base URL (see ``app_process``)."""
    with app_process(env, port, timeout, options, script, warm) as app:
        yield app.url


#: The reverse proxy the README's production set-up ships.
NGINX_CONF = ROOT / "deploy" / "nginx" / "civmap.conf"


def streamlit_static() -> Path:
    """Where the installed streamlit package keeps the scripts ``NGINX_CONF`` has nginx serve
    itself (found, not imported: civmap runs without Streamlit outside ``civmap.ui``)."""
    return Path(importlib.util.find_spec("streamlit").origin).parent / "static"


def nginx_conf(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx/civmap.conf as shipped, on ``listen`` in front of the app processes on
    ``upstreams`` (two: the file's two example lines), its ``root`` the installed Streamlit's,
    inside a minimal nginx.conf in ``folder`` that logs which process answered each client
    address (``access.log``: "$remote_addr $upstream_addr $status $request")."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{upstreams[0]};")
    site = site.replace("server 127.0.0.1:8502;", f"server 127.0.0.1:{upstreams[1]};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    root = f"root {streamlit_static()};"
    site = site.replace("root /opt/civmap/venv/lib/python3.11/site-packages/streamlit/static;", root)
    if f":{upstreams[1]};" not in site or f":{listen};" not in site or root not in site:
        raise ValueError(f"{NGINX_CONF} no longer has its example ports or Streamlit folder")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(exist_ok=True)
        (folder / name).chmod(0o777)  # nginx's workers drop root
    (folder / "civmap.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {folder / name};" for kind, name in (
        ("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"), ("scgi", "scgi")))
    # As Debian's nginx.conf: the MIME types (a script must be sent as one); as root, workers
    # that can read the package wherever this Python put it.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(f"""{user}worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    log_format upstream '$remote_addr $upstream_addr $status $request';
    access_log {folder / 'access.log'} upstream;
{temp}
    include {folder / 'civmap.conf'};
}}
""", encoding="utf-8")
    return main


@contextlib.contextmanager
def nginx_front(folder: Path, upstreams: list[int], timeout: float = 20.0) -> Iterator[str]:
    """nginx with ``nginx_conf`` in front of ``upstreams``: yields its base URL once it
    answers the app's health check; stopped after."""
    listen = free_port()
    conf = nginx_conf(folder, listen, upstreams)
    checked = subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(checked.stderr)
    process = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{listen}"
    try:
        if not _healthy(url, process, timeout):
            raise RuntimeError(f"nginx did not answer; see {folder / 'error.log'}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def chromium(playwright) -> Iterator:
    """Debian's Chromium, headless, with a fresh profile and the machine's required flags."""
    with tempfile.TemporaryDirectory(prefix="civmap-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        try:
            yield context
        finally:
            context.close()


def open_until_shown(combobox, option, tries: int = 5, settle_ms: float = 400) -> None:
    """Open a select's list (the locator ``combobox``) until ``option`` (a locator) shows and
    stays shown for ``settle_ms``: a list opened while the page still runs can close again as
    the run redraws it, and on a loaded machine a list opened just after another one was
    closed can shut itself about 0.1 s later with no run at all (seen with Streamlit 1.67's
    multiselect; the next click opens it for good). Clicking only a closed list keeps a slow
    opening from being clicked shut."""
    for _ in range(tries):
        if not option.is_visible():
            combobox.click()
        with contextlib.suppress(Exception):  # playwright's timeout: open the list again
            option.wait_for(state="visible", timeout=3000)
            combobox.page.wait_for_timeout(settle_ms)
            if option.is_visible():
                return
    raise AssertionError(f"{option} did not stay shown after {tries} tries at opening {combobox}")


def wait_idle(page, timeout_ms: float = 90_000, settle_ms: float = 300) -> None:
    """Wait until Streamlit has finished running the page (its status widget is gone), after
    ``settle_ms`` for a rerun just asked to start: a form filled while the page still draws
    can be drawn again under the typing hand."""
    page.wait_for_timeout(settle_ms)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def wait_for(page, expression: str, timeout: float = 90.0, frames: bool = True, poll: float = 0.05):
    """The first (frame, value) where the JavaScript ``expression`` is truthy.

    Streamlit renders maps and HTML in iframes that appear and vanish as it reruns,
    so every frame of the page is asked in turn until one answers or time runs out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in (page.frames if frames else [page.main_frame]):
            try:
                value = frame.evaluate(expression)
            except Exception:  # noqa: BLE001 - a frame can be detached while it is asked
                continue
            if value:
                return frame, value
        time.sleep(poll)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {expression}")


class RequestLog:
    """Every request a page (and its iframes) makes, to prove none leaves the app's host."""

    def __init__(self, app_url: str):
        self.app_host = urlparse(app_url).netloc
        self.urls: list[str] = []

    def attach(self, page) -> "RequestLog":
        """Listen on one page (its iframes included), so other tabs' polling is not counted."""
        page.on("request", lambda request: self.urls.append(request.url))
        return self

    def foreign(self) -> list[str]:
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if parsed.netloc != self.app_host:
                out.append(url)
        return out
