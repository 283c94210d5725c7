"""A city set up from an office's own files, stage by stage, through the import path only.

``data/samples/office`` holds the files in loading order (boundaries → units → points →
circles → alleys → inspections → problems). After each stage every page opens with no
exception, in both languages, and the figures it shows are the store's; at the end the
office's store shows the same figures a leader would compute by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import office_account, signed_in

from civmap.storage import init_store, make_engine
from civmap.config import load_settings
from civmap.ledger.office_samples import OFFICE_FILES
from civmap.setup.stages import STAGES, setup_status
from civmap.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "office"
PAGES = ["pages/overview.py", "pages/circles.py", "pages/progress.py", "pages/wall.py", "pages/ledger.py",
         "pages/setup.py"]


def _import(url: str, kind: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CIVMAP_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "civmap", "import", str(SAMPLES / OFFICE_FILES[kind]), "--kind", kind],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _pages_open(url: str, monkeypatch, lang: str) -> list[AppTest]:
    import streamlit as st

    monkeypatch.setenv("CIVMAP_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    opened, login = [], office_account(url)
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params["lang"] = lang
        at.switch_page(page)
        signed_in(at, login).run()
        assert not at.exception, (page, at.exception)
        opened.append(at)
    return opened


@pytest.fixture(scope="module")
def office_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.sqlite'}"
    assert init_store(load_settings({"CIVMAP_DATABASE_URL": url}))
    return url


def test_an_office_sets_up_its_city_stage_by_stage_and_every_page_opens(office_url, monkeypatch):
    store = Store(make_engine(office_url))
    _pages_open(office_url, monkeypatch, "zh")  # an empty store: every page says what is missing
    for number, (stage, kind) in enumerate(STAGES, start=1):
        done = _import(office_url, kind)
        assert done.returncode == 0, (kind, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        status = setup_status(store)
        assert [s.loaded for s in status.stages] == [i < number for i in range(len(STAGES))], stage
        _pages_open(office_url, monkeypatch, "zh" if number % 2 else "en")
    status = setup_status(store)
    assert status.next_stage is None and not status.is_demo
    assert len(store.circles()) == 6 and store.inspections()["ref"].is_unique


def test_every_sample_file_imports_again_unchanged(office_url):
    for _, kind in STAGES:
        done = _import(office_url, kind)
        assert done.returncode == 0, (kind, done.stderr)
        assert "新增 0 行，更新 0 行" in done.stdout, (kind, done.stdout)


def test_one_problem_in_the_whole_city_and_districts_without_any(tmp_path, monkeypatch):
    """Most districts have no problem and no inspection yet: every page still opens, and the
    overview's figures are that one problem's."""
    import openpyxl

    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    assert init_store(load_settings({"CIVMAP_DATABASE_URL": url}))
    for kind in ("boundaries", "units", "points"):
        assert _import(url, kind).returncode == 0
    store = Store(make_engine(url))
    point = store.points().sort_values("id").iloc[0]
    wb = openpyxl.Workbook()
    wb.active.append(["问题编号", "问题描述", "问题类别", "所属点位", "发现日期", "状态"])
    wb.active.append(["ONE1", "唯一的问题", "牛皮癣", point.id, "2026-01-05", "整改中"])
    ledger = tmp_path / "one.xlsx"
    wb.save(ledger)
    env = {**os.environ, "CIVMAP_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "civmap", "import", str(ledger), "--kind", "problems"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    overview = _pages_open(url, monkeypatch, "zh")[0]
    figures = {m.label: m.value for m in overview.metric}
    assert figures["未办结问题"] == "1" and figures["超期问题"] == "1"
    _pages_open(url, monkeypatch, "en")
