"""``python -m civmap import`` and ``python -m civmap export``: ledgers from the command line.

They call the same functions as the Import page, so both give the same result on the
same file. ``import`` exits 0 when every row was good, 1 when some rows were rejected
(the good ones are still imported, unless ``--dry-run``), 2 when the file as a whole
cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civmap.config import load_settings
from civmap.i18n import t
from civmap.ledger.columns import KINDS

__all__ = ["REGISTERS", "EXPORT_FORMATS"]

#: ``civmap.ledger.export.FORMATS``, spelled out so ``--help`` does not import openpyxl and
#: geopandas; tests/test_open311.py checks the two agree.
EXPORT_FORMATS = ("xlsx", "geojson", "open311", "open311-xml", "open311-services", "open311-services-xml")


def _store():
    from civmap.console import operator_store

    return operator_store()


def _vocab():
    from civmap.vocab import load_vocabulary

    return load_vocabulary(load_settings().vocab_dir)


def _lang(args) -> str:
    return args.lang or load_settings().lang


def _cmd_import(args: argparse.Namespace) -> int:
    from civmap.console import print_frame
    from civmap.ledger import (
        ImportOptions, LedgerError, Limits, check_file, commit_ledger, committed_text, issues_frame, notes_text,
        rejects_csv, summary_text,
    )

    from civmap.console import acting_role

    lang = _lang(args)
    role = acting_role()
    if role is not None and not role.may("import") and not args.dry_run:
        raise ValueError(f"--as: role {role.code!r} may not import ledgers (--dry-run checks a file); nothing was written")
    path = Path(args.file)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    if args.rejects and not Path(args.rejects).parent.is_dir():  # say so before anything is written
        raise ValueError(f"--rejects {args.rejects}: the folder {Path(args.rejects).parent} does not exist")
    store, vocab = _store(), _vocab()
    settings = load_settings()
    limits = Limits.from_settings(settings)
    options = ImportOptions(create_units=args.create_units, standard_score=settings.standard_score, year=args.year)
    try:
        limits.check_size(path.stat().st_size, path.name)  # before reading it whole
        checked = check_file(path.read_bytes(), path.name, args.kind, store, vocab, crs=args.crs, limits=limits,
                             options=options)
    except LedgerError as error:
        print(f"error: {path.name}: {error.message(lang)}", file=sys.stderr)
        return 2
    for note in notes_text(checked, lang):
        print(note)
    print(summary_text(checked, lang))
    if checked.issues:
        print()
        print_frame(issues_frame(checked, lang), "table")
        rejects = Path(args.rejects) if args.rejects else path.with_name(f"{path.stem}.rejects.csv")
        rejects.write_bytes(rejects_csv(checked, lang))
        print(t("ledger.cli.rejects_written", lang, path=rejects))
    if args.dry_run:
        print(t("ledger.cli.dry_run", lang))
    elif checked.records:
        from civmap.audit import record_import
        from civmap.console import actor

        result = commit_ledger(store, checked, vocab)
        record_import(store.engine, actor(), path.name, args.kind, result)
        print(committed_text(result, lang))
    return 1 if checked.issues else 0


def _districts(store, wanted: list[str]) -> tuple[str, ...]:
    """District codes from codes or names given on the command line."""
    from civmap.ledger.reference import Names

    districts = store.districts()
    names = Names.build(((r.code, [r.name, r.name_en]) for r in districts.itertuples()), strip_suffixes=True)
    codes = []
    for value in wanted:
        code = names.find(value)
        if code is None:
            close = names.suggest(value)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise ValueError(f"unknown district {value!r}{hint}")
        codes.append(code)
    return tuple(codes)


def _format_of(out: Path) -> str:
    """The export format a file name asks for: ``services.json``/``services.xml`` the Open311
    service list, other ``.json``/``.xml`` Open311 requests, ``.geojson`` GeoJSON, else Excel.
    The names are GeoReport v2's own, so ``export services.xml`` does what it says."""
    suffix = out.suffix.lower()
    services = out.stem.lower().endswith("services")
    if suffix in (".json", ".xml"):
        fmt = "open311-services" if services else "open311"
        return f"{fmt}-xml" if suffix == ".xml" else fmt
    return "geojson" if suffix == ".geojson" else "xlsx"


def _cmd_export(args: argparse.Namespace) -> int:
    from civmap.filters import Filters
    from civmap.ledger.export import export_as

    out = Path(args.out)
    fmt = args.format or _format_of(out)
    store, vocab = _store(), _vocab()
    filters = Filters(districts=_districts(store, args.district or []))
    data = export_as(fmt, store, filters, vocab, store.as_of(), photos_dir=load_settings().photos_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    lang = _lang(args)
    print(t("ledger.cli.exported", lang, path=out, detail=filters.describe(vocab, store.district_names(lang), lang)))
    return 0


def _year(text: str) -> int:
    """A ``--year``: four digits, not before the earliest date a ledger may hold."""
    from civmap.ledger.limits import EARLIEST_DATE

    if not (text.isascii() and text.isdigit() and len(text) == 4 and int(text) >= EARLIEST_DATE.year):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year from {EARLIEST_DATE.year} on, such as 2026")
    return int(text)


def register_import(sub) -> tuple[str, callable]:
    parser = sub.add_parser("import", help="check a ledger file and import its good rows (one transaction)")
    parser.add_argument("file", help=".xlsx/.xls/.ods/.csv/.geojson ledger, or a zipped Shapefile for boundaries")
    parser.add_argument("--kind", required=True, choices=KINDS,
                        help="what the file holds; an office loads them in this order")
    parser.add_argument("--create-units", action="store_true",
                        help="create the responsible units the ledger names that the store does not know "
                             "(listed in the report) instead of rejecting their rows")
    parser.add_argument("--crs", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                        help="where the coordinates were picked: GPS/Tianditu (wgs84), AMap/Tencent (gcj02), "
                             "Baidu (bd09); converted to WGS-84")
    parser.add_argument("--year", type=_year, default=None,
                        help="the year of dates written without one (3月5日, 3-5, 3/5); "
                             "without it such dates are rejected")
    parser.add_argument("--rejects", default=None,
                        help="CSV file for the rejected rows (default: FILE.rejects.csv next to the ledger)")
    parser.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the report")
    return "import", _cmd_import


def register_export(sub) -> tuple[str, callable]:
    parser = sub.add_parser("export", help="export the selection as Excel, GeoJSON or Open311 (JSON or XML)")
    parser.add_argument("out", help="output file (OUT.xlsx, OUT.geojson, requests.json|xml, services.json|xml)")
    parser.add_argument("--district", action="extend", nargs="+", help="district code(s) or name(s)")
    parser.add_argument("--format", choices=EXPORT_FORMATS, default=None,
                        help="open311 = GeoReport v2 requests, open311-services = its service list (one "
                             "service per problem category; ignores --district), -xml = the XML form. "
                             "Default: from OUT's name: *services.json/.xml = open311-services[-xml], "
                             "other .json/.xml = open311[-xml], .geojson = geojson, else xlsx")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    return "export", _cmd_export


REGISTERS = [register_import, register_export]
