"""The issue's "Done when" story in Chromium, two people in two browsers.

A district head signs in on a phone (390×844), sees only his district, opens an overdue
problem from the list, reports it fixed with a photo; an inspector signs in from another
browser and closes it; the overview's closed count and the wall's "closed in 7 days" each
count that closing. Screenshots of each step go to ``civmap.testing.SCREENSHOTS``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from civmap import accounts, clock
from civmap.accounts import Area
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.testing import CHROMIUM, CHROMIUM_FLAGS, SCREENSHOTS, running_app, wait_for, wait_idle
from civmap.vocab import load_vocabulary
from conftest import BROWSER
from photo_samples import jpeg

pytestmark = BROWSER
PASSWORD = "a good long password"
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
DESKTOP = dict(viewport={"width": 1440, "height": 900})


@pytest.fixture
def story(office_db_url, tmp_path):
    """An office's store with a district head (of a district with overdue problems) and an inspector."""
    store = Store(make_engine(office_db_url))
    problems = store.problems()
    late = problems[problems["status"].isin(("assigned", "fixing"))
                    & (pd.to_datetime(problems["deadline"]).dt.date < clock.today())]
    district = late["district_code"].value_counts().index[0]
    vocab = load_vocabulary()
    accounts.add_user(store.engine, vocab, "operator", "li", "李区长", "district_head", Area([district]),
                      password=PASSWORD)
    accounts.add_user(store.engine, vocab, "operator", "zhao", "赵督查", "inspector", password=PASSWORD)
    with running_app({"CIVMAP_DATABASE_URL": office_db_url, "CIVMAP_PHOTOS_DIR": str(tmp_path / "photos"),
                      "CIVMAP_LANG": "zh"}) as url:
        yield store, district, url


def _move_done(page, move: str) -> None:
    """Wait for the banner of ``move`` done; if it does not come, fail with what the page says
    instead (a refusal names its reason)."""
    try:
        wait_for(page, f"document.body.innerText.includes('已办理：{move}')", timeout=60, frames=False)
    except TimeoutError:
        alerts = page.locator("[data-testid=stAlert], [data-testid=stException]").all_inner_texts()
        raise AssertionError(f"no banner for {move}; the page says: {alerts}") from None


def _sign_in(page, login: str) -> None:
    page.locator("input[aria-label='账号']").fill(login)
    page.locator("input[aria-label='密码']").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    wait_for(page, "document.body.innerText.includes('当前用户')", timeout=60, frames=False)


def _figure(page, selector: str) -> int:
    wait_for(page, f"document.querySelector({selector!r}) !== null", timeout=90, frames=False)
    return int(str(page.locator(selector).first.get_attribute("data-value")).replace(",", ""))


def _closed_metric(page) -> int:
    tile = page.locator("[data-testid=stMetric]", has_text="已销号问题").first
    tile.wait_for(timeout=90_000)
    return int(tile.locator("[data-testid=stMetricValue]").inner_text().replace(",", ""))


def _open_page(page, title: str) -> None:
    """Follow the sidebar's link (the session lives in the tab: a fresh load would sign out)."""
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title).click()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def test_a_district_head_fixes_on_a_phone_and_an_inspector_closes(story, playwright_driver):
    store, district, url = story
    names = store.district_names()
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    try:
        office = browser.new_context(locale="zh-CN", **DESKTOP)
        phone = browser.new_context(locale="zh-CN", **PHONE)
        # the inspector's figures before: the overview's closed count and the wall's 7 days
        inspector = office.new_page()
        inspector.goto(url)
        inspector.locator("input[aria-label='账号']").wait_for(timeout=90_000)
        _shot(inspector, "signin-desktop.png")
        _sign_in(inspector, "zhao")
        closed_before = _closed_metric(inspector)
        _open_page(inspector, "指挥大屏")
        wall_before = _figure(inspector, "[data-figure=closed_week]")

        # the district head, on his phone
        head = phone.new_page()
        head.goto(url)
        head.locator("input[aria-label='账号']").wait_for(timeout=90_000)
        _shot(head, "signin-phone.png")
        _sign_in(head, "li")
        grid = head.locator(".st-key-overview_late [data-testid=stDataFrame]")
        grid.wait_for(timeout=90_000)
        grid.scroll_into_view_if_needed()
        body = head.inner_text("body")
        assert names[district] in body and not [n for c, n in names.items() if c != district and n in body]
        _shot(head, "district-head-overview-phone.png")
        box = grid.bounding_box()
        head.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection box
        link = head.get_by_role("link", name="打开问题").first
        link.wait_for(timeout=60_000)
        link.click()
        head.wait_for_url("**/problem?id=*", timeout=60_000)
        problem_id = head.url.split("id=")[1].split("&")[0]
        case = store.problems().set_index("id").loc[problem_id]
        assert case["district_code"] == district and case["status"] in ("assigned", "fixing")
        report = head.locator("[data-testid=stExpander]", has_text="报告已整改")
        report.wait_for(timeout=90_000)
        wait_idle(head)
        report.locator("summary").click()
        report.locator("textarea").fill("已清理完毕")
        report.locator("input[type=file]").set_input_files(
            files=[{"name": "现场.jpg", "mimeType": "image/jpeg",
                    "buffer": jpeg(float(case["lon"]), float(case["lat"]), clock.now().strftime("%Y:%m:%d %H:%M:%S"))}])
        report.get_by_role("button", name="提交：报告已整改").click()
        _move_done(head, "报告已整改")
        _shot(head, "problem-phone.png")
        assert store.problems().set_index("id").at[problem_id, "status"] == "reported"

        # the inspector, in another browser, opens the problem's link, signs in and closes it
        inspector.goto(f"{url}/problem?id={problem_id}")
        _sign_in(inspector, "zhao")
        close = inspector.locator("[data-testid=stExpander]", has_text="复核销号")
        close.wait_for(timeout=90_000)
        wait_idle(inspector)
        _shot(inspector, "problem-desktop.png")
        close.locator("summary").click()
        close.locator("textarea").fill("现场复核通过")
        close.get_by_role("button", name="提交：复核销号").click()
        _move_done(inspector, "复核销号")
        history = store.events()
        moves = history[history["problem_id"] == problem_id].tail(2)
        assert moves["actor"].tolist() == ["li", "zhao"] and moves["to_status"].tolist() == ["reported", "closed"]

        # the progress figures and the wall count that closing
        _open_page(inspector, "全市概览")
        wait_for(inspector, f"document.body.innerText.includes('{closed_before + 1:,}')", timeout=90, frames=False)
        assert _closed_metric(inspector) == closed_before + 1
        _open_page(inspector, "指挥大屏")
        assert _figure(inspector, "[data-figure=closed_week]") == wall_before + 1
    finally:
        browser.close()
