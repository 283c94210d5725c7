"""The sample ledgers in data/samples reject exactly the rows their README documents."""

from pathlib import Path

import pytest

from civmap import ledger
from civmap.storage import make_engine
from civmap.ledger.samples import POINT_BAD_ROWS, PROBLEM_BAD_ROWS, write_samples
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
VOCAB = load_vocabulary()
CASES = [("points_ledger.xlsx", "points", "wgs84", POINT_BAD_ROWS),
         ("problems_ledger.xlsx", "problems", "gcj02", PROBLEM_BAD_ROWS)]


def _codes(checked) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for issue in checked.issues:
        out.setdefault(issue.row, set()).add(issue.code)
    return out


@pytest.mark.parametrize("name, kind, crs, expected", CASES)
def test_shipped_samples(demo_store, name, kind, crs, expected):
    data = (ROOT / "data" / "samples" / name).read_bytes()
    checked = ledger.check_file(data, name, kind, demo_store, VOCAB, crs=crs)
    codes = _codes(checked)
    assert set(codes) == set(expected)
    assert all(expected[row] in codes[row] for row in expected)
    assert checked.summary()["good"] == checked.summary()["rows"] - len(expected)


def test_fresh_samples_import_then_the_corrected_file_updates(scratch_db_url, tmp_path):
    store = Store(make_engine(scratch_db_url))
    write_samples(store, tmp_path)
    for name, kind, crs, expected in CASES:
        checked = ledger.check_file((tmp_path / name).read_bytes(), name, kind, store, VOCAB, crs=crs)
        assert set(_codes(checked)) == set(expected)
        ledger.commit_ledger(store, checked, VOCAB)
    name = "problems_ledger_corrected.xlsx"
    corrected = ledger.check_file((tmp_path / name).read_bytes(), name, "problems", store, VOCAB, crs="gcj02")
    assert corrected.summary() == {"rows": 10, "good": 10, "bad": 0, "insert": 0, "update": 10, "same": 0,
                                   "remove": 0}
    result = ledger.commit_ledger(store, corrected, VOCAB)
    assert result.events == 10
    statuses = store.problems().set_index("id").loc[[f"YB-W{i:03d}" for i in range(1, 11)], "status"]
    assert set(statuses) == {"reported", "closed"}
