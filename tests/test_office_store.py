"""An office's store loaded only from files (no ``seed``): every page opens at the first stage.

Stage one of an office's set-up is its boundaries alone: no units, points, problems or
rates yet. The wall used to crash there (a district with no on-time rate has no rank).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import office_account, signed_in

from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from civmap.progress.behind import DEFAULT_WEIGHTS, district_shares, standing
from civmap.wall.figures import district_rates
from civmap.wall.html import ranking_html
from civmap.progress.rank import rank
from civmap.progress.timeline import build_timeline

ROOT = Path(__file__).resolve().parent.parent
VOCAB = load_vocabulary()
PAGES = ["pages/overview.py", "pages/circles.py", "pages/progress.py", "pages/wall.py", "pages/ledger.py",
         "pages/setup.py"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_opens_on_a_store_with_boundaries_only(office_env, page, lang):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page(page)
    signed_in(at, office_account(os.environ["CIVMAP_DATABASE_URL"])).run()
    assert not at.exception, at.exception


def test_the_walls_list_shows_districts_without_a_rate_unranked(office_env):
    office = Store(make_engine(office_env))
    names = office.district_names("zh")
    ranked = rank(build_timeline(office.problems(), office.events(), VOCAB), "district", *_fortnight(office), names)
    assert ranked["rank"].isna().all()
    rates = district_rates(names, office.problems(), VOCAB, _fortnight(office)[1])
    table = standing(district_shares(names, ranked, rates, None), DEFAULT_WEIGHTS)
    assert table["rank"].isna().all()
    html = ranking_html(table, "zh")
    rows = re.findall(r'<span class="wall-rank">([^<]*)</span>', html)
    assert rows == ["—"] * len(names)
    for name in names.values():
        assert name in html


def _fortnight(store: Store):
    import datetime as dt

    end = store.as_of()
    return end - dt.timedelta(days=13), end


def _page(page: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page(page)
    signed_in(at, office_account(os.environ["CIVMAP_DATABASE_URL"])).run()
    assert not at.exception, at.exception
    return at


def test_pages_say_what_is_missing_instead_of_figures_from_nothing(office_env):
    overview = _page("pages/overview.py")
    notice = overview.info[0].value
    assert "测评点位" in notice and "问题台账" in notice and "行政区划边界" not in notice
    progress = _page("pages/progress.py", "en")
    assert "Problems" in progress.info[0].value
    assert not progress.metric  # no rate or count computed from no problems
    circles = _page("pages/circles.py")
    assert "重点点位圈" in circles.info[0].value and not circles.dataframe
    wall = _page("pages/wall.py")
    bodies = "\n".join(element.proto.body for element in wall.get("html"))
    assert "问题台账尚未导入" in bodies and 'data-figure="open"' not in bodies
