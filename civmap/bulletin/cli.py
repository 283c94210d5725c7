"""``python -m civmap bulletin``: write the fortnightly bulletin (通报) as a Word document.

The same :func:`civmap.bulletin.report.make_bulletin` as the Bulletin page, so the file
written here and the one downloaded there are the same document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable

from civmap.bulletin.figures import options_from, parse_period
from civmap.config import load_settings

__all__ = ["REGISTERS"]


def _period(text: str) -> tuple[dt.date, dt.date]:
    try:
        return parse_period(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _register(sub) -> tuple[str, Callable[[argparse.Namespace], int]]:
    parser = sub.add_parser("bulletin", help="write the bulletin (通报) for a period as .docx (and .pdf)")
    parser.add_argument("out", metavar="OUT.docx", type=Path, help="where to write the document")
    parser.add_argument("--period", type=_period, required=True, metavar="FIRST..LAST",
                        help="the period, e.g. 2026-11-16..2026-11-29 (both days included)")
    parser.add_argument("--district", default=None, metavar="CODE",
                        help="a district's own bulletin, ranking its streets and units (default: the city)")
    parser.add_argument("--template", type=Path, default=None, metavar="FILE",
                        help="the office's .docx template (default: civmap's, data/templates/bulletin_<lang>.docx)")
    parser.add_argument("--number", default=None, help="the issue number (文号), e.g. 创城办通〔2026〕24号")
    parser.add_argument("--issued", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="date of issue (default: the city's today)")
    parser.add_argument("--pdf", action="store_true", help="also write OUT.pdf (needs LibreOffice)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="language (default: CIVMAP_LANG)")
    return "bulletin", _run


def _run(args: argparse.Namespace) -> int:
    from civmap.bulletin.report import make_bulletin, to_pdf
    from civmap.console import operator_store
    from civmap.vocab import load_vocabulary

    settings = load_settings()
    lang = args.lang or settings.lang
    if args.out.suffix.lower() != ".docx":
        raise ValueError(f"{args.out}: the output must be a .docx file")
    if args.template is not None and not args.template.is_file():
        raise ValueError(f"--template {args.template}: no such file")
    start, end = args.period
    store = operator_store()
    bulletin = make_bulletin(store, load_vocabulary(settings.vocab_dir), options_from(settings), start, end,
                             args.district, lang, args.template, args.issued, args.number)
    args.out.write_bytes(bulletin.docx)
    print(f"wrote {args.out} ({len(bulletin.docx):,} bytes)")
    if args.pdf:
        pdf = args.out.with_suffix(".pdf")
        pdf.write_bytes(to_pdf(bulletin.docx))  # PdfUnavailable is an OSError: one line, exit 2
        print(f"wrote {pdf}", file=sys.stdout)
    return 0


REGISTERS = [_register]
