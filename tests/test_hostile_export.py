"""Formula injection: ledger text that a spreadsheet would run (=HYPERLINK, =cmd|...,
+1+1, @SUM) leaves civmap as text in every .xlsx and CSV, and comes back unchanged when
the file is imported again. Numbers stay numbers."""

import csv
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text

from civmap import ledger
from civmap.storage import schema
from civmap.progress.charts import csv_bytes
from civmap.cli import main
from civmap.storage import make_engine
from civmap.filters import Filters
from civmap.ledger import cells
from civmap.ledger.columns import field_by_name
from civmap.ledger.export import export_workbook
from civmap.safecells import csv_frame, quoted, starts_formula, unquoted
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
PAYLOADS = ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "  =1+1", "\t=1",
            "'=1+1", "\r=1", "NULL", "#N/A")
#: (table, text columns) that carry payloads, with the sheet each layer is exported to.
FIELDS = {"points": ("name", "community", "chief_name", "authority", "partner_unit", "address"),
          "alleys": ("name", "chief_name"),
          "problems": ("description", "address", "chief_name")}
SHEETS = {"points": "测评点位", "alleys": "背街小巷", "problems": "问题台账"}
HOSTILE_DISTRICT = '=HYPERLINK("http://x","区")'


def runs_as_formula(cell: str) -> bool:
    """The OWASP test, written independently of civmap.safecells."""
    if cell[:1] in ("\t", "\r"):
        return True
    if cell.lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@"):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


@pytest.fixture(scope="module")
def hostile_url(demo_db_path, tmp_path_factory) -> str:
    """A copy of the demo city with a payload in every tenth row of each text field and
    in one district's name and one circle's name."""
    copy = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    shutil.copy(demo_db_path, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with engine.begin() as db:
        for table, columns in FIELDS.items():
            for column in columns:
                for k, payload in enumerate(PAYLOADS):
                    db.execute(text(f"UPDATE {table} SET {column} = :p WHERE (rowid + :shift) % 13 = :k"),
                               {"p": payload, "shift": len(column), "k": k})
        db.execute(text("UPDATE areas SET name = :p WHERE code = 'D02'"), {"p": HOSTILE_DISTRICT})
        for k, payload in enumerate(PAYLOADS):
            db.execute(text("UPDATE circles SET name = :p WHERE rowid % 13 = :k"), {"p": payload, "k": k})
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def hostile_store(hostile_url) -> Store:
    return Store(make_engine(hostile_url))


#: One district keeps the exports and imports quick; it still holds every payload many times.
SELECTION = Filters(districts=("D02",))


@pytest.fixture(scope="module")
def workbook(hostile_store) -> bytes:
    return export_workbook(hostile_store, SELECTION, VOCAB, hostile_store.as_of())


def _stored(store: Store, layer: str) -> pd.DataFrame:
    frame = {"points": store.points, "alleys": store.alleys, "problems": store.problems}[layer](SELECTION)
    return pd.DataFrame(frame.drop(columns="geometry")).set_index("id").sort_index()


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def test_the_rule_marks_formulas_only_and_unmarks_exactly():
    for payload in PAYLOADS[:7] + ("\r=1", "=", "-A1", " @x"):
        assert starts_formula(payload) and quoted(payload) == "'" + payload, payload
    for plain in ("-3", "+86", " -3.5 ", "1e-3", "整改中", "a=b", "NULL", "", "'", "'-3"):
        assert not starts_formula(plain) and quoted(plain) == plain, plain
    for value in PAYLOADS + ("-3", "'-3", "''=1", "'", "a'=b", "'plain"):
        assert unquoted(quoted(value)) == value, value
    assert quoted("'=1") == "''=1"  # a text's own apostrophe survives the round trip


def test_xlsx_export_holds_every_payload_as_text_and_no_formula(workbook, hostile_store):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    formulas = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    errors = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "e"]
    assert errors == []
    found = set()
    for layer, columns in FIELDS.items():
        ws = wb[SHEETS[layer]]
        header = [c.value for c in ws[1]]
        stored = _stored(hostile_store, layer)
        for row in ws.iter_rows(min_row=2):
            key = row[header.index(field_by_name(layer, "id").header)].value
            for column in columns:
                cell = row[header.index(field_by_name(layer, column).header)]
                value = stored.at[key, column]
                # openpyxl writes through lxml (pinned in requirements.txt), which keeps a
                # carriage return as &#13;: every text comes back exactly.
                expected = value if isinstance(value, str) else None
                assert cell.value == expected, (layer, key, column)
                if value in PAYLOADS:
                    found.add(value)
                    assert cell.data_type == "s"
                    assert cell.quotePrefix == runs_as_formula(value), value
    assert found == set(PAYLOADS)
    districts = {c.value for c in wb[SHEETS["points"]]["D"][1:]}
    assert HOSTILE_DISTRICT in districts
    lon = wb[SHEETS["points"]]["G"][1]
    assert lon.data_type == "n" and isinstance(lon.value, float)


def test_reimporting_the_xlsx_export_clears_nothing(workbook, hostile_url, tmp_path):
    """Every stored text comes back; only surrounding blanks are trimmed, as the importer
    trims every cell, so the two payloads that start with blanks come back trimmed."""
    copy = tmp_path / "again.sqlite"
    shutil.copy(hostile_url.removeprefix("sqlite:///"), copy)
    store = Store(make_engine(f"sqlite:///{copy}"))
    before = {layer: _stored(store, layer) for layer in FIELDS}
    for layer, columns in FIELDS.items():
        checked = ledger.check_file(workbook, "导出.xlsx", layer, store, VOCAB)
        assert not checked.issues, ledger.issues_frame(checked).head()
        ledger.commit_ledger(store, checked, VOCAB)
        after = _stored(store, layer)
        own = [c for c in after.columns if c in schema.metadata.tables[layer].c]  # not joined names
        trimmed = before[layer][own].map(lambda v: v.strip() if isinstance(v, str) else v)
        pd.testing.assert_frame_equal(after[own], trimmed, check_dtype=False)
        for column in columns:
            kept = before[layer][column].isin([p for p in PAYLOADS if p == p.strip()])
            assert kept.sum() > 0
            assert (after[column][kept] == before[layer][column][kept]).all()  # byte for byte
    # Stored as the importer stores text, the store now survives the round trip exactly.
    again = export_workbook(store, SELECTION, VOCAB, store.as_of())
    for layer in FIELDS:
        summary = ledger.check_file(again, "导出.xlsx", layer, store, VOCAB).summary()
        assert summary["same"] == summary["rows"] > 0, (layer, summary)


def test_csv_downloads_and_cli_csv_start_no_formula(hostile_store, hostile_url, monkeypatch, capsys):
    frame = pd.DataFrame({"名称": list(PAYLOADS), "天数": range(-5, len(PAYLOADS) - 5)})
    data = csv_bytes(frame)
    assert not [c for c in _csv_cells(data) if runs_as_formula(c)]
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1].endswith(",-5")  # a negative number stays a number, not '-5
    assert [unquoted(c) for c in pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)["名称"]] \
        == list(PAYLOADS)
    monkeypatch.setenv("CIVMAP_DATABASE_URL", hostile_url)
    for args in (["circles", "--format", "csv"], ["circles", "--members", "--format", "csv"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        written = _csv_cells(out.encode("utf-8"))
        assert not [c for c in written if runs_as_formula(c)], args
        assert {"'" + p for p in PAYLOADS if runs_as_formula(p)} & set(written), args


def test_rejects_csv_is_inert_and_reimports_as_the_ledger_had_it(workbook, hostile_store):
    """A problems ledger whose rows are all rejected (their status is unknown): the rejects
    file holds the payloads inert, and reading it back gives the ledger's text."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb[SHEETS["problems"]]
    status = [c.value for c in ws[1]].index("状态") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=status, value="不存在的状态")
    buffer = io.BytesIO()
    wb.save(buffer)
    checked = ledger.check_file(buffer.getvalue(), "问题.xlsx", "problems", hostile_store, VOCAB)
    assert not checked.records and {i.code for i in checked.issues} == {"unknown"}
    rejects = ledger.rejects_csv(checked)
    assert not [c for c in _csv_cells(rejects) if runs_as_formula(c)]
    again = ledger.read_ledger(rejects, "问题.rejects.csv", "problems")
    first = checked.raw
    for column in FIELDS["problems"]:
        original = first.column(column).map(cells.text).reset_index(drop=True)
        back = again.column(column).map(cells.text).reset_index(drop=True)
        pd.testing.assert_series_equal(back, original, check_names=False)
        assert back.isin([cells.text(p) for p in PAYLOADS]).any()


def test_a_csv_copy_of_the_export_imports_like_the_export(workbook, hostile_store):
    """Each sheet saved as CSV through civmap's writer reads back to the same records."""
    sheets = pd.read_excel(io.BytesIO(workbook), engine="calamine", sheet_name=list(SHEETS.values()), dtype=object,
                           keep_default_na=False)
    for layer, sheet in SHEETS.items():
        from_xlsx = ledger.check_file(workbook, "导出.xlsx", layer, hostile_store, VOCAB)
        from_csv = ledger.check_file(csv_bytes(sheets[sheet]), "导出.csv", layer, hostile_store, VOCAB)
        assert not from_csv.issues, ledger.issues_frame(from_csv).head()
        assert [r.values for r in from_csv.records] == [r.values for r in from_xlsx.records]


def test_csv_frame_leaves_numbers_and_dates_alone():
    frame = pd.DataFrame({"days": [-3, 4], "rate": [-0.5, 1.5], "text": ["-3", "-3天"],
                          "day": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    out = csv_frame(frame)
    pd.testing.assert_frame_equal(out[["days", "rate", "day"]], frame[["days", "rate", "day"]])
    assert list(out["text"]) == ["-3", "'-3天"]


def test_a_district_named_like_a_formula_stays_text_in_the_selection_lines(workbook):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    selection = wb["说明"]["B2"]
    assert HOSTILE_DISTRICT in selection.value and selection.data_type == "s"
    assert HOSTILE_DISTRICT in wb["督办清单"]["A2"].value
