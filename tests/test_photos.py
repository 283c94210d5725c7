"""Evidence photos: type by content, size, thumbnails, the EXIF place and time check, and
photos that survive a ledger re-import."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from civmap import accounts, clock, ledger
from civmap.accounts import Area
from civmap.cases import CaseRules, PhotoError, load_case, make_move, photos_of, read_photo
from civmap.cases.files import read_file
from civmap.storage.engine import make_engine
from civmap.filters import Filters
from civmap.ledger.export import export_as
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from tests.photo_samples import jpeg, png

VOCAB = load_vocabulary()
MB = 1_000_000


def test_the_type_is_told_by_content_never_by_name():
    assert read_photo(png(), "looks-like.jpg", MB).media_type == "image/png"
    assert read_photo(jpeg(), "photo.png", MB).extension == "jpg"
    for data, name, code in ((b"", "empty.jpg", "empty"), (b"<script>alert(1)</script>", "evil.jpg", "not_a_photo"),
                             (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg", "unreadable"),
                             (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "cut.webp", "unreadable")):
        with pytest.raises(PhotoError) as refused:
            read_photo(data, name, MB)
        assert (refused.value.code, refused.value.name) == (code, name)
    with pytest.raises(PhotoError) as refused:
        read_photo(jpeg(size=(800, 600)), "big.jpg", 1000)
    assert refused.value.code == "too_large" and refused.value.values["max_mb"] == 0.0


def test_thumbnails_are_small_jpegs_and_exif_is_read():
    photo = read_photo(jpeg(lon=110.29, lat=25.27, taken="2026:05:04 10:00:00", size=(1200, 900)), "a.jpg", 10 * MB)
    thumb = Image.open(io.BytesIO(photo.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert photo.lon == pytest.approx(110.29, abs=1e-6) and photo.lat == pytest.approx(25.27, abs=1e-6)
    assert photo.taken_at == dt.datetime(2026, 5, 4, 10, 0, 0)
    bare = read_photo(jpeg(), "b.jpg", MB)
    assert (bare.lon, bare.lat, bare.taken_at) == (None, None, None)


@pytest.fixture
def office(scratch_db_url, monkeypatch, tmp_path):
    wall = dt.datetime.combine(clock.today(), dt.time(23, 50))
    instant = wall.replace(tzinfo=clock.city_zone()).astimezone(dt.timezone.utc)
    monkeypatch.setattr(clock, "_utc_now", lambda: instant)
    store = Store(make_engine(scratch_db_url))
    for login, role in (("op1", "office"), ("op2", "office")):
        accounts.add_user(store.engine, VOCAB, "operator", login, login, role, Area(), password="long enough pw")
    return store, CaseRules(photos_dir=tmp_path / "photos")


def _assigned_and_fixing(store: Store, rules: CaseRules) -> tuple[str, dict]:
    problems = store.problems()
    pid = str(problems[(problems["district_code"] == "D01") & (problems["status"] == "found")]["id"].iloc[0])
    user = accounts.get_user(store.engine, "op1")
    seen = load_case(store, user, VOCAB, pid)["version"]
    make_move(store, VOCAB, user, "assign", pid, seen, rules, unit="B01", deadline=clock.today(), note="限期整改")
    return pid, load_case(store, user, VOCAB, pid)


def _report(store, rules, pid, *photos):
    user = accounts.get_user(store.engine, "op1")
    seen = load_case(store, user, VOCAB, pid)["version"]
    return make_move(store, VOCAB, user, "report", pid, seen, rules, note="已整改", photos=list(photos))


def test_a_fixed_photo_taken_2_km_away_or_before_the_assignment_is_flagged(office):
    store, rules = office
    pid, case = _assigned_and_fixing(store, rules)
    now = clock.now()
    stamp = lambda at: at.strftime("%Y:%m:%d %H:%M:%S")
    far = read_photo(jpeg(case["lon"], case["lat"] + 0.018, taken=stamp(now)), "far.jpg", MB)  # ~2 km north
    near = read_photo(jpeg(case["lon"] + 0.0005, case["lat"], taken=stamp(now)), "near.jpg", MB)  # ~50 m
    old = read_photo(jpeg(case["lon"], case["lat"], taken="2020:01:01 08:00:00", colour="grey"), "old.jpg", MB)
    plain = read_photo(png(), "screenshot.png", MB)
    moved = _report(store, rules, pid, far, near, old, plain)
    assert moved.photo_flags == (("far",), (), ("before_assigned",), ())
    kept = photos_of(store.engine, pid)
    assert kept["name"].tolist() == ["far.jpg", "near.jpg", "old.jpg", "screenshot.png"]
    assert kept["flag"].fillna("").tolist() == ["far", "", "before_assigned", ""]
    assert kept["distance_m"].iloc[0] == pytest.approx(2000, rel=0.02) and kept["distance_m"].iloc[1] < 60
    assert set(kept["stage"]) == {"after"} and kept["actor"].eq("op1").all()
    assert read_file(rules.photos_dir, kept["file"].iloc[0]) == far.data
    assert Image.open(io.BytesIO(read_file(rules.photos_dir, kept["thumb"].iloc[3]))).format == "JPEG"
    with pytest.raises(ValueError, match="outside the photos folder"):
        read_file(rules.photos_dir, "../../etc/passwd")


def test_the_photo_distance_is_a_setting(office):
    store, rules = office
    pid, case = _assigned_and_fixing(store, rules)
    lenient = CaseRules(rules.photos_dir, photo_max_distance_m=5000)
    far = read_photo(jpeg(case["lon"], case["lat"] + 0.018), "far.jpg", MB)
    assert _report(store, lenient, pid, far).photo_flags == ((),)


def test_photos_survive_a_ledger_reimport_that_changes_the_problem(office):
    store, rules = office
    pid, case = _assigned_and_fixing(store, rules)
    _report(store, rules, pid, read_photo(jpeg(case["lon"], case["lat"]), "fix.jpg", MB))
    files = photos_of(store.engine, pid)
    sheet = openpyxl.load_workbook(io.BytesIO(export_as("xlsx", store, Filters(districts=("D01",)), VOCAB,
                                                         store.as_of())))
    rows = sheet["问题台账"]
    header = [cell.value for cell in rows[1]]
    for row in rows.iter_rows(min_row=2):
        if row[0].value == pid:
            row[header.index("状态")].value = "已销号"  # the office closes it in its spreadsheet
    out = io.BytesIO()
    sheet.save(out)
    checked = ledger.check_file(out.getvalue(), "再导入.xlsx", "problems", store, VOCAB)
    result = ledger.commit_ledger(store, checked, VOCAB)
    assert result.inserted == 0 and result.rejected == 0 and result.updated == 1
    assert store.problems().set_index("id").at[pid, "status"] == "closed"
    assert photos_of(store.engine, pid).equals(files)
    assert all((rules.photos_dir / f).is_file() for f in (*files["file"], *files["thumb"]))


def test_the_supervision_list_carries_the_newest_photo_of_a_problem_sent_back(office):
    """A fix reported with a photo and sent back on site is overdue again: the printed 督办清单
    shows that photo beside its row, so the unit sees which 'fix' was refused."""
    store, rules = office
    problems = store.problems()
    late = problems[(problems["district_code"] == "D01") & (problems["status"] == "fixing")
                    & (pd.to_datetime(problems["deadline"]).dt.date < store.as_of())]
    pid = str(late.sort_values("id")["id"].iloc[0])
    user, checker = accounts.get_user(store.engine, "op1"), accounts.get_user(store.engine, "op2")
    case = load_case(store, user, VOCAB, pid)
    _report(store, rules, pid, read_photo(jpeg(case["lon"], case["lat"]), "fix.jpg", MB))
    seen = load_case(store, checker, VOCAB, pid)["version"]
    make_move(store, VOCAB, checker, "send_back", pid, seen, rules, note="墙面仍有小广告")

    data = export_as("xlsx", store, Filters(districts=("D01",)), VOCAB, store.as_of(), photos_dir=rules.photos_dir)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["督办清单"]
    header = [cell.value for cell in sheet[3]]
    assert header[-1] == "整改照片"
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, header.index("问题编号") + 1).value == pid)
    anchors = [(image.anchor._from.row + 1, image.anchor._from.col + 1) for image in sheet._images]
    assert anchors == [(row, len(header))]  # one thumbnail, on the problem's own row, nowhere else
    thumb = photos_of(store.engine, pid)["thumb"].iloc[-1]
    assert sheet._images[0]._data() == read_file(rules.photos_dir, thumb)

    # Without the photos folder (or with its file gone) the list still prints, and says so.
    plain = openpyxl.load_workbook(io.BytesIO(export_as("xlsx", store, Filters(districts=("D01",)), VOCAB,
                                                        store.as_of())))["督办清单"]
    assert not plain._images and "整改照片" not in [cell.value for cell in plain[3]]
    (rules.photos_dir / thumb).unlink()
    gone = openpyxl.load_workbook(io.BytesIO(export_as("xlsx", store, Filters(districts=("D01",)), VOCAB,
                                                       store.as_of(), photos_dir=rules.photos_dir)))["督办清单"]
    assert not gone._images and gone.cell(row, len(header)).value == f"照片文件缺失：{thumb}"
