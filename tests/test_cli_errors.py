"""The command line on bad input, bad files and bad stores: one line on stderr, a non-zero exit,
no traceback; ``--debug`` shows the traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civmap.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    env = {"CIVMAP_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "civmap", *args], cwd=ROOT, capture_output=True, text=True, env=env)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_bad_argument_is_one_line_and_a_non_zero_exit(tmp_path):
    result = _cli(["seed", "--as-of", "24/11/2026"], f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert result.returncode == 2
    assert _lines(result.stderr) == [result.stderr.strip()]
    assert "--as-of" in result.stderr and "24/11/2026" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_an_error_in_a_command_is_one_line_and_debug_shows_its_traceback(demo_db_url):
    args = ["progress", "--since", "2026-11-01", "--until", "2026-10-01"]
    plain = _cli(args, demo_db_url)
    assert plain.returncode == 2 and plain.stdout == ""
    assert _lines(plain.stderr) == [plain.stderr.strip()]
    assert plain.stderr.startswith("error: --until 2026-10-01 is before --since 2026-11-01")
    assert "Traceback" not in plain.stderr

    debug = _cli(["--debug", *args], demo_db_url)
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr and "progress/cli.py" in debug.stderr
    assert debug.stderr.strip().endswith("ValueError: --until 2026-10-01 is before --since 2026-11-01")


@pytest.mark.parametrize("args, named", [
    (["seed", "--scale", "inf"], "'inf'"),
    (["seed", "--scale", "nan"], "'nan'"),
    (["seed", "--scale", "0"], "'0'"),
    (["seed", "--scale", "1e9"], "'1e9'"),
    (["progress", "--since", "2026-13-01"], "'2026-13-01'"),
    (["circles", "--tie-distance", "-1"], "'-1'"),
    (["no-such-command"], "no-such-command"),
])
def test_a_usage_mistake_is_one_line(tmp_path, monkeypatch, capsys, args, named):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(_lines(err)) == 1 and named in err and "--help" in err
    assert not (tmp_path / "x.sqlite").exists()


def _error(capsys, args: list[str]) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert len(_lines(captured.err)) == 1, captured.err
    assert captured.err.startswith("error: ") and "Traceback" not in captured.err
    return captured.err


def test_a_missing_ledger_file_is_named(app_env, tmp_path, capsys):
    missing = tmp_path / "nowhere.csv"
    assert str(missing) in _error(capsys, ["import", str(missing), "--kind", "points"])


def test_an_unwritable_export_path_is_named(app_env, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert "a-file" in _error(capsys, ["export", str(blocker / "out.xlsx")])


def test_an_unknown_district_is_named(app_env, tmp_path, capsys):
    assert "'NOPE'" in _error(capsys, ["export", str(tmp_path / "out.xlsx"), "--district", "NOPE"])
    assert not (tmp_path / "out.xlsx").exists()


def test_an_unusable_store_url_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", "nosuchdb://somewhere/x")
    assert "nosuchdb" in _error(capsys, ["stats"])


def test_a_corrupt_store_is_one_line_without_the_sql(tmp_path, monkeypatch, capsys):
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("CIVMAP_DATABASE_URL", f"sqlite:///{corrupt}")
    err = _error(capsys, ["stats"])
    assert "SELECT" not in err and "sqlalche.me" not in err


def test_a_bad_setting_is_named(app_env, monkeypatch, capsys):
    monkeypatch.setenv("CIVMAP_LANG", "xx")
    assert "CIVMAP_LANG" in _error(capsys, ["stats"])
