"""The Import page in Debian's headless Chromium: upload a sample, commit it, download the
Excel export the page builds on demand."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from civmap.config import ROOT
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.testing import running_app, wait_idle
from tests.conftest import BROWSER

pytestmark = BROWSER

WAIT = 180_000  # ms; generous, as the machine may be shared


def test_upload_commit_and_download(scratch_db_url, page):
    with running_app({"CIVMAP_DATABASE_URL": scratch_db_url}) as url:
        page.goto(f"{url}/ledger")
        page.wait_for_selector("text=台账类型", timeout=WAIT)
        wait_idle(page, WAIT, settle_ms=500)
        page.set_input_files('input[type="file"]', str(ROOT / "data" / "samples" / "points_ledger.xlsx"))
        page.wait_for_selector("text=问题行", timeout=WAIT)
        wait_idle(page, WAIT, settle_ms=500)
        page.get_by_role("button", name="确认导入 9 行").click()
        page.wait_for_selector("text=已导入：新增 8 行，更新 1 行", timeout=WAIT)
        wait_idle(page, WAIT, settle_ms=500)
        page.get_by_role("tab", name="导出").click()
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name="下载 Excel 台账（含督办清单）").click()
        data = Path(download.value.path()).read_bytes()
    store = Store(make_engine(scratch_db_url))
    assert {f"YB-P{i:03d}" for i in range(1, 9)} <= set(store.points()["id"])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["测评点位"]
    assert sheet.max_row == len(store.points()) + 1
