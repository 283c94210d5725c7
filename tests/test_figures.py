"""Headline figures on a hand-made selection with known answers."""

import datetime as dt

import pandas as pd

from civmap.figures import headline, overdue_days, overdue_mask
from civmap.vocab import load_vocabulary

TODAY = dt.date(2026, 11, 24)


def _problems():
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "status": ["fixing", "fixing", "reported", "closed", "closed", "assigned"],
        "deadline": [dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 1), dt.date(2026, 11, 1),
                     None, None],
    })


def test_overdue_means_not_yet_reported_fixed_after_the_deadline_day():
    vocab = load_vocabulary()
    mask = overdue_mask(_problems(), vocab, TODAY)
    # a: deadline yesterday, still fixing → overdue; b: deadline today → not yet;
    # c: reported fixed (awaiting check) → not overdue; d: closed; e, f: no deadline
    assert mask.tolist() == [True, False, False, False, False, False]
    assert overdue_days(_problems(), TODAY).tolist()[:2] == [1, 0]


def test_headline_counts_and_rates():
    vocab = load_vocabulary()
    points = pd.DataFrame({"up_to_standard": [True, True, False, None]})
    fig = headline(points, pd.DataFrame(index=range(3)), pd.DataFrame(index=range(2)), _problems(), vocab, TODAY)
    assert (fig.points, fig.up_to_standard, fig.circles, fig.alleys) == (4, 2, 3, 2)
    assert fig.up_to_standard_rate == 2 / 3, "uninspected points are not counted as failing"
    assert (fig.open, fig.overdue, fig.closed) == (4, 1, 2)
    assert fig.closing_rate == 2 / 6


def test_status_filter_narrows_open_counts_not_the_closing_rate():
    vocab = load_vocabulary()
    points = pd.DataFrame({"up_to_standard": []})
    fig = headline(points, points, points, _problems(), vocab, TODAY, statuses=("reported",))
    assert (fig.open, fig.overdue) == (1, 0)
    assert fig.closing_rate == 2 / 6


def test_empty_selection_has_no_rates():
    vocab = load_vocabulary()
    empty = _problems().iloc[0:0]
    fig = headline(pd.DataFrame({"up_to_standard": []}), empty, empty, empty, vocab, TODAY)
    assert fig.closing_rate is None and fig.up_to_standard_rate is None and fig.open == 0


def test_overdue_list_names_whose_problem_it_is():
    from civmap.figures import overdue_list

    problems = _problems().assign(description="x", category="hawking", district_code="D01",
                                  unit_code="U1", unit_name="某街道办事处", chief_name="王伟")
    table = overdue_list(problems, load_vocabulary(), TODAY, {"D01": "江城区"})
    record, = table.to_dict("records")
    assert pd.isna(record.pop("street")) and pd.isna(record.pop("address"))  # a ledger without them
    assert [record] == [{
        "description": "x", "unit": "某街道办事处", "days_overdue": 1,
        "id": "a", "category": "流动叫卖", "district": "江城区", "chief": "王伟", "status": "整改中",
        "deadline": dt.date(2026, 11, 23)}]


def test_the_overdue_list_reads_problem_street_address_unit_days_first():
    from civmap.figures import overdue_list

    problems = _problems().assign(description="x", category="hawking", district_code="D01", street_code="D01S02",
                                  address="中山路1号", unit_code="U1", unit_name="某街道办事处", chief_name="王伟")
    table = overdue_list(problems, load_vocabulary(), TODAY, {"D01": "江城区"}, "zh", {"D01S02": "西城街道"})
    assert list(table.columns[:5]) == ["description", "street", "address", "unit", "days_overdue"]
    assert table.loc[0, "street"] == "西城街道" and table.loc[0, "address"] == "中山路1号"


def test_due_soon_is_open_and_due_today_or_within_the_next_days_and_not_overdue():
    from civmap.figures import due_soon_list, due_soon_mask

    vocab = load_vocabulary()
    day = dt.timedelta(days=1)
    problems = pd.DataFrame({
        "id": ["late", "today", "in3", "in4", "fixed"], "status": ["fixing", "fixing", "found", "fixing", "reported"],
        "deadline": [TODAY - day, TODAY, TODAY + 3 * day, TODAY + 4 * day, TODAY + day],
        "description": "x", "category": "hawking", "district_code": "D01", "unit_code": "U1", "chief_name": "王伟"})
    assert due_soon_mask(problems, vocab, TODAY, 3).tolist() == [False, True, True, False, False]
    table = due_soon_list(problems, vocab, TODAY, 3, {"D01": "江城区"})
    assert table["id"].tolist() == ["today", "in3"] and table["days_left"].tolist() == [0, 3]
    assert due_soon_mask(problems.iloc[0:0], vocab, TODAY, 3).empty
