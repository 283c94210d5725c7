"""The city's clock: what "now" and "today" are for deadlines, overdue counts, the wall and imports.

A server's clock zone is an accident of its installation (containers run in UTC, a
laptop in its owner's zone); the campaign's day is the city's. A problem found in Beijing
at 07:00 was found today, even where the server's clock still says yesterday. So every
"now" and "today" in civmap comes from here, in the zone set by ``CIVMAP_TIME_ZONE``
(default Asia/Shanghai), never from ``date.today()`` or a naive ``datetime.now()``.

Stored timestamps are the city's wall time, to the second and without an offset, so that
a day's figures are counted by the city's calendar with no conversion on every read. The
zone that gives them meaning is the configured one; :func:`aware` attaches it (with the
right UTC offset for that instant) wherever a timestamp leaves civmap, as in exports.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ZONE_ENV", "DEFAULT_ZONE", "zone_named", "city_zone", "now", "today", "aware"]

#: The environment variable (one row of the settings table) and its default.
ZONE_ENV = "CIVMAP_TIME_ZONE"
DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ValueError naming the setting when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{ZONE_ENV}={name!r} is not a time zone (expected an IANA name such as "
                         f"{DEFAULT_ZONE})") from None


def city_zone() -> ZoneInfo:
    """The configured city zone, read on each call so a test or a reload can change it."""
    return zone_named(os.environ.get(ZONE_ENV, "").strip() or DEFAULT_ZONE)


def _utc_now() -> dt.datetime:
    """The instant, from the system clock (in UTC, so the process's TZ plays no part)."""
    return dt.datetime.now(dt.timezone.utc)


def now(zone: ZoneInfo | None = None) -> dt.datetime:
    """The city's wall time now, to the second, without an offset (as the store keeps it)."""
    zone = zone or city_zone()
    return _utc_now().astimezone(zone).replace(microsecond=0, tzinfo=None)


def today(zone: ZoneInfo | None = None) -> dt.date:
    """The city's calendar day now."""
    return now(zone).date()


def aware(at: dt.datetime, zone: ZoneInfo | None = None) -> dt.datetime:
    """A stored (city wall time) timestamp with its zone attached, for export.

    An already aware value is converted to the city's zone instead.
    """
    zone = zone or city_zone()
    if at.tzinfo is not None:
        return at.astimezone(zone)
    return at.replace(tzinfo=zone)
