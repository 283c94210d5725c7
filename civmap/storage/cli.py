"""``python -m civmap init`` and ``migrate``: create an office's empty store, on purpose, and
bring one written by an earlier civmap up to date.

Opening a store never creates one where an office's store was expected (a wrong path
would otherwise become an empty store showing zeros); this command is how a new one is
made, after which boundaries, points and problems are imported into it.
"""

from __future__ import annotations

import argparse

from civmap.config import load_settings

__all__ = ["REGISTERS"]


def _cmd_init(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from civmap.storage.opening import init_store
    from civmap.i18n import t

    settings = load_settings()
    lang = args.lang or settings.lang
    created = init_store(settings)
    where = make_url(settings.database_url).render_as_string(hide_password=True)  # never print a password
    print(t("store.init.created" if created else "store.init.exists", lang, where=where))
    return 0


def register_init(sub) -> tuple[str, callable]:
    parser = sub.add_parser("init", help="create an empty store at CIVMAP_DATABASE_URL (an existing one is kept)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    return "init", _cmd_init


def _cmd_migrate(args: argparse.Namespace) -> int:
    from civmap.storage.opening import migrate_store
    from civmap.i18n import t
    from civmap.storage.schema import SCHEMA_VERSION

    settings = load_settings()
    lang = args.lang or settings.lang
    reached = migrate_store(settings)
    key = "store.migrate.done" if reached else "store.migrate.current"
    print(t(key, lang, version=reached[-1] if reached else SCHEMA_VERSION))
    return 0


def register_migrate(sub) -> tuple[str, callable]:
    parser = sub.add_parser("migrate", help="bring a store written by an earlier civmap up to this version's schema")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    return "migrate", _cmd_migrate


REGISTERS = [register_init, register_migrate]
