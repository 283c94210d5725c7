"""The what-if against figures recomputed from scratch after really closing the plan's
problems in a copy of the demo store."""

import datetime as dt

import pandas as pd
import pytest

from civmap.config import load_settings
from civmap.storage import make_engine
from civmap.figures import headline
from civmap.filters import Filters
from civmap.planning.inputs import load_planning
from civmap.planning.rank import rank_places
from civmap.planning.score import score_places
from civmap.planning.tables import category_weights, part_coefficients
from civmap.planning.whatif import district_figures, what_if
from civmap.progress.figures import LIST_DAYS, ranking
from civmap.storage.store import Store
from civmap.vocab import VOCAB_DIR, load_vocabulary

VOCAB = load_vocabulary()


def _plan(data):
    scored = score_places(data.facts, category_weights(VOCAB_DIR), part_coefficients(VOCAB_DIR))
    circles = rank_places(scored, "circle", data.circles, data.members, top=3)
    points = rank_places(scored, "point", top=40)
    with_open = points[points["open"] > 0].head(2)
    categories = rank_places(scored, "category", districts=("D03",), top=1)
    return ([("circle", k) for k in circles["key"]] + [("point", k) for k in with_open["key"]]
            + [("category", k) for k in categories["key"]])


def test_what_if_equals_figures_recomputed_after_closing_in_a_copy(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    settings = load_settings({"CIVMAP_DATABASE_URL": scratch_db_url})
    data = load_planning(store, VOCAB, settings)
    as_of = data.as_of
    at = dt.datetime.combine(as_of, dt.time(23, 30))
    items = _plan(data)
    effect = what_if(items, data, VOCAB, at)
    assert effect.closes_open > 5 and 0 < effect.closes_overdue <= effect.closes_open
    assert effect.districts["closes"].sum() == effect.closes_open
    districts = store.districts()["code"].tolist()
    before_open = {d: headline(store.points(Filters(districts=(d,))), [], [], store.problems(Filters(districts=(d,))),
                               VOCAB, as_of) for d in districts}

    for problem_id in effect.problems["id"]:
        store.set_status(problem_id, "closed", "what-if test", at=at)

    problems, events = store.problems(), store.events()
    names = {d: d for d in districts}
    listed = ranking(problems, events, VOCAB, "district", as_of - dt.timedelta(days=LIST_DAYS - 1), as_of,
                     names).set_index("code")
    table = effect.districts.set_index("district_code")
    passed = set(effect.places.loc[effect.places["place_type"] == "point", "place_id"])
    for d in districts:
        points = store.points(Filters(districts=(d,)))
        now = headline(points, [], [], store.problems(Filters(districts=(d,))), VOCAB, as_of)
        assert table.loc[d, "closing_after"] == pytest.approx(now.closing_rate)
        assert before_open[d].open - now.open == table.loc[d, "closes"]
        assert table.loc[d, "closing_before"] == pytest.approx(before_open[d].closing_rate)
        assert table.loc[d, "standard_before"] == pytest.approx(now.up_to_standard_rate)
        inspected = points["up_to_standard"].notna()
        up = points["up_to_standard"].fillna(False).astype(bool) | (inspected & points["id"].isin(passed))
        assert table.loc[d, "standard_after"] == pytest.approx(up[inspected].mean())
        assert table.loc[d, "on_time_after"] == pytest.approx(listed.loc[d, "on_time_rate"], nan_ok=True)
        assert table.loc[d, "rank_after"] == listed.loc[d, "rank"]
        assert table.loc[d, "mark_after"] == listed.loc[d, "mark"]
    assert (table["closing_after"] >= table["closing_before"]).all()
    assert (table["closing_after"] > table["closing_before"]).any()


def test_an_empty_plan_changes_nothing(demo_store):
    data = load_planning(demo_store, VOCAB, load_settings({}))
    effect = what_if([], data, VOCAB, dt.datetime.combine(data.as_of, dt.time(12)))
    assert effect.closes_open == 0 and effect.places.empty
    table = effect.districts
    for figure in ("standard", "closing", "on_time", "rank"):
        pd.testing.assert_series_equal(table[f"{figure}_before"], table[f"{figure}_after"], check_names=False)
    before = district_figures(data.points, data.problems, data.timeline, VOCAB, data.as_of)
    assert list(before.index) == table["district_code"].tolist()
    with pytest.raises(ValueError, match="day"):
        what_if([], data, VOCAB, dt.datetime.combine(data.as_of - dt.timedelta(days=1), dt.time(12)))
