"""Fill a bulletin template (docxtpl: Jinja tags inside a real .docx) into .docx bytes.

An office keeps its own template and edits it in Word; civmap fills whatever it asks
for from :func:`civmap.bulletin.context.context`. A placeholder civmap does not know is
an error that names it (:class:`TemplateError`, a ValueError, so the CLI reports it in
one line), raised before anything is filled: a bulletin with a silently empty gap is
worse than none. The check is two-fold: the template's top-level names against
:data:`~civmap.bulletin.context.PLACEHOLDERS` (docxtpl's undeclared-variable scan of
its XML), and rendering with ``StrictUndefined`` so that ``{{ race.speed }}`` fails too.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from civmap.bulletin.context import PLACEHOLDERS

__all__ = ["TemplateError", "fill", "check_template", "IMAGE_WIDTH_MM"]

#: Images fill the text width (210 − 28 − 26 mm) less a margin.
IMAGE_WIDTH_MM = 150


class TemplateError(ValueError):
    """The template cannot be filled: not a .docx, bad Jinja, or unknown placeholders."""


def _environment() -> jinja2.Environment:
    """A sandbox: a template is a file anyone with the page can upload, and plain Jinja would
    let ``{{ ''.__class__.__mro__ ... }}`` reach Python itself on the server."""
    return ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def _open(template: bytes | Path | str) -> DocxTemplate:
    doc = DocxTemplate(io.BytesIO(template) if isinstance(template, bytes) else str(template))
    try:
        doc.init_docx()  # docxtpl opens the file lazily: open it here, where a bad file is said plainly
        return doc
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError) as error:
        raise TemplateError(f"the template is not a Word .docx file ({error})") from None


def check_template(template: bytes | Path | str) -> set[str]:
    """The top-level placeholders ``template`` uses; TemplateError naming any unknown one."""
    doc = _open(template)
    try:
        used = set(doc.get_undeclared_template_variables(_environment()))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"the template's tags cannot be read: {error.message} (line {error.lineno} of its "
                            "XML)") from None
    unknown = sorted(used - set(PLACEHOLDERS))
    if unknown:
        raise TemplateError(f"the template asks for unknown placeholder(s): {', '.join(unknown)}; known: "
                            f"{', '.join(PLACEHOLDERS)}")
    return used


def fill(template: bytes | Path | str, values: dict, images: dict[str, bytes]) -> bytes:
    """The filled document as .docx bytes.

    ``values`` is the context (``context.context``); ``images`` maps image placeholders
    (``chart_trend``, ``chart_burndown``, ``map``) to PNG bytes, placed at the text width.
    """
    check_template(template)
    doc = _open(template)
    full = dict(values)
    for name, png in images.items():
        full[name] = InlineImage(doc, io.BytesIO(png), width=Mm(IMAGE_WIDTH_MM))
    try:
        doc.render(full, _environment(), autoescape=True)
    except jinja2.UndefinedError as error:
        raise TemplateError(f"the template asks for something civmap does not fill: {error.message}") from None
    except SecurityError as error:
        raise TemplateError(f"the template tries something a bulletin template may not do: {error}") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"the template cannot be filled: {error}") from None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
