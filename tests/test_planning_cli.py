"""``python -m civmap priorities``: the ranked list with its parts, on the demo city."""

import json

import pytest

from civmap.cli import main
from civmap.planning.tables import PARTS


@pytest.fixture
def demo_env(monkeypatch, demo_db_url):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)


def test_each_row_has_its_score_and_the_parts_that_made_it(demo_env, capsys):
    assert main(["priorities", "--kind", "point", "--district", "D02", "--top", "5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5 and [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert {r["district_code"] for r in rows} == {"D02"} and {r["district"] for r in rows} == {"秀山区"}
    for row in rows:
        assert row["score"] == pytest.approx(sum(row[f"part_{p}"] for p in PARTS), abs=0.01)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert rows[0]["score"] > 0


@pytest.mark.parametrize("kind", ["circle", "alley", "category"])
def test_every_kind_ranks(demo_env, capsys, kind):
    assert main(["priorities", "--kind", kind, "--top", "3", "--format", "csv", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("rank,kind,key,name") and len(lines) == 4
    assert all(f",{kind}," in line for line in lines[1:])


def test_table_and_a_bad_district(demo_env, capsys):
    assert main(["priorities", "--top", "2"]) == 0
    assert "part_standard" in capsys.readouterr().out
    assert main(["priorities", "--district", "D99"]) == 2
    assert "D99" in capsys.readouterr().err
