"""``python -m civmap init``, ``migrate`` and ``copy-store``: create an office's empty store, on
purpose, bring one written by an earlier civmap up to date, and move a whole store to
another database (SQLite to PostgreSQL and back) with every table's rows counted.

Opening a store never creates one where an office's store was expected (a wrong path
would otherwise become an empty store showing zeros); this command is how a new one is
made, after which boundaries, points and problems are imported into it.
"""

from __future__ import annotations

import argparse
import sys

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


def _cmd_copy_store(args: argparse.Namespace) -> int:
    import os

    from sqlalchemy.engine import make_url

    from civmap.i18n import t
    from civmap.storage.copying import copy_photo_files, copy_store
    from civmap.storage.engine import make_engine, sqlite_path

    settings = load_settings()
    lang = args.lang or settings.lang
    if sqlite_path(args.source) is not None and not sqlite_path(args.source).is_file():
        from civmap.storage.health import StoreError

        raise StoreError("missing", where=str(sqlite_path(args.source)))
    source = make_engine(args.source, create=False, lock_timeout_s=settings.lock_timeout_s)
    target = make_engine(args.target, create=True, lock_timeout_s=settings.lock_timeout_s)
    report = copy_store(source, target, replace=args.replace)
    shown = {u: make_url(u).render_as_string(hide_password=True) for u in (args.source, args.target)}
    width = max(len(c.table) for c in report)
    print(f"{t('store.copy.header', lang):{width}}  {t('store.copy.source', lang):>10}  {t('store.copy.target', lang):>10}")
    for count in report:
        print(f"{count.table:{width}}  {count.source:>10,}  {count.target:>10,}")
    print(t("store.copy.done", lang, source=shown[args.source], target=shown[args.target], tables=len(report)))
    # Photos live in each store's photos folder (CIVMAP_PHOTOS_DIR, else beside the store).
    folder = {u: load_settings({**os.environ, "CIVMAP_DATABASE_URL": u}).photos_dir for u in shown}
    source_dir = args.source_photos or folder[args.source]
    target_dir = args.target_photos or folder[args.target]
    copied, missing = copy_photo_files(target, source_dir, target_dir)
    total = next(c.target for c in report if c.table == "photos")
    print(t("store.copy.photos", lang, copied=copied, total=total, source_dir=source_dir, target_dir=target_dir))
    if missing:
        print(t("store.copy.photos_missing", lang, count=len(missing), example=missing[0]), file=sys.stderr)
    return 0


def register_copy_store(sub) -> tuple[str, callable]:
    from pathlib import Path

    parser = sub.add_parser("copy-store", help="copy a whole store to another database (SQLite <-> PostgreSQL), "
                                               "every table's rows counted on both sides")
    parser.add_argument("source", metavar="FROM_URL", help="the store to copy (left unchanged)")
    parser.add_argument("target", metavar="TO_URL", help="an empty database or civmap store to copy into")
    parser.add_argument("--replace", action="store_true", help="replace every row of a target that holds data")
    parser.add_argument("--source-photos", type=Path, default=None,
                        help="the source's photos folder (default: as CIVMAP_PHOTOS_DIR or beside the source)")
    parser.add_argument("--target-photos", type=Path, default=None,
                        help="the target's photos folder (default: as CIVMAP_PHOTOS_DIR or beside the target)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    return "copy-store", _cmd_copy_store


REGISTERS = [register_init, register_migrate, register_copy_store]
