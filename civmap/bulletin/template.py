"""The default bulletin template, built with python-docx in the 公文 layout (GB/T 9704).

The committed ``data/templates/bulletin_zh.docx`` and ``bulletin_en.docx`` are made by
:func:`write_default_templates` (``python -m civmap.bulletin.template``), so the layout is
code anyone can read and re-run, while an office edits its own copy in Word: the
placeholders are docxtpl's Jinja tags (``{{ summary }}``, ``{%tr for r in headline %}``),
listed in :data:`civmap.bulletin.context.PLACEHOLDERS`.

Layout (GB/T 9704-2012): A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
title 2号 (22 pt) 方正小标宋简体; body 3号 (16 pt) 仿宋_GB2312 at a fixed 28 pt line
(22 lines a page), first line indented two characters; level-1 headings 3号 黑体; page
numbers 4号 (14 pt) 宋体 "— 1 —" in the footer. Every run names its Chinese font in
``w:eastAsia`` (Word picks a run's CJK font from there, not from ``w:ascii``), with Times
New Roman for Latin text, and the font table gives each 公文 font a fallback (``w:altName``)
for machines without the GB2312 fonts.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from civmap.config import ROOT
from civmap.i18n import t

__all__ = ["TEMPLATE_DIR", "default_template_path", "build_template", "write_default_templates", "FONTS"]

TEMPLATE_DIR = ROOT / "data" / "templates"
#: role → (East-Asian font, its fallback): what 公文 use, and what Windows has anyway.
FONTS = {"body": ("仿宋_GB2312", "仿宋"), "title": ("方正小标宋简体", "宋体"), "heading": ("黑体", "SimHei"),
         "page": ("宋体", "SimSun")}
_LATIN = "Times New Roman"
_TEXT_WIDTH_MM = 210 - 28 - 26
_RED = RGBColor(0xC8, 0x10, 0x2E)


def default_template_path(lang: str = "zh") -> Path:
    return TEMPLATE_DIR / f"bulletin_{'en' if lang == 'en' else 'zh'}.docx"


def _fonts(target, role: str, size: float, bold: bool = False) -> None:
    """Set a style's or run's fonts: Latin, East-Asian (``w:eastAsia``) and size."""
    font = target.font
    font.name, font.size, font.bold = _LATIN, Pt(size), bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), _LATIN)
    fonts.set(qn("w:eastAsia"), FONTS[role][0])
    fonts.set(qn("w:hint"), "eastAsia")


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _fonts(normal, "body", 16)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32)  # two characters of 16 pt
    for name, role, size, align in (("Bulletin Title", "title", 22, WD_ALIGN_PARAGRAPH.CENTER),
                                    ("Bulletin Heading", "heading", 16, None),
                                    ("Bulletin Caption", "heading", 12, WD_ALIGN_PARAGRAPH.CENTER),
                                    ("Bulletin Table", "body", 10.5, None)):
        style = doc.styles.add_style(name, 1)
        style.base_style = normal
        _fonts(style, role, size)
        style.paragraph_format.first_line_indent = Pt(0) if name != "Bulletin Heading" else Pt(32)
        if align is not None:
            style.paragraph_format.alignment = align
        if name == "Bulletin Title":
            style.paragraph_format.line_spacing = Pt(36)
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(12)
        if name == "Bulletin Table":
            style.paragraph_format.line_spacing = Pt(16)


def _font_fallbacks(doc) -> None:
    """Add each 公文 font to the font table with its fallback (``w:altName``)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, fallback in FONTS.values():
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): fallback})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name != "黑体" else "swiss"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    """``— PAGE —`` centred in the footer, 4号 宋体 (GB/T 9704 7.5)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def run(text: str = ""):
        r = paragraph.add_run(text)
        _fonts(r, "page", 14)
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
        elif text == " PAGE ":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            r._r.append(code)
        else:
            r.text = text
    run(" —")


def _bottom_rule(paragraph, color: str = "C8102E", size: int = 12) -> None:
    """A red rule under the masthead (版头中的分隔线)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _para(doc, text: str = "", style: str | None = None, align=None, indent: bool = True):
    paragraph = doc.add_paragraph(text, style=style)
    if align is not None:
        paragraph.alignment = align
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def _image(doc, placeholder: str) -> None:
    """A paragraph for a picture: single line spacing, as an exact 28 pt line would crop it."""
    paragraph = _para(doc, "{{ " + placeholder + " }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.space_before = Pt(6)


def _table(doc, headers: list[str], cells: list[str], loop: str, widths: tuple[float, ...] = ()) -> None:
    """A table: a header row, then one row per item of ``loop`` (``r in rows``);
    ``widths`` are relative column widths over the text width (default: equal)."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = table.rows
    for cell, text in zip(rows[0].cells, headers):
        cell.text = text
    rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(rows[2].cells, cells):
        cell.text = text
    rows[3].cells[0].text = "{%tr endfor %}"
    for row in rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = "Bulletin Table"
    for cell in rows[0].cells:
        for r in cell.paragraphs[0].runs:
            r.bold = True
    if widths:
        table.autofit = False
        total = sum(widths)
        for index, share in enumerate(widths):
            for cell in table.columns[index].cells:
                cell.width = Mm(_TEXT_WIDTH_MM * share / total)


def build_template(lang: str = "zh"):
    """The default bulletin template as a python-docx ``Document`` (see the module docstring)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _styles(doc)
    _font_fallbacks(doc)
    _page_number_footer(section)

    masthead = _para(doc, "{{ office }}", "Bulletin Title")
    for r in masthead.runs:
        r.font.color.rgb = _RED
    number = _para(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _bottom_rule(number)
    _para(doc, "{{ title }}", "Bulletin Title")
    _para(doc, "{{ recipients }}", indent=False)
    _para(doc, "{{ opening }}")

    col = lambda key: t(f"bulletin.col.{key}", lang)  # noqa: E731
    _para(doc, t("bulletin.h.overview", lang), "Bulletin Heading")
    _para(doc, "{{ summary }}")
    _para(doc, "{{ captions.headline }}", "Bulletin Caption")
    _table(doc, [col("figure"), col("now"), col("before"), col("change")],
           ["{{ r.label }}", "{{ r.now }}", "{{ r.before }}", "{{ r.change }}"], "r in headline", (4, 2, 2, 3))
    _image(doc, "chart_trend")
    _para(doc, "{{ captions.trend }}", "Bulletin Caption")

    _para(doc, t("bulletin.h.lists", lang), "Bulletin Heading")
    _para(doc, "{{ rank_rule }}")
    rank_headers = [t("progress.col.rank", lang), t("progress.col.name", lang), col("rate"), col("before"),
                    t("progress.col.change", lang), t("progress.closed", lang), t("progress.overdue", lang), t("progress.col.mark", lang)]
    rank_cells = ["{{ r.rank }}", "{{ r.name }}", "{{ r.rate }}", "{{ r.previous }}", "{{ r.points }}",
                  "{{ r.closed }}", "{{ r.overdue }}", "{{ r.mark }}"]
    rank_widths = (1, 4, 2, 2, 2, 1.5, 1.5, 1.5)
    for level, rows in (("district", "rows"), ("street", "marked"), ("unit", "marked")):
        _para(doc, "{%p if ranks." + level + " %}", indent=False)
        colon = "：" if lang == "zh" else ": "
        _para(doc, "{{ ranks." + level + ".level }}" + colon + "{{ ranks." + level + ".names }}")
        _para(doc, "{{ ranks." + level + ".caption }}", "Bulletin Caption")
        _table(doc, rank_headers, rank_cells, f"r in ranks.{level}.{rows}", rank_widths)
        if level == "district":  # the map of districts sits under their ranking
            _image(doc, "map")
            _para(doc, "{{ captions.map }}", "Bulletin Caption")
        _para(doc, "{%p endif %}", indent=False)
    _para(doc, "{%p if not ranks.district %}", indent=False)
    _image(doc, "map")
    _para(doc, "{{ captions.map }}", "Bulletin Caption")
    _para(doc, "{%p endif %}", indent=False)

    _para(doc, t("bulletin.h.race", lang), "Bulletin Heading")
    _para(doc, "{{ race.figures }}")
    _para(doc, "{{ race.text }}")
    _image(doc, "chart_burndown")
    _para(doc, "{{ captions.burndown }}", "Bulletin Caption")

    _para(doc, t("bulletin.h.overdue", lang), "Bulletin Heading")
    _para(doc, "{{ overdue_summary }}")
    _para(doc, "{%p if overdue %}", indent=False)
    _para(doc, "{{ captions.overdue_units }}", "Bulletin Caption")
    _table(doc, [col("seq"), col("unit"), col("count"), col("longest"), col("chief")],
           ["{{ r.seq }}", "{{ r.unit }}", "{{ r.count }}", "{{ r.longest }}", "{{ r.chiefs }}"], "r in overdue_units",
           (1, 5, 2, 2, 5))
    _para(doc, "{%p endif %}", indent=False)

    _para(doc, t("bulletin.h.circles", lang), "Bulletin Heading")
    _para(doc, "{{ circles_summary }}")
    _para(doc, "{%p if circles %}", indent=False)
    _para(doc, "{{ captions.circles }}", "Bulletin Caption")
    _table(doc, [col("seq"), col("circle"), col("kind"), col("district"), col("chief"), col("reason")],
           ["{{ r.seq }}", "{{ r.name }}", "{{ r.kind }}", "{{ r.district }}", "{{ r.chief }}", "{{ r.reason }}"],
           "r in circles", (1, 3.5, 1.5, 1.5, 1.5, 5))
    _para(doc, "{%p endif %}", indent=False)

    _para(doc, t("bulletin.h.requirements", lang), "Bulletin Heading")
    _para(doc, "{{ requirements }}")
    _para(doc)
    _para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, "{{ issued }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _bottom_rule(_para(doc, "{{ cc }}", indent=False), color="000000", size=6)

    # The list of overdue problems is long: an annex after the signature (附件), as offices do.
    _para(doc, "{%p if overdue %}", indent=False)
    _para(doc, t("bulletin.annex", lang), "Bulletin Heading").paragraph_format.page_break_before = True
    _para(doc, "{{ captions.overdue }}", "Bulletin Caption")
    _table(doc, [col("seq"), col("unit"), col("problem"), col("chief"), col("deadline"), col("days")],
           ["{{ r.seq }}", "{{ r.unit }}", "{{ r.description }}（{{ r.id }}）", "{{ r.chief }}", "{{ r.deadline }}",
            "{{ r.days }}"], "r in overdue", (1, 4, 6, 2, 2.6, 1.4))
    _para(doc, "{%p endif %}", indent=False)
    return doc


def write_default_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    """Write ``bulletin_zh.docx`` and ``bulletin_en.docx`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in ("zh", "en"):
        path = directory / f"bulletin_{lang}.docx"
        build_template(lang).save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_default_templates():
        print(written_path)
