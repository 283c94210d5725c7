"""Roles as data: what each may see and do, read from ``roles.csv`` in the vocabulary folder.

FixMyStreet keeps a status's meaning in its type; here a role's rights are its row: the
*scope* it reads (``city``; ``district``/``street``: the user's own areas; ``unit``: the
problems assigned to the user's unit) and a yes/no per capability. Every question of the
form "may this user ..." is answered from a ``Role`` (and the case flow's moves, from
``moves.csv``), never from role names typed in a page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from civmap.vocab import Vocabulary

__all__ = ["Role", "SCOPES", "CAPABILITIES", "PAGE_RIGHTS", "roles_of", "role_of"]

#: What a role reads: the whole city, the user's districts, streets, or unit's problems.
SCOPES = ("city", "district", "street", "unit")
#: Yes/no rights, one column each in ``roles.csv``: see personal data (names, phones),
#: import and edit ledgers, manage accounts (and read the audit), record new problems,
#: sign in on a screen with a long-lived token instead of a password.
CAPABILITIES = ("personal_data", "import", "manage_accounts", "record", "screen")
#: Pages that need a right of their own (by the page's URL path); every other page is open to
#: every role but a screen's, which opens the wall and nothing else.
PAGE_RIGHTS = {"ledger": "import", "admin": "manage_accounts"}
_YES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}


@dataclass(frozen=True)
class Role:
    code: str
    zh: str
    en: str
    scope: str
    rights: frozenset[str]

    def may(self, capability: str) -> bool:
        """Whether the role has ``capability`` (one of ``CAPABILITIES``)."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r}; expected one of {', '.join(CAPABILITIES)}")
        return capability in self.rights

    def opens(self, page: str) -> bool:
        """Whether the role's navigation offers ``page`` (its URL path, ``""`` for the overview)."""
        if self.may("screen"):
            return page == "wall"
        right = PAGE_RIGHTS.get(page)
        return right is None or self.may(right)

    @property
    def reads_all(self) -> bool:
        return self.scope == "city"

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _role(code: str, row: pd.Series) -> Role:
    if row["scope"] not in SCOPES:
        raise ValueError(f"roles.csv, role {code!r}: scope {row['scope']!r} is not one of {', '.join(SCOPES)}")
    rights = set()
    for capability in CAPABILITIES:
        word = str(row[capability]).strip().lower()
        if word not in _YES:
            raise ValueError(f"roles.csv, role {code!r}: {capability} {row[capability]!r} is not true or false")
        if _YES[word]:
            rights.add(capability)
    return Role(code, str(row["zh"]), str(row["en"]), str(row["scope"]), frozenset(rights))


#: The roles parsed from a vocabulary's table, by the table's identity (the table is held, so
#: its id is not reused while it is here): every page run asks for roles several times (the
#: gate, the navigation, the demo switch), and parsing the table row by row each time cost
#: a tenth of a second a run.
_PARSED: dict[int, tuple[pd.DataFrame, dict[str, Role]]] = {}


def roles_of(vocab: Vocabulary) -> dict[str, Role]:
    """Every role of the office's ``roles.csv``, by code; raises ValueError naming a bad row."""
    table = vocab.roles
    held = _PARSED.get(id(table))
    if held is None or held[0] is not table:
        held = (table, {str(code): _role(str(code), row) for code, row in table.iterrows()})
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[id(table)] = held
    return dict(held[1])


def role_of(vocab: Vocabulary, code: str) -> Role:
    """The role ``code``; ValueError listing the known ones when there is none."""
    roles = roles_of(vocab)
    if code not in roles:
        raise ValueError(f"unknown role {code!r}; known: {', '.join(roles)}")
    return roles[code]
