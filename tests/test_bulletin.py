"""The bulletin (通报): the document, opened again, says what civmap computes for the period.

One city bulletin and one district bulletin are made per module (a week ending
yesterday, on the shared demo city) and read back with python-docx; their numbers are
checked against ``civmap.progress.figures`` called as the Progress page calls it.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from civmap.progress import figures as progress
from civmap.bulletin.context import PLACEHOLDERS
from civmap.bulletin.document import TemplateError, check_template, fill
from civmap.bulletin.figures import BulletinOptions, parse_period
from civmap.bulletin.report import PdfUnavailable, make_bulletin, to_pdf
from civmap.bulletin.template import FONTS, default_template_path
from civmap.cli import main
from civmap.figures import format_rate
from civmap.i18n import area_names, t

from conftest import AS_OF, VOCAB, run_page

END = AS_OF - dt.timedelta(days=1)
START = END - dt.timedelta(days=6)
OPTIONS = BulletinOptions(assessment_date=AS_OF + dt.timedelta(days=120), centre_kinds=tuple(VOCAB.codes("centre_kinds")))


def _texts(doc) -> list[str]:
    """Every paragraph's text, body and table cells, in order."""
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def timeline(demo_store):
    """The timeline as the Progress page builds it (whole city, no filter)."""
    return progress.build_timeline(demo_store.problems(), demo_store.events(), VOCAB)


@pytest.fixture(scope="module")
def city(demo_store):
    made = make_bulletin(demo_store, VOCAB, OPTIONS, START, END, issued=AS_OF)
    return made, Document(io.BytesIO(made.docx))


@pytest.fixture(scope="module")
def district(demo_store):
    made = make_bulletin(demo_store, VOCAB, OPTIONS, START, END, district="D01", issued=AS_OF)
    return made, Document(io.BytesIO(made.docx))


def test_period_parses_and_says_what_is_wrong():
    assert parse_period("2026-11-16..2026-11-29") == (dt.date(2026, 11, 16), dt.date(2026, 11, 29))
    for bad, words in (("2026-11-16", "FIRST..LAST"), ("16/11/2026..2026-11-29", "YYYY-MM-DD"),
                       ("2026-11-29..2026-11-16", "ends before")):
        with pytest.raises(ValueError, match=words):
            parse_period(bad)


def test_figures_are_the_progress_pages(city, timeline):
    made, _ = city
    assert made.data.now == progress.timeline_summary(timeline, START, END)
    before = progress.previous_period(START, END)
    assert made.data.before == progress.timeline_summary(timeline, *before)
    assert made.data.race == progress.timeline_race(timeline, END, OPTIONS.assessment_date)
    # the overdue list is exactly the period-end overdue count
    assert len(made.data.overdue) == made.data.now["overdue"] > 0
    assert (made.data.overdue["days"] > 0).all()


def test_document_title_headline_and_summary_read_as_an_office_writes(city):
    made, doc = city
    now, before = made.data.now, made.data.before
    texts = [p.text for p in doc.paragraphs]
    assert made.values["title"] in texts and made.values["title"].startswith("关于全市")
    title = next(p for p in doc.paragraphs if p.text == made.values["title"])
    assert title.style.font.size == Pt(22)
    assert title.style.element.rPr.rFonts.get(qn("w:eastAsia")) == FONTS["title"][0]
    for key in ("overview", "lists", "race", "overdue", "circles", "requirements"):
        assert t(f"bulletin.h.{key}", "zh") in texts
    summary = made.values["summary"]
    assert summary in texts
    closed_total = now["total"] - now["backlog"]
    assert (f"共发现问题 {now['total']:,} 件，已办结 {closed_total:,} 件，办结率 {format_rate(now['closing_rate'])}"
            in summary)
    assert f"按期办结率 {format_rate(now['on_time_rate'])}（上期 {format_rate(before['on_time_rate'])}）" in summary

    headline = _rows(doc.tables[0])
    assert headline[0] == [t(f"bulletin.col.{c}", "zh") for c in ("figure", "now", "before", "change")]
    body = {row[0]: row[1:] for row in headline[1:]}
    assert body[t("bulletin.row.found", "zh")] == [f"{now['found']:,}", f"{before['found']:,}",
                                                   f"{now['found'] - before['found']:+,}"]
    assert body[t("bulletin.row.on_time_rate", "zh")][:2] == [format_rate(now["on_time_rate"]),
                                                              format_rate(before["on_time_rate"])]
    assert body[t("bulletin.row.overdue", "zh")][0] == f"{now['overdue']:,}"


def test_body_font_is_fangsong_16pt_and_pages_are_numbered(city):
    _, doc = city
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer


def test_every_placeholder_is_filled_and_the_pictures_are_in(city, district):
    for made, doc in (city, district):
        assert not [text for text in _texts(doc) if "{{" in text or "{%" in text or "}}" in text]
        assert len(doc.inline_shapes) == 3  # trend, burn-down, map


def test_city_lists_rank_districts_by_the_rule(city, timeline, demo_store):
    made, doc = city
    codes = set(timeline.group_codes("district_code").dropna())
    names = {c: n for c, n in area_names(demo_store.areas("district")).items() if c in codes}
    expected = progress.rank(timeline, "district", START, END, names)
    table = next(tb for tb in doc.tables if _rows(tb)[0][0] == t("progress.col.rank", "zh"))
    rows = _rows(table)[1:]
    assert [r[1] for r in rows] == expected["name"].tolist()
    assert [r[2] for r in rows] == [format_rate(v) for v in expected["on_time_rate"]]
    marks = {"red": t("progress.mark.red", "zh"), "black": t("progress.mark.black", "zh"), None: ""}
    assert [r[-1] for r in rows] == [marks[m] for m in expected["mark"]]
    assert made.values["rank_rule"] in [p.text for p in doc.paragraphs]
    assert set(made.data.rankings) == {"district", "street", "unit"}


def test_district_bulletin_ranks_its_streets(district, demo_store):
    made, doc = district
    assert set(made.data.rankings) == {"street", "unit"}
    streets = demo_store.areas("street")
    own = set(streets.loc[streets["parent_code"] == "D01", "code"])
    ranked = made.data.rankings["street"]
    assert set(ranked["code"]) <= own and len(ranked) >= 2
    assert made.values["title"].startswith("关于" + demo_store.district_names()["D01"])
    names_in_doc = {row[1] for tb in doc.tables for row in _rows(tb)[1:]}
    marked = ranked.loc[ranked["mark"].notna(), "name"]
    assert len(marked) >= 2 and set(marked) <= names_in_doc
    assert set(demo_store.district_names().values()).isdisjoint(names_in_doc - {"江城区"})
    assert set(made.data.overdue["district_code"]) <= {"D01"}


def _template(*lines: str) -> bytes:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_an_office_template_is_filled_with_what_it_asks_for(city):
    made, _ = city
    office = _template("{{ title }}", "{{ summary }}", "{%p for r in ranks.district.marked %}",
                       "{{ r.name }}：{{ r.rate }} {{ r.mark }}", "{%p endfor %}", "<{{ number }}>")
    assert check_template(office) == {"title", "summary", "ranks", "number"}
    doc = Document(io.BytesIO(fill(office, made.values, {})))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == made.values["title"] and texts[1] == made.values["summary"]
    assert f"<{made.values['number']}>" in texts
    assert not [x for x in texts if "{" in x]


def test_an_unknown_placeholder_is_named(city):
    made, _ = city
    with pytest.raises(TemplateError, match="mayor_name"):
        fill(_template("{{ title }}", "{{ mayor_name }}"), made.values, {})
    with pytest.raises(TemplateError, match="speed"):
        fill(_template("{{ race.speed }}"), made.values, {})
    with pytest.raises(TemplateError, match="not a Word"):
        fill(b"not a docx", made.values, {})
    assert set(check_template(default_template_path("zh"))) <= set(PLACEHOLDERS)
    assert set(check_template(default_template_path("en"))) <= set(PLACEHOLDERS)


def test_ledger_text_is_text_in_the_document(city):
    made, _ = city
    values = dict(made.values, summary="<w:t>{{ title }}</w:t> & 牛皮癣")
    doc = Document(io.BytesIO(fill(_template("{{ summary }}"), values, {})))
    assert doc.paragraphs[0].text == "<w:t>{{ title }}</w:t> & 牛皮癣"


def test_no_pdf_is_said_plainly(monkeypatch):
    monkeypatch.setattr("civmap.bulletin.report.pdf_converter", lambda: None)
    with pytest.raises(PdfUnavailable, match="LibreOffice"):
        to_pdf(b"")


def test_cli_writes_the_bulletin_and_a_bad_period_is_one_line(tmp_path, monkeypatch, capsys, demo_db_url):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    out = tmp_path / "通报.docx"
    assert main(["bulletin", "--period", f"{START}..{END}", "--district", "D02", "--number", "第7期", str(out)]) == 0
    doc = Document(str(out))
    assert "第7期" in [p.text for p in doc.paragraphs]
    assert len(doc.inline_shapes) == 3
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["bulletin", "--period", f"{END}..{START}", str(out)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ends before it starts" in err
    assert main(["bulletin", "--period", f"{START}..{END}", "--district", "D99", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "D99" in err



def test_page_makes_the_bulletin_for_the_fortnight_ending_yesterday(app_env, demo_store):
    from civmap.filters import Filters


    at = run_page("bulletin", {})  # through the frame, signed in as the demo city's office staff
    assert at.title[0].value == t("page.bulletin", "zh")
    start, end = at.date_input(key="b_period").value
    assert (start, end) == (AS_OF - dt.timedelta(days=14), AS_OF - dt.timedelta(days=1))
    at.selectbox(key="b_district").set_value("D03")
    at.button(key="b_make").click().run()
    assert not at.exception and not at.error
    timeline = progress.build_timeline(demo_store.problems(Filters(districts=("D03",))), demo_store.events(), VOCAB)
    fig = progress.timeline_summary(timeline, start, end)
    shown = re.sub(r"\\(.)", r"\1", at.success[0].value)  # ui.plain escapes Markdown
    name = demo_store.district_names()["D03"]
    assert (f"{name}共发现问题 {fig['total']:,} 件，已办结 {fig['total'] - fig['backlog']:,} 件，"
            f"办结率 {format_rate(fig['closing_rate'])}") in shown
    assert f"按期办结率 {format_rate(fig['on_time_rate'])}" in shown


def test_a_template_cannot_reach_python_on_the_server(city):
    """A template is an upload: Jinja's escape hatches to Python are refused, by name."""
    made, _ = city
    for payload in ("{{ title.__class__.__mro__[1].__subclasses__() }}",
                    "{{ title.upper.__globals__ }}", "{{ ranks.clear() }}"):
        with pytest.raises(TemplateError, match="may not do|does not fill"):
            fill(_template(payload), made.values, {})
