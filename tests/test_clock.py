"""One clock, the city's: today, imports, stored times and exports, whatever the server's zone.

The instant is fixed at 2026-11-30 23:30 UTC, which is 07:30 on 1 December in Beijing:
the hour in which a server on UTC used to reject a problem found "today" as a future
finding. Each test runs with the process's own zone set to UTC and to Los Angeles
(UTC−8), so only the city's configured zone can give the right day.
"""

import datetime as dt
import io
import json
import os
import time

import openpyxl
import pytest

from civmap import clock, ledger
from civmap.config import load_settings
from civmap.storage import make_engine
from civmap.filters import Filters
from civmap.ledger.export import export_workbook
from civmap.ledger.open311 import export_open311
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
INSTANT = dt.datetime(2026, 11, 30, 23, 30, 5, 250000, tzinfo=dt.timezone.utc)
BEIJING_DAY = dt.date(2026, 12, 1)


@pytest.fixture(params=["UTC", "America/Los_Angeles"])
def server_zone(request, monkeypatch):
    """The process clock's zone, as a container or a laptop would set it, and a frozen instant."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    monkeypatch.delenv(clock.ZONE_ENV, raising=False)
    monkeypatch.setattr(clock, "_utc_now", lambda: INSTANT)
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_citys_whatever_the_servers_zone(server_zone):
    # The process's own idea of the day is yesterday here; the city's is not.
    assert dt.datetime.fromtimestamp(INSTANT.timestamp()).date() == dt.date(2026, 11, 30)
    assert clock.today() == BEIJING_DAY
    assert clock.now() == dt.datetime(2026, 12, 1, 7, 30, 5)
    assert clock.now().tzinfo is None  # stored as the city's wall time
    assert load_settings({}).assessment_date == dt.date(2027, 6, 1)


def test_another_city_zone_is_honoured(server_zone, monkeypatch):
    monkeypatch.setenv(clock.ZONE_ENV, "Asia/Urumqi")  # UTC+6
    assert clock.now() == dt.datetime(2026, 12, 1, 5, 30, 5)
    monkeypatch.setenv(clock.ZONE_ENV, "Europe/London")
    assert clock.today() == dt.date(2026, 11, 30)


def test_an_unknown_zone_is_named():
    with pytest.raises(ValueError, match="CIVMAP_TIME_ZONE='Mars/Olympus'"):
        load_settings({clock.ZONE_ENV: "Mars/Olympus"})
    assert load_settings({}).time_zone == "Asia/Shanghai"


def test_aware_attaches_the_citys_offset_to_a_stored_time():
    stamp = clock.aware(dt.datetime(2026, 12, 1, 7, 30), clock.zone_named("Asia/Shanghai"))
    assert stamp.isoformat() == "2026-12-01T07:30:00+08:00"
    assert stamp == INSTANT.replace(microsecond=0, second=0)
    # An aware value is converted, not relabelled.
    assert clock.aware(INSTANT, clock.zone_named("Asia/Shanghai")).hour == 7


def _todays_problem(store: Store) -> bytes:
    point = store.points().sort_values("id").iloc[0]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["问题编号", "问题描述", "问题类别", "经度", "纬度", "发现日期", "状态"])
    ws.append(["TZ001", "早上发现的牛皮癣", "牛皮癣", point.lon, point.lat, BEIJING_DAY.isoformat(), "整改中"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_problem_found_this_morning_is_accepted_stored_and_exported_in_city_time(server_zone, scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    checked = ledger.check_file(_todays_problem(store), "早班.xlsx", "problems", store, VOCAB)
    assert [i.code for i in checked.issues] == []
    assert checked.actions == {"TZ001": "insert"}
    ledger.commit_ledger(store, checked, VOCAB)

    events = store.events().query("problem_id == 'TZ001'")
    assert events["at"].iloc[-1].to_pydatetime() == dt.datetime(2026, 12, 1, 7, 30, 5)
    # The exports of its district (the whole city's would test the same stamps, slower).
    district = Filters(districts=(store.problems().set_index("id").at["TZ001", "district_code"],))
    request = next(r for r in json.loads(export_open311(store, district, VOCAB, BEIJING_DAY))
                   if r["service_request_id"] == "TZ001")
    assert request["updated_datetime"] == "2026-12-01T07:30:05+08:00"
    assert dt.datetime.fromisoformat(request["updated_datetime"]) == INSTANT.replace(microsecond=0)

    book = openpyxl.load_workbook(io.BytesIO(export_workbook(store, district, VOCAB, BEIJING_DAY)), read_only=True)
    about = book.worksheets[-1]
    stamps = [row[1] for row in about.iter_rows(values_only=True) if row and isinstance(row[1], str)]
    assert any(s.startswith("2026-12-01 07:30:05") for s in stamps)


def test_store_as_of_is_the_citys_today(server_zone, demo_store):
    assert demo_store.as_of() == BEIJING_DAY
    assert os.environ["TZ"] == server_zone
