"""Hostile and unlucky ledger files: each bad row is rejected on its own row and column with
its reason and the good rows of the same file are kept; files that would cost too much are
refused before they are inflated, also under a hard memory limit.

Every file is built here, small: bombs are zips of repeated bytes, which compress to little.
Imports run through ``python -m civmap import`` (what the page calls too: ``check_file``).
"""

import csv
import datetime as dt
import io
import json
import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import shapely

from civmap import ledger
from civmap.cli import main
from civmap.config import ROOT
from civmap.storage import make_engine
from civmap.ledger.limits import MAX_CELL_CHARS, Limits
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
MB = 1024 * 1024


@pytest.fixture
def scratch(scratch_db_url, monkeypatch):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", scratch_db_url)
    return Store(make_engine(scratch_db_url))


@pytest.fixture
def here(demo_store):
    """A place in the city and the point standing there."""
    point = demo_store.points().sort_values("id").iloc[5]
    return point


def import_file(tmp_path, capsys, name: str, data: bytes, kind: str, dry: bool) -> tuple[int, str, list[dict]]:
    """Run the command-line import on a file; (exit code, output, rows of the rejects file)."""
    path = tmp_path / name
    path.write_bytes(data)
    rejects = tmp_path / f"{name}.rejects.csv"
    args = ["import", str(path), "--kind", kind, "--lang", "en", "--rejects", str(rejects)]
    code = main(args + (["--dry-run"] if dry else []))
    out = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(rejects.read_text("utf-8-sig")))) if rejects.exists() else []
    return code, out.out + out.err, rows


def geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]},
        ensure_ascii=False).encode()


def as_geojson(shape) -> dict:
    return json.loads(shapely.to_geojson(shape))


def bowtie(lon, lat) -> shapely.Polygon:
    return shapely.Polygon([(lon, lat), (lon + 0.001, lat + 0.001), (lon + 0.001, lat), (lon, lat + 0.001)])


def _points_csv(here, bad_rows: list[list]) -> bytes:
    good = [["G1", "好点一", "医院", here.lon, here.lat], ["G2", "好点二", "医院", here.lon, here.lat]]
    lines = [["编号", "名称", "类别", "经度", "纬度", "备注"]] + [r + [""] for r in good] + bad_rows
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return buffer.getvalue().encode()


def hostile_cases(here) -> dict:
    """name → (file name, bytes, kind, {(row, column, reason code)}, good ids kept, field in the reason)."""
    lon, lat = float(here.lon), float(here.lat)
    found = dt.date(2024, 3, 5).isoformat()
    return {
        "csv cell over the csv module's limit": (
            "big.csv", _points_csv(here, [["B1", "长备注", "医院", lon, lat, "x" * 140_000]]), "points",
            {(4, "备注", "cell_too_long")}, {"G1", "G2"}, "140,000"),
        "latitude out of range": (
            "lat.csv", _points_csv(here, [["B1", "纬度错", "医院", lon, 95.0, ""], ["B2", "纬度空", "医院", lon, "nan", ""]]),
            "points", {(4, "纬度", "coords_range"), (5, "纬度", "bad_coords")}, {"G1", "G2"}, "95"),
        "empty and self-intersecting geometry of points": (
            "points.geojson", geojson([
                ({"编号": "G1", "名称": "好", "类别": "医院"}, as_geojson(shapely.Point(lon, lat))),
                ({"编号": "B1", "名称": "空", "类别": "医院"}, {"type": "Point", "coordinates": []}),
                ({"编号": "B2", "名称": "蝴蝶", "类别": "医院"}, as_geojson(bowtie(lon, lat))),
                ({"编号": "G2", "名称": "好二", "类别": "医院"}, as_geojson(shapely.Point(lon, lat)))]),
            "points", {(2, "几何(WKT)", "missing_coords"), (3, "几何(WKT)", "invalid_geometry")}, {"G1", "G2"},
            "Self-intersection"),
        "POINT EMPTY and a bowtie problem in WKT": (
            "problems.csv", "\n".join([
                "问题编号,问题描述,问题类别,几何(WKT),发现日期",
                f'G1,好,牛皮癣,"POINT ({lon} {lat})",{found}',
                f"B1,空,牛皮癣,POINT EMPTY,{found}",
                f'B2,蝴蝶,牛皮癣,"{bowtie(lon, lat).wkt}",{found}',
                f'G2,好二,牛皮癣,"POINT ({lon} {lat})",{found}']).encode(),
            "problems", {(3, "几何(WKT)", "empty_geometry"), (4, "几何(WKT)", "invalid_geometry")}, {"G1", "G2"},
            "POINT EMPTY"),
        "alleys with NaN vertices and LINESTRING EMPTY": (
            "alleys.geojson", geojson([
                ({"编号": "G1", "名称": "好巷"}, as_geojson(shapely.LineString([(lon, lat), (lon + 0.001, lat)]))),
                ({"编号": "B1", "名称": "坏巷"}, {"type": "LineString", "coordinates": [[lon, lat], [float("nan"), lat]]}),
                ({"编号": "B2", "名称": "空巷"}, {"type": "LineString", "coordinates": []}),
                ({"编号": "G2", "名称": "好巷二"}, as_geojson(shapely.LineString([(lon, lat), (lon, lat + 0.001)])))]),
            "alleys", {(2, "几何(WKT)", "nonfinite_geometry"), (3, "几何(WKT)", "empty_geometry")}, {"G1", "G2"}, "NaN"),
        "impossible dates": (
            "dates.csv", "\n".join([
                "问题编号,问题描述,问题类别,经度,纬度,发现日期,整改时限",
                f"G1,好,牛皮癣,{lon},{lat},{found},2024-03-09",
                f"B1,古,牛皮癣,{lon},{lat},0001-01-01,",
                f"B2,远,牛皮癣,{lon},{lat},{found},9999-12-31",
                f"B3,建国前,牛皮癣,{lon},{lat},1949-09-30,",
                f"G2,好二,牛皮癣,{lon},{lat},1949-10-01,"]).encode(),
            "problems", {(3, "发现日期", "date_too_early"), (4, "整改时限", "date_too_late"),
                         (5, "发现日期", "date_too_early")}, {"G1", "G2"}, "9999-12-31"),
        "ids differing only in case": (
            "case.csv", _points_csv(here, [["g1", "小写", "医院", lon, lat, ""], [here.id.lower(), "旧点", "医院", lon, lat, ""]]),
            "points", {(4, "编号", "id_case_clash"), (5, "编号", "id_case_stored")}, {"G1", "G2"}, here.id),
    }


CASES = ["csv cell over the csv module's limit", "latitude out of range", "empty and self-intersecting geometry of points",
         "POINT EMPTY and a bowtie problem in WKT", "alleys with NaN vertices and LINESTRING EMPTY", "impossible dates",
         "ids differing only in case"]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_row_is_rejected_on_its_row_and_column_and_the_good_rows_are_imported(case, scratch, here, tmp_path,
                                                                                   capsys):
    name, data, kind, expected, good, detail = hostile_cases(here)[case]
    checked = ledger.check_file(data, name, kind, scratch, VOCAB)
    assert {(i.row, i.header, i.code) for i in checked.issues} == expected
    assert {r.key for r in checked.records} == good
    assert any(detail in i.reason("en") or detail in i.value for i in checked.issues)
    before = len(getattr(scratch, kind)())
    code, out, rejects = import_file(tmp_path, capsys, name, data, kind, dry=True)
    assert code == 1 and "Traceback" not in out and "dry run" in out.lower()
    assert {int(r["Row in file"]) for r in rejects} == {row for row, _, _ in expected}
    assert len(getattr(scratch, kind)()) == before
    code, out, _ = import_file(tmp_path, capsys, name, data, kind, dry=False)
    assert code == 1 and f"{len(good)} new" in out
    stored = set(getattr(scratch, kind)()["id"])
    assert good <= stored and not ({r.key for r in checked.records} ^ good)
    assert len(getattr(scratch, kind)()) == before + len(good)


def test_an_unclosed_ring_rejects_that_boundary_naming_it_and_keeps_the_others(scratch, tmp_path, capsys):
    street = scratch.areas("street").iloc[0]
    west, south, east, north = street.geometry.bounds
    inner = street.geometry.representative_point()
    good = shapely.box(inner.x - 0.0005, inner.y - 0.0005, inner.x + 0.0005, inner.y + 0.0005)
    unclosed = [[inner.x, inner.y], [inner.x + 0.0004, inner.y], [inner.x + 0.0004, inner.y + 0.0004]]
    data = geojson([({"代码": "C001", "名称": "好社区", "层级": "社区"}, as_geojson(good)),
                    ({"代码": "C002", "名称": "开口社区", "层级": "社区"}, {"type": "Polygon", "coordinates": [unclosed]}),
                    ({"代码": "C003", "名称": "蝴蝶社区", "层级": "社区"}, as_geojson(bowtie(inner.x, inner.y)))])
    checked = ledger.check_file(data, "社区.geojson", "boundaries", scratch, VOCAB)
    assert {(i.row, i.header, i.code, i.value) for i in checked.issues} == {
        (2, "几何(WKT)", "unreadable_geometry", "C002 开口社区"), (3, "几何(WKT)", "invalid_polygon", "C003 蝴蝶社区")}
    assert "closed linestring" in checked.issues[0].reason("en")
    code, out, rejects = import_file(tmp_path, capsys, "社区.geojson", data, "boundaries", dry=False)
    assert code == 1 and "C002 开口社区" in out and "Traceback" not in out
    assert [r["代码"] for r in rejects] == ["C002", "C003"]
    assert set(scratch.areas("community")["code"]) >= {"C001"}
    assert not {"C002", "C003"} & set(scratch.areas("community")["code"])


def test_a_repeated_id_lists_ten_rows_and_counts_the_rest(demo_store, here):
    rows = ["编号,名称,类别,经度,纬度"] + [f"P9,甲,医院,{here.lon},{here.lat}"] * 5000 + [f"P8,乙,医院,{here.lon},{here.lat}"]
    checked = ledger.check_file("\n".join(rows).encode(), "repeat.csv", "points", demo_store, VOCAB)
    assert [r.key for r in checked.records] == ["P8"]
    assert len(checked.issues) == 5000
    reason = checked.issues[-1].reason("en")
    assert reason == 'ledger id “P9” appears 5,000 times in the file (rows 2、3、4、5、6、7、8、9、10、11 and 4,990 more)'


# -- refused before reading ----------------------------------------------------------------
ZEROS = b"0" * (16 * MB)


class _Replay:
    """A deflate stream for many copies of one chunk: each copy ends at a full flush, so its
    compressed block is the same every time and is made once (writing a real 1.7 GB bomb
    through zlib would take half a minute)."""

    def __init__(self):
        self.block = self._deflate(ZEROS)

    @staticmethod
    def _deflate(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data: bytes) -> bytes:
        return self.block if data is ZEROS else self._deflate(data)

    def flush(self) -> bytes:
        return b"\x03\x00"  # the final, empty block


def bomb(path: Path, members: dict[str, tuple[bytes, int, bytes]], monkeypatch) -> bytes:
    """A zip whose members are ``head + ZEROS * copies + tail``, really deflated."""
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "_get_compressor", lambda *args, **kwargs: _Replay())
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (head, copies, tail) in members.items():
                with archive.open(name, "w") as out:
                    out.write(head)
                    for _ in range(copies):
                        out.write(ZEROS)
                    out.write(tail)
    return path.read_bytes()


def shapefile_bomb(tmp_path, monkeypatch, copies: int = 112) -> bytes:
    """A zipped Shapefile whose .shp inflates to ``copies`` x 16 MB (112: 1.75 GB in 2 MB)."""
    return bomb(tmp_path / "bomb.zip", {"区界/区界.shp": (b"", copies, b""), "区界/区界.dbf": (b"", 0, b"x")},
                monkeypatch)


def huge_cell_workbook(tmp_path, monkeypatch, megabytes: int = 400) -> bytes:
    """A real workbook whose one text cell is ``megabytes`` long (a few hundred KB on disk)."""
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "名称", "类别", "经度", "纬度"])
    wb.active.append(["P1", "x", "医院", 110.3, 25.27])
    buffer = io.BytesIO()
    wb.save(buffer)
    members = {}
    with zipfile.ZipFile(buffer) as source:
        for info in source.infolist():
            text = source.read(info)
            members[info.filename] = (text, 0, b"")
    members["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxml'
                                       b'formats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>',
                                       megabytes // 16, b"</t></si></sst>")
    return bomb(tmp_path / "huge.xlsx", members, monkeypatch)


def test_a_zipped_shapefile_bomb_is_refused_before_it_is_extracted(tmp_path, monkeypatch, demo_store):
    """Too big for the ceiling, or small enough but compressed like no real file."""
    with pytest.raises(ledger.LedgerError) as error:
        ledger.check_file(shapefile_bomb(tmp_path, monkeypatch), "区界.zip", "boundaries", demo_store, VOCAB)
    assert error.value.code == "too_big"
    assert "区界/区界.shp unpacks to 1,792.0 MB" in error.value.message("en")
    assert "1,024.0 MB" in error.value.message("en")
    with pytest.raises(ledger.LedgerError) as error:
        ledger.check_file(shapefile_bomb(tmp_path, monkeypatch, copies=4), "区界.zip", "boundaries", demo_store, VOCAB)
    assert error.value.code == "zip_bomb" and "区界/区界.shp unpacks to 64.0 MB" in error.value.message("en")


def test_a_workbook_with_a_giant_cell_is_refused_naming_its_size(tmp_path, monkeypatch, demo_store):
    data = huge_cell_workbook(tmp_path, monkeypatch, megabytes=64)
    with pytest.raises(ledger.LedgerError) as error:
        ledger.check_file(data, "huge.xlsx", "points", demo_store, VOCAB, limits=Limits(memory_bytes=256 * MB))
    message = error.value.message("en")
    assert error.value.code == "too_big" and "xl/sharedStrings.xml" in message and "256.0 MB" in message


def test_a_cell_longer_than_a_spreadsheet_allows_rejects_its_row_and_is_not_kept(demo_store, here):
    """Below the csv module's limit too: no real sheet holds such a cell, so it is not carried on."""
    rows = ["编号,名称,类别,经度,纬度,地址", f"P1,甲,医院,{here.lon},{here.lat},{'路' * (MAX_CELL_CHARS + 1)}",
            f"P2,乙,医院,{here.lon},{here.lat},中山路"]
    checked = ledger.check_file("\n".join(rows).encode(), "long.csv", "points", demo_store, VOCAB)
    assert [(i.row, i.header, i.code) for i in checked.issues] == [(2, "地址", "cell_too_long")]
    assert [r.key for r in checked.records] == ["P2"]
    assert "32,768" in checked.issues[0].reason("en") and len(checked.raw.cells.at[2, "地址"]) == 25


def test_a_sheet_with_too_many_rows_is_refused_naming_the_count(tmp_path, capsys, scratch, monkeypatch):
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("数据")
    sheet.append(["编号", "名称", "类别", "经度", "纬度"])
    for i in range(1500):
        sheet.append([f"P{i}", "甲", "医院", 110.3, 25.27])
    buffer = io.BytesIO()
    wb.save(buffer)
    monkeypatch.setenv("CIVMAP_IMPORT_MAX_ROWS", "1000")
    code, out, _ = import_file(tmp_path, capsys, "rows.xlsx", buffer.getvalue(), "points", dry=True)
    assert code == 2 and "has 1,501 rows, more than the import limit of 1,000" in out
    rows = "编号,名称,类别,经度,纬度\n" + "P1,甲,医院,110.3,25.27\n" * 1500
    code, out, _ = import_file(tmp_path, capsys, "rows.csv", rows.encode(), "points", dry=True)
    assert code == 2 and "rows.csv has 1,501 rows" in out


def test_the_memory_ceiling_follows_its_setting():
    from civmap.config import load_settings

    member = zipfile.ZipInfo("a.shp")
    member.file_size, member.compress_size = 100 * MB, 2 * MB
    Limits.from_settings(load_settings({"CIVMAP_IMPORT_MEMORY_MB": "2048"})).check_archive([member])
    with pytest.raises(ledger.LedgerError) as error:
        Limits.from_settings(load_settings({"CIVMAP_IMPORT_MEMORY_MB": "512"})).check_archive([member])
    assert "a.shp unpacks to 100.0 MB" in error.value.message("en") and "512.0 MB" in error.value.message("en")
    with pytest.raises(ValueError, match="CIVMAP_IMPORT_MAX_ROWS"):
        load_settings({"CIVMAP_IMPORT_MAX_ROWS": "0"})


# -- under a hard memory limit -------------------------------------------------------------
def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (1536 * MB, 1536 * MB))


def run_limited(path: Path, kind: str, db_url: str) -> subprocess.CompletedProcess:
    env = {"CIVMAP_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "civmap", "import", str(path), "--kind", kind, "--dry-run",
                           "--lang", "en"], capture_output=True, text=True, env=env, cwd=ROOT,
                          preexec_fn=_limited, timeout=300)


def test_bombs_are_refused_under_a_one_and_a_half_gigabyte_memory_limit(tmp_path, monkeypatch, scratch_db_url):
    shp = tmp_path / "区界.zip"
    shp.write_bytes(shapefile_bomb(tmp_path, monkeypatch))
    done = run_limited(shp, "boundaries", scratch_db_url)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "区界/区界.shp unpacks to 1,792.0 MB" in done.stderr and "MemoryError" not in done.stderr + done.stdout

    xlsx = tmp_path / "giant.xlsx"
    xlsx.write_bytes(huge_cell_workbook(tmp_path, monkeypatch, megabytes=400))
    assert xlsx.stat().st_size < 2 * MB
    done = run_limited(xlsx, "points", scratch_db_url)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "xl/sharedStrings.xml unpacks to 400.0 MB" in done.stderr and "1,024.0 MB" in done.stderr
    assert "MemoryError" not in done.stderr + done.stdout


def test_a_file_repeating_one_id_thousands_of_times_imports_under_the_memory_limit(tmp_path, demo_store,
                                                                                    scratch_db_url):
    point = demo_store.points().iloc[0]
    path = tmp_path / "repeat.csv"
    path.write_text("编号,名称,类别,经度,纬度\n" + f"P9,甲,医院,{point.lon},{point.lat}\n" * 5000, encoding="utf-8")
    assert path.stat().st_size < 200_000
    done = run_limited(path, "points", scratch_db_url)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "appears 5,000 times in the file" in done.stdout and "and 4,990 more" in done.stdout
    assert "5000 rejected" in done.stdout
