"""A new office's store in Debian's headless Chromium: boundaries alone, the wall and the map.

The first thing a leader opens after the boundaries are in is the wall: it must say what
is missing, not crash and not show zeros; the overview draws the office's own districts.
"""

from __future__ import annotations

import pytest

from civmap.testing import DRAWN, RequestLog, running_app, wait_for
from tests.conftest import BROWSER

pytestmark = BROWSER


@pytest.fixture(scope="module")
def office_app(boundaries_only):
    with running_app({"CIVMAP_DATABASE_URL": boundaries_only}) as url:
        yield url


def test_the_wall_on_a_store_with_boundaries_only_says_what_is_missing(office_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log = RequestLog(office_app).attach(page)
    page.goto(f"{office_app}/wall")
    wait_for(page, "document.querySelector('.wall-notice')", frames=False)
    text = page.inner_text(".wall-notice")
    assert "问题台账尚未导入" in text
    assert page.query_selector("[data-figure]") is None
    assert page.query_selector("[data-testid=stException]") is None
    assert log.foreign() == []


def test_the_overview_draws_the_offices_districts_and_names_the_next_step(office_app, page):
    page.goto(f"{office_app}/?lang=en")
    frame, labels = wait_for(page, "document.querySelectorAll('.civmap-district-label').length")
    assert labels == 6  # the office's six districts
    assert frame.evaluate(DRAWN) is None  # and no feature layer: nothing else is loaded yet
    notice = page.inner_text("[data-testid=stAlert]")
    assert "Assessment points" in notice and "Problems" in notice
    assert page.query_selector("[data-testid=stException]") is None
