"""``python -m civmap users``, ``wall-token`` and ``audit``: the operator's account commands."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from civmap.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Passphrase"


@pytest.fixture
def store_env(monkeypatch, office_db_url):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", office_db_url)
    monkeypatch.setenv("CIVMAP_LANG", "en")
    return office_db_url


def _run(monkeypatch, argv, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_users_are_added_listed_changed_and_disabled_and_the_password_never_shows(store_env, monkeypatch, capsys):
    assert _run(monkeypatch, ["users", "add", "li", "--name", "李区长", "--role", "district_head", "--district",
                              "D01", "--password-stdin"], SECRET + "\n") == 0
    assert "Account li added (District head)" in capsys.readouterr().out
    assert _run(monkeypatch, ["users", "add", "wall1", "--name", "大屏", "--role", "wall", "--no-password"]) == 0
    assert _run(monkeypatch, ["users", "role", "li", "street_staff", "--street", "D01S01", "D01S02"]) == 0
    assert _run(monkeypatch, ["users", "passwd", "li", "--password-stdin"], "another-" + SECRET + "\n") == 0
    assert _run(monkeypatch, ["users", "disable", "wall1"]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["users", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["login"], u["role"], u["area"], u["disabled"], u["password"]) for u in listed] == [
        ("li", "street_staff", "D01S01 D01S02", False, True), ("wall1", "wall", "", True, False)]
    assert _run(monkeypatch, ["audit", "--format", "csv"]) == 0
    trail = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert trail["action"].tolist() == ["user_add", "user_add", "role_change", "user_password", "user_disable"]
    assert trail["actor"].str.startswith("operator").all()
    with open(store_env.removeprefix("sqlite:///"), "rb") as handle:
        assert SECRET.encode() not in handle.read()


def test_bad_account_input_is_one_line_naming_the_field(store_env, monkeypatch, capsys):
    assert _run(monkeypatch, ["users", "add", "li", "--name", "李", "--role", "mayor", "--password-stdin"],
                SECRET + "\n") == 2
    assert "unknown role 'mayor'" in capsys.readouterr().err
    assert _run(monkeypatch, ["users", "add", "li", "--name", "李", "--role", "office", "--password-stdin"],
                "short\n") == 2
    err = capsys.readouterr().err
    assert "password: at least 8" in err and "short" not in err.replace("at least", "")
    # no terminal and no --password-stdin: told how, instead of hanging on a prompt
    assert _run(monkeypatch, ["users", "add", "li", "--name", "李", "--role", "office"]) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert _run(monkeypatch, ["users", "disable", "nobody"]) == 2
    assert "no account 'nobody'" in capsys.readouterr().err


def test_wall_tokens_are_printed_once_listed_without_secret_and_revoked(store_env, monkeypatch, capsys):
    _run(monkeypatch, ["users", "add", "wall1", "--name", "大屏", "--role", "wall", "--no-password"])
    capsys.readouterr()
    assert _run(monkeypatch, ["wall-token", "issue", "wall1", "--label", "指挥中心主屏"]) == 0
    issued = capsys.readouterr()
    token = issued.out.strip()
    assert len(token) >= 40 and "shown this once" in issued.err
    assert _run(monkeypatch, ["wall-token", "list", "--format", "json"]) == 0
    listed = capsys.readouterr().out
    assert token not in listed and json.loads(listed)[0]["label"] == "指挥中心主屏"
    assert _run(monkeypatch, ["wall-token", "revoke", "1"]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["audit", "--format", "json", "--action", "token_issue", "token_revoke"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows] == ["token_issue", "token_revoke"] and token not in json.dumps(rows)


def test_an_import_from_the_command_line_is_in_the_trail(store_env, monkeypatch, capsys, tmp_path):
    out = tmp_path / "d01.xlsx"
    assert _run(monkeypatch, ["export", str(out), "--district", "D01"]) == 0
    assert _run(monkeypatch, ["import", str(out), "--kind", "problems"]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["audit", "--since", "2000-01-01", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    detail = json.loads(row["detail"])
    assert row["action"] == "import" and row["subject"] == "d01.xlsx" and row["actor"].startswith("operator")
    assert detail["unchanged"] > 0 and detail["inserted"] == 0 and detail["kind"] == "problems"
    assert _run(monkeypatch, ["audit", "--since", "2999-01-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_audit_csv_keeps_a_formula_as_text(store_env, monkeypatch, capsys):
    assert _run(monkeypatch, ["users", "add", "evil", "--name", "=HYPERLINK(\"http://x\")", "--role", "office",
                              "--password-stdin"], SECRET + "\n") == 0
    from civmap.audit import record_now
    from civmap.storage.engine import make_engine

    record_now(make_engine(store_env), "=cmd|' /C calc'!A0", "login_failed", "@SUM(1)")
    capsys.readouterr()
    assert _run(monkeypatch, ["audit", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert "'=cmd|" in text and "'@SUM(1)" in text


def test_help_and_an_unknown_action_do_not_trace(tmp_path):
    env = {"CIVMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "civmap", "audit", "--action", "fly"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "invalid choice" in done.stderr and "Traceback" not in done.stderr
