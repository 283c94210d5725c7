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
    assert table.to_dict("records") == [{
        "id": "a", "description": "x", "category": "流动叫卖", "district": "江城区", "unit": "某街道办事处",
        "chief": "王伟", "status": "整改中", "deadline": dt.date(2026, 11, 23), "days_overdue": 1}]
