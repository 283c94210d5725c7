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

__all__ = ["operator_store", "print_frame"]

_LOG = logging.getLogger("civmap.console")


def operator_store(seed_if_empty: bool | None = None) -> Store:
    """The store every subcommand reads and writes: the operator's, the whole city.

    The command line has no signed-in user; the operator at the server's shell sees and
    changes every district, and is logged as such. The embedded store gets the demo city
    on first run, as the app's does (``seed_if_empty`` overrides, see ``open_first_run``).
    """
    from civmap.demo.seed import open_first_run

    store = open_first_run(load_settings(), seed_if_empty=seed_if_empty)
    _LOG.info("operator: whole-city store")
    return store


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
