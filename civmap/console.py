"""What every subcommand of ``python -m civmap`` shares: the operator's store and printing a table.

Subcommand modules (``civmap/*/cli.py``) import this, never :mod:`civmap.cli`, so the
command line imports its subcommands plainly and nothing imports it back.
"""

from __future__ import annotations

import logging
import sys

import pandas as pd

from civmap.config import load_settings
from civmap.storage import Store

__all__ = ["act_as", "actor", "acting_role", "operator_store", "print_frame", "stop_acting"]

_LOG = logging.getLogger("civmap.console")

#: The account named by ``python -m civmap --as LOGIN`` (None: the operator).
_ACTING: list = []


def act_as(login: str) -> None:
    """Make this command act as the account ``login``: its role's area, its name in the trail.

    ValueError when there is no such account, it is disabled, or its role is unknown.
    """
    from civmap import accounts
    from civmap.storage import open_store
    from civmap.vocab import load_vocabulary

    settings = load_settings()
    engine = open_store(settings).engine
    user = accounts.get_user(engine, login)
    if user is None or user.disabled:
        raise ValueError(f"--as: no enabled account {login!r}")
    role = accounts.role_of(load_vocabulary(settings.vocab_dir), user.role)
    _ACTING[:] = [user, role]


def stop_acting() -> None:
    """The next command acts as the operator again, unless it names an account itself."""
    _ACTING.clear()


def actor() -> str:
    """Who the trail names for this command: ``--as``'s account, else the operator."""
    from civmap.audit import operator

    return _ACTING[0].login if _ACTING else operator()


def acting_role():
    """The ``Role`` of ``--as``'s account; None for the operator (who may do everything)."""
    return _ACTING[1] if _ACTING else None


def operator_store(seed_if_empty: bool | None = None) -> Store:
    """The store every subcommand reads and writes: the operator's whole city, or with
    ``--as LOGIN`` that account's area.

    Without ``--as`` the operator at the server's shell sees and changes every district,
    and is logged as such. The embedded store gets the demo city on first run, as the
    app's does (``seed_if_empty`` overrides, see ``open_first_run``).
    """
    from civmap.demo.seed import open_first_run

    store = open_first_run(load_settings(), seed_if_empty=seed_if_empty)
    if not _ACTING:
        _LOG.info("operator: whole-city store")
        return store
    from civmap.accounts import districts_of, scope_of

    user, role = _ACTING
    scope = scope_of(user, role, districts_of(store, role.scope))
    _LOG.info("acting as %s (%s)", user.login, role.code)
    return store.within(scope)


def print_frame(frame: pd.DataFrame, fmt: str, out=None) -> None:
    """Print a table as aligned text, CSV or JSON records (UTF-8, Chinese kept as is).

    CSV text cells that a spreadsheet would run as formulas get a leading apostrophe
    (``civmap.safecells``); JSON and the table show text as it is.
    """
    out = out or sys.stdout
    if fmt == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso") + "\n")
    elif fmt == "csv":
        from civmap.safecells import csv_text

        out.write(csv_text(frame))
    else:
        out.write(frame.to_string(index=False) + "\n")
