"""Markdown payloads in ledger text, file names and headers (AppTest): shown escaped, never as Markdown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civmap.storage import make_engine
from civmap.i18n import t
from civmap.storage.store import Store
from civmap.ui.text import plain
from civmap.vocab import load_vocabulary
from tests.hostile import MARKDOWN_PAYLOADS, PAYLOADS, poison

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


@pytest.fixture
def hostile_app(app_env, demo_db_path, tmp_path, monkeypatch):
    """The app on a copy of the demo city whose every text field holds a payload."""
    import streamlit as st

    copy = tmp_path / "hostile.sqlite"
    shutil.copy(demo_db_path, copy)
    url = f"sqlite:///{copy}"
    poison(url)
    monkeypatch.setenv("CIVMAP_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    return Store(make_engine(url))


def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _bodies(at) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    elements = [*at.markdown, *at.caption, *at.subheader, *at.header, *at.title, *at.error, *at.warning, *at.info,
                *at.success]
    return [e.value for e in elements]


def _assert_no_raw_payload(at) -> None:
    for body in _bodies(at):
        for payload in PAYLOADS:
            assert payload.strip() not in body, f"{payload!r} reached Markdown raw: {body!r}"
        assert "](" not in body.replace("\\](", "").replace("\\]\\(", ""), body


def test_circles_page_shows_names_chiefs_and_phones_as_text(hostile_app):
    at = _open("pages/circles.py")
    _assert_no_raw_payload(at)
    picked = at.selectbox(key="circles_pick").value
    circle = hostile_app.circles().set_index("id").loc[picked]
    vocab, districts = load_vocabulary(), hostile_app.district_names("zh")
    state = next(t(f"circles.state.{s}", "zh") for s in ("not_met", "met")
                 if at.subheader[0].value.endswith(t(f"circles.state.{s}", "zh")))
    assert at.subheader[0].value == f"{plain(circle['name'])} · {state}"
    detail = t("circles.detail", "zh", kind=plain(vocab.label("centre_kinds", circle["kind"], "zh")),
               district=plain(districts[circle["district_code"]]), chief=plain(circle["chief_name"]),
               phone=plain(circle["chief_phone"]), unit=plain(circle["unit_name"]))
    assert detail in [m.value for m in at.markdown]
    # The poisoned fields do hold Markdown payloads on this circle or on others.
    poisoned = " ".join(str(circle[c]) for c in ("name", "chief_name", "chief_phone", "unit_name"))
    assert any(p in poisoned for p in PAYLOADS)

    # A district chosen in the sidebar is named in the caption, escaped.
    code = next(iter(districts))
    at.multiselect(key="f_districts").set_value([code]).run()
    assert not at.exception, at.exception
    assert any(plain(districts[code]) in c.value for c in at.caption)
    _assert_no_raw_payload(at)


def test_overview_caption_names_poisoned_districts_as_text(hostile_app):
    at = _open("pages/overview.py")
    districts = hostile_app.district_names("zh")
    at.multiselect(key="f_districts").set_value(list(districts)).run()
    assert not at.exception, at.exception
    caption = at.caption[0].value
    for name in districts.values():
        assert plain(name) in caption
    _assert_no_raw_payload(at)


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


def test_ledger_page_shows_file_names_and_headers_as_text(app_env, demo_store):
    point = demo_store.points().iloc[0]
    header = ["问题编号", "问题描述", "问题类别", "经纬度", "发现日期", *MARKDOWN_PAYLOADS]
    data = _csv([header, ["H001", "测试", "牛皮癣", f"{point.lon:.6f} {point.lat:.6f}", "2024-03-05", "x", "y"]])
    name = f"{MARKDOWN_PAYLOADS[1]}.csv"
    at = _open("pages/ledger.py")
    at.selectbox(key="ledger_kind").set_value("problems")
    at.file_uploader(key="ledger_file").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    ignored = [c.value for c in at.caption if plain(MARKDOWN_PAYLOADS[0]) in c.value]
    assert len(ignored) == 1 and plain(MARKDOWN_PAYLOADS[1]) in ignored[0]
    _assert_no_raw_payload(at)

    # A file that cannot be read: its name is in the message, as text.
    at.file_uploader(key="ledger_file").set_value((f"{MARKDOWN_PAYLOADS[0]}.csv", b"\x00\x01\x02", "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert at.error and at.error[0].value.startswith(plain(f"{MARKDOWN_PAYLOADS[0]}.csv: "))
    _assert_no_raw_payload(at)
