"""The setup page (城市设置) and ``civmap status``: stages in loading order, per district, next step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import office_account, signed_in

from civmap.storage import make_engine
from civmap.setup.stages import STAGES, setup_status
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def _setup_page(lang: str = "zh", login: str | None = None) -> AppTest:
    """The setup page through the frame: the demo's own sign-in, or ``login`` on an office store."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page("pages/setup.py")
    (signed_in(at, login) if login else at).run()
    assert not at.exception, at.exception
    return at


def test_status_of_the_demo_city_has_every_stage_loaded(demo_store):
    status = setup_status(demo_store)
    assert [s.code for s in status.stages] == [code for code, _ in STAGES]
    assert status.next_stage is None and status.is_demo
    table = status.by_district()
    assert table["points"].sum() == len(demo_store.points())
    assert table["problems"].sum() == len(demo_store.problems())
    assert table["inspections"].sum() == len(demo_store.inspections())
    assert table.loc[""].loc["units"] == (demo_store.units()["district_code"].isna()).sum()


def test_setup_page_on_the_demo_city_says_all_is_loaded(app_env, demo_store):
    at = _setup_page()
    assert at.title[0].value.startswith("城市设置")
    stages = at.dataframe[0].value
    assert stages["内容"].tolist() == ["行政区划边界", "责任单位", "测评点位", "重点点位圈", "背街小巷", "测评结果", "问题台账"]
    assert stages["已加载"].tolist()[2] == len(demo_store.points())
    assert at.success and "均已加载" in at.success[0].value
    assert any("演示城市" in i.value for i in at.info)
    limits = at.dataframe[2].value
    assert "整改时限（天）" in limits.columns
    assert limits["整改时限（天）"].tolist() == load_vocabulary().table("problem_categories")["time_limit_days"].tolist()


def test_setup_page_on_an_office_store_names_the_next_step(office_env):
    at = _setup_page("en", office_account(office_env))
    stages = at.dataframe[0].value
    assert stages["State"].tolist() == ["loaded"] + ["missing"] * 6
    assert not at.success and not at.info
    warning = at.warning[0].value
    assert "Import the responsible units" in warning and "python -m civmap import FILE --kind units" in warning
    per_district = at.dataframe[1].value
    assert per_district["Boundaries"].gt(0).all() and per_district["Problems"].eq(0).all()


def test_status_command_agrees_with_the_page(boundaries_only):
    env = {**os.environ, "CIVMAP_DATABASE_URL": boundaries_only}
    done = subprocess.run([sys.executable, "-m", "civmap", "status", "--format", "json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert [s["loaded"] for s in payload["stages"]] == [True] + [False] * 6
    assert payload["next"] == {"stage": "units", "command": "python -m civmap import FILE --kind units"}
    assert not payload["demo"]
    office = setup_status(Store(make_engine(boundaries_only)))
    assert payload["stages"][0]["count"] == office.stage("boundaries").count
    text = subprocess.run([sys.executable, "-m", "civmap", "status"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert "下一步" in text.stdout and "--kind units" in text.stdout


def test_status_lines_up_its_counts_in_either_language(demo_store):
    from civmap.setup.cli import _width, stage_lines

    status = setup_status(demo_store)
    for lang in ("zh", "en"):
        lines = stage_lines(status, lang)
        ends = {_width(line[:line.index(f"{stage.count:,}")] + f"{stage.count:,}")
                for line, stage in zip(lines, status.stages)}
        assert len(ends) == 1, lines


def test_status_of_an_empty_store_says_to_load_the_boundaries(tmp_path):
    from civmap.storage import create_schema

    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    env = {**os.environ, "CIVMAP_DATABASE_URL": url}
    for lang, says in (("zh", "尚无行政区划"), ("en", "No districts yet")):
        done = subprocess.run([sys.executable, "-m", "civmap", "status", "--lang", lang], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert says in done.stdout and "Empty DataFrame" not in done.stdout, done.stdout


def test_status_names_the_districts_in_its_language(boundaries_only):
    env = {**os.environ, "CIVMAP_DATABASE_URL": boundaries_only}
    done = subprocess.run([sys.executable, "-m", "civmap", "status", "--lang", "en"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Jiangcheng" in done.stdout and "江城区" not in done.stdout, done.stdout
