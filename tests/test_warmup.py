"""The first visitor after a start: Streamlit's script health check answers only once the
warm-up is done, so a service manager that asks it first sends visitors to a warm process;
a browser's run never waits for the warm-up."""

from __future__ import annotations

import threading
import time
import urllib.request

from civmap.testing import app_process
from civmap.ui import warmup


def _fresh(monkeypatch, in_check: bool) -> list[str]:
    """The warm-up module as in a new process, its work replaced by a slow stand-in."""
    done: list[str] = []

    def slow_warm() -> None:
        time.sleep(0.5)
        done.append("warm")

    monkeypatch.setattr(warmup, "_started", False)
    monkeypatch.setattr(warmup, "_done", threading.Event())
    monkeypatch.setattr(warmup, "_warm", slow_warm)
    monkeypatch.setattr(warmup, "in_health_check", lambda: in_check)
    return done


def test_the_health_check_answers_once_the_warm_up_is_done(monkeypatch):
    done = _fresh(monkeypatch, in_check=True)
    warmup.warm_up()
    assert done == ["warm"]


def test_a_visitors_run_does_not_wait_for_the_warm_up(monkeypatch):
    done = _fresh(monkeypatch, in_check=False)
    warmup.warm_up()
    assert done == []  # still warming in the background
    warmup._done.wait(10)
    assert done == ["warm"]


def test_only_the_servers_own_check_counts_as_the_health_check(demo_db_url):
    """In a real server: the check's run is recognised (it waits, then answers ok), and the
    app still serves pages afterwards; outside a server nothing is a health check."""
    assert not warmup.in_health_check()
    with app_process({"CIVMAP_DATABASE_URL": demo_db_url}) as app:
        with urllib.request.urlopen(f"{app.url}/_stcore/script-health-check", timeout=90) as response:
            assert response.status == 200 and response.read() == b"ok"
        with urllib.request.urlopen(app.url, timeout=30) as response:
            assert response.status == 200
