"""The setup page's data: the office's set-up status, read once per data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civmap.i18n import t
from civmap.setup.stages import SetupStatus, setup_status
from civmap.setup.cli import district_table as labelled_districts, import_command, stage_rows
from civmap.storage.scope import Scope
from civmap.ui.core import cache_key, city_store, district_names, lang, vocab

__all__ = ["setup_state", "stage_table", "district_table", "vocabulary_tables", "import_command", "missing_stages",
           "setup_notice"]


@st.cache_resource(max_entries=4, show_spinner=False)
def _status(base: str, scope: Scope) -> SetupStatus:
    """Counted once per base version: a case move (a status change) counts nothing new,
    and the wall and every page ask on each data change (shared, never changed)."""
    return setup_status(city_store().within(scope))


def setup_state() -> SetupStatus:
    _, scope = cache_key()
    return _status(city_store().versions()[1], scope)


def missing_stages(needs: tuple[str, ...]) -> list[str]:
    """The stages of ``needs`` that the store has nothing of yet, in loading order."""
    status = setup_state()
    return [s.code for s in status.stages if s.code in needs and not s.loaded]


def setup_notice(needs: tuple[str, ...]) -> bool:
    """Say which of the stages a page ``needs`` are not loaded yet, with the way to the setup
    page; True when all are. A page with nothing to show says why, not a row of zeros."""
    missing = missing_stages(needs)
    if missing:
        code = lang()
        stages = t("list.sep", code).join(t(f"setup.stage.{s}", code) for s in missing)
        st.info(t("setup.notice", code, stages=stages), icon=":material/checklist:")
        st.page_link("pages/setup.py", label=t("setup.notice.link", code), icon=":material/arrow_forward:")
    return not missing


def stage_table(status: SetupStatus) -> pd.DataFrame:
    """The stages in loading order, labelled in the UI language."""
    code = lang()
    rows = pd.DataFrame(stage_rows(status, code))
    return rows.rename(columns={c: t(f"setup.col.{c}", code) for c in rows.columns})


def district_table(status: SetupStatus) -> pd.DataFrame:
    """Counts per district (names in the UI language) × stage."""
    return labelled_districts(status, district_names(), lang())


def vocabulary_tables() -> list[tuple[str, pd.DataFrame]]:
    """The vocabularies an office loads its ledgers against, with their time limits and types."""
    v, code = vocab(), lang()
    out = []
    for kind, extra in (("problem_categories", {"time_limit_days": "time_limit"}), ("statuses", {"type": "type"}),
                        ("problem_sources", {}), ("point_categories", {}), ("centre_kinds", {})):
        table = v.table(kind).reset_index()
        shown = pd.DataFrame({t("setup.vocab.col.code", code): table["code"],
                              t("setup.vocab.col.label", code): table[code]})
        for column, key in extra.items():
            values = table[column].map(lambda v: t(f"setup.type.{v}", code)) if column == "type" else table[column]
            shown[t(f"setup.vocab.col.{key}", code)] = values
        out.append((t(f"setup.vocab.{kind}", code), shown))
    return out
