"""The demo city's accounts: one per role, all with the password ``civmap-demo``.

Made by the demo seed and nowhere else, so an office's store never has them. Their areas
are picked from the generated city so each account has something to do: the district
head gets the district with the most overdue problems still being fixed, the street staff
that district's busiest such street, the responsible unit the unit with most of them.

A store is in demo mode when the demo seed wrote it (its ``demo_seed`` meta row, which
nothing else writes): the app then opens signed in as ``DEMO_DEFAULT`` and offers the
other demo accounts in the sidebar; anywhere else a demo login is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from civmap import accounts
from civmap.accounts import Area
from civmap.storage import Store
from civmap.vocab import Vocabulary

if TYPE_CHECKING:  # for annotations only: SQL stays in storage
    from sqlalchemy import Engine

__all__ = ["DEMO_PASSWORD", "DEMO_ACCOUNTS", "DEMO_DEFAULT", "DEMO_LOGINS", "SEEDER", "demo_mode",
           "make_demo_accounts"]

DEMO_PASSWORD = "civmap-demo"
#: (login, display name, role code): one account per role of the shipped roles.csv.
DEMO_ACCOUNTS = (
    ("demo-leader", "演示·市领导", "city_leader"),
    ("demo-office", "演示·创城办", "office"),
    ("demo-district", "演示·区负责人", "district_head"),
    ("demo-street", "演示·街道", "street_staff"),
    ("demo-unit", "演示·责任单位", "unit"),
    ("demo-inspector", "演示·督查员", "inspector"),
    ("demo-wall", "演示·指挥大屏", "wall"),
)
DEMO_LOGINS = tuple(login for login, _, _ in DEMO_ACCOUNTS)
#: The account the demo opens with: the office sees and may do everything.
DEMO_DEFAULT = "demo-office"
#: The actor the trail names for the accounts the seed makes.
SEEDER = "demo-seed"


def demo_mode(store: Store) -> bool:
    """Whether ``store`` was seeded as the demo city (only the demo seed writes ``demo_seed``)."""
    return store.get_meta("demo_seed") is not None


def _busiest(problems: pd.DataFrame, column: str) -> str | None:
    counts = problems[column].dropna().value_counts()
    return None if counts.empty else str(sorted(counts.index, key=lambda code: (-counts[code], code))[0])


def _areas(tables: dict[str, pd.DataFrame], as_of: dt.date) -> dict[str, Area]:
    problems = tables["problems"]
    late = problems[problems["status"].isin(("assigned", "fixing")) & (pd.to_datetime(problems["deadline"]).dt.date
                                                                      < as_of)]
    late = late if not late.empty else problems
    district = _busiest(late, "district_code")
    in_district = late[late["district_code"] == district]
    return {"district_head": Area([district] if district else []),
            "street_staff": Area(streets=[s] if (s := _busiest(in_district, "street_code")) else []),
            "unit": Area(unit=_busiest(in_district, "unit_code"))}


def make_demo_accounts(engine: Engine, vocab: Vocabulary, tables: dict[str, pd.DataFrame], as_of: dt.date) -> list[str]:
    """Create (or, on a store seeded again, reset) the demo accounts; their logins.

    A role the office's ``roles.csv`` does not have gets no demo account.
    """
    roles = accounts.roles_of(vocab)
    areas = _areas(tables, as_of)
    made = []
    for login, name, role in DEMO_ACCOUNTS:
        if role not in roles:
            continue
        area = areas.get(role, Area())
        if accounts.get_user(engine, login) is None:
            accounts.add_user(engine, vocab, SEEDER, login, name, role, area, password=DEMO_PASSWORD)
        else:
            accounts.set_role(engine, vocab, SEEDER, login, role, area)
            accounts.set_password(engine, SEEDER, login, DEMO_PASSWORD)
            accounts.set_disabled(engine, SEEDER, login, False)
        made.append(login)
    return made
