"""One call from a period to a finished bulletin: figures, words, pictures, document (and PDF).

The page and the CLI both call :func:`make_bulletin`, so what an office downloads and
what an operator writes from the command line are the same document.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from civmap import clock
from civmap.bulletin.context import context
from civmap.bulletin.document import fill
from civmap.bulletin.figures import BulletinData, BulletinOptions, collect
from civmap.bulletin.images import burndown_png, map_png, trend_png
from civmap.bulletin.template import default_template_path
from civmap.vocab import Vocabulary

__all__ = ["Bulletin", "make_bulletin", "render", "pdf_converter", "to_pdf", "PdfUnavailable"]

#: LibreOffice's command, looked up on the PATH (Debian: libreoffice-writer-nogui).
SOFFICE_NAMES = ("soffice", "libreoffice")
PDF_TIMEOUT_S = 180


class PdfUnavailable(OSError):
    """No PDF converter on this machine, or it failed: said plainly, never a blank file."""


@dataclass(frozen=True, eq=False)
class Bulletin:
    data: BulletinData
    values: dict
    docx: bytes


def render(data: BulletinData, vocab: Vocabulary, districts: dict[str, str], lang: str = "zh",
           template: bytes | Path | str | None = None, issued: dt.date | None = None, number: str | None = None,
           rule_text: str = "") -> Bulletin:
    """Fill ``template`` (default: civmap's own for ``lang``) with ``data``."""
    values = context(data, vocab, districts, lang, issued, number, rule_text)
    images = {"chart_trend": trend_png(data.daily, data.start, lang),
              "chart_burndown": burndown_png(data.burndown, data.race, lang),
              "map": map_png(data.areas, lang)}
    return Bulletin(data, values, fill(template or default_template_path(lang), values, images))


def make_bulletin(store, vocab: Vocabulary, options: BulletinOptions, start: dt.date, end: dt.date,
                  district: str | None = None, lang: str = "zh", template: bytes | Path | str | None = None,
                  issued: dt.date | None = None, number: str | None = None) -> Bulletin:
    """The bulletin for start..end (the city, or ``district``), issued ``issued`` (default:
    the city's today)."""
    data = collect(store, vocab, start, end, options, district, lang)
    rule = options.circle_rule.describe(lang, vocab.labels("alley_states", lang))
    return render(data, vocab, store.district_names(lang), lang, template, issued or clock.today(), number, rule)


def pdf_converter() -> str | None:
    """LibreOffice's path, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(docx: bytes) -> bytes:
    """The document as PDF through ``soffice --headless --convert-to pdf``.

    Raises PdfUnavailable saying why when LibreOffice is missing, fails or takes too long.
    Runs with a throwaway profile so it neither meets a running LibreOffice nor leaves
    settings behind.
    """
    soffice = pdf_converter()
    if soffice is None:
        raise PdfUnavailable("no PDF: LibreOffice (soffice) is not installed on this machine "
                             "(Debian: apt-get install libreoffice-writer-nogui); the .docx prints from Word")
    with tempfile.TemporaryDirectory(prefix="civmap-pdf-") as folder:
        work = Path(folder)
        source = work / "bulletin.docx"
        source.write_bytes(docx)
        command = [soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"no PDF: LibreOffice did not finish within {PDF_TIMEOUT_S} s") from None
        target = work / "bulletin.pdf"
        if done.returncode != 0 or not target.exists():
            detail = " ".join((done.stderr or done.stdout or "").split())[:300]
            raise PdfUnavailable(f"no PDF: LibreOffice failed (exit {done.returncode}) {detail}".rstrip())
        return target.read_bytes()
