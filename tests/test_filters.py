"""The Filters value: normalised, hashable, URL round trip, a sentence for captions."""

import datetime as dt

import pytest

from civmap.filters import Filters
from civmap.vocab import load_vocabulary

NAMES = {"D01": "江城区", "D02": "秀山区"}


def test_order_and_duplicates_do_not_matter():
    a = Filters(districts=("D02", "D01", "D01"), statuses=["fixing"])
    b = Filters(districts=["D01", "D02"], statuses=("fixing",))
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


def test_query_params_round_trip():
    f = Filters(districts=("D01", "D02"), problem_categories=("hawking",), statuses=("fixing", "found"),
                found_from=dt.date(2026, 1, 1))
    params = f.to_query_params()
    assert params["district"] == ["D01", "D02"]
    assert Filters.from_query_params(params) == (f, ())
    assert Filters.from_query_params({"district": "D01,D02"})[0].districts == ("D01", "D02")


def test_a_filters_value_never_runs_backwards():
    with pytest.raises(ValueError, match="after"):
        Filters(found_from=dt.date(2026, 2, 1), found_until=dt.date(2026, 1, 1))


def test_describes_itself_in_both_languages():
    vocab = load_vocabulary()
    f = Filters(districts=("D01",), point_categories=("farmers_market",), statuses=("fixing",))
    zh = f.describe(vocab, NAMES, "zh")
    assert "江城区" in zh and "农贸市场" in zh and "整改中" in zh
    en = f.describe(vocab, NAMES, "en")
    assert "Farmers' market" in en and "Being fixed" in en
    assert Filters().describe(vocab, NAMES, "zh") == "全市全部数据"


def test_without_statuses_keeps_the_rest():
    f = Filters(districts=("D01",), statuses=("fixing",))
    assert f.without_statuses() == Filters(districts=("D01",))
