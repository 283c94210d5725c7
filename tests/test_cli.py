"""The operators' command line: seed and stats."""

import json
import subprocess
import sys
from pathlib import Path

from civmap.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_seed_builds_a_scaled_city_and_stats_counts_it(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("CIVMAP_DATABASE_URL", url)
    assert main(["seed", "--seed", "11", "--scale", "0.1", "--as-of", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert "problems" in out and "1,069" in out
    assert main(["stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["totals"]["problems"] == 1069
    assert stats["totals"]["circles"] == 60
    assert sum(d["points"] for d in stats["districts"]) == stats["totals"]["points"]
    assert {d["name"] for d in stats["districts"]} >= {"江城区", "秀山区"}
    assert main(["stats"]) == 0
    table = capsys.readouterr().out
    assert "江城区" in table and "open_problems" in table


def test_bad_input_is_an_error_message_not_a_traceback(tmp_path):
    env = {"CIVMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "civmap", "seed", "--as-of", "24/11/2026"], cwd=ROOT,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr
