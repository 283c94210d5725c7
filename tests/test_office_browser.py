"""A new office's store in Debian's headless Chromium: boundaries alone, the wall and the map.

The first thing a leader opens after the boundaries are in is the wall: it must say what
is missing, not crash and not show zeros; the overview draws the office's own districts.
"""

from __future__ import annotations

import pytest

from civmap import accounts
from civmap.storage import make_engine

from civmap.testing import DRAWN, RequestLog, running_app, wait_for
from tests.conftest import BROWSER, VOCAB, office_account, sign_in_browser

pytestmark = BROWSER


def _screen_token(url: str) -> str:
    """A command-centre screen's token, issued as the office would for its wall."""
    login = office_account(url, role="wall", login="screen-test")
    engine = make_engine(url)
    try:
        return accounts.issue_token(engine, VOCAB, "operator", login, "测试大屏")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def office_app(boundaries_only):
    with running_app({"CIVMAP_DATABASE_URL": boundaries_only}) as url:
        yield url


def test_the_wall_on_a_store_with_boundaries_only_says_what_is_missing(boundaries_only, office_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log = RequestLog(office_app).attach(page)
    page.goto(f"{office_app}/wall?token={_screen_token(boundaries_only)}")
    wait_for(page, "document.querySelector('.wall-notice')", frames=False)
    text = page.inner_text(".wall-notice")
    assert "问题台账尚未导入" in text
    assert page.query_selector("[data-figure]") is None
    assert page.query_selector("[data-testid=stException]") is None
    assert log.foreign() == []


def test_the_overview_draws_the_offices_districts_and_names_the_next_step(boundaries_only, office_app, page):
    sign_in_browser(page, f"{office_app}/?lang=en", office_account(boundaries_only))
    frame, labels = wait_for(page, "document.querySelectorAll('.civmap-district-label').length")
    assert labels == 6  # the office's six districts
    assert frame.evaluate(DRAWN) is None  # and no feature layer: nothing else is loaded yet
    notice = page.inner_text("[data-testid=stAlert]")
    assert "Assessment points" in notice and "Problems" in notice
    assert page.query_selector("[data-testid=stException]") is None
