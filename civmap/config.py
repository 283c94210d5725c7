"""Settings: one table, read from environment variables.

Each setting is declared once in ``SETTINGS`` with its environment variable, default
and meaning; the README's configuration table is checked against this list by a test,
so a setting cannot exist without being documented.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from civmap import clock

__all__ = ["Setting", "SETTINGS", "Settings", "load_settings", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "CIVMAP_DATABASE_URL", "",
            "SQLAlchemy URL of the store (`sqlite:///FILE` or `postgresql+psycopg://...` with PostGIS). "
            "Unset: a SQLite file `civmap.sqlite` in the data folder, "
            "created and seeded with the demo city on first run."),
    Setting("data_dir", "CIVMAP_DATA_DIR", str(ROOT / "var"),
            "Folder for the embedded SQLite store and other runtime files."),
    Setting("vocab_dir", "CIVMAP_VOCAB_DIR", str(ROOT / "data" / "vocab"),
            "Folder of the office's vocabulary CSV files (categories, statuses, centre kinds ...)."),
    Setting("lang", "CIVMAP_LANG", "zh", "Default UI language: `zh` (Simplified Chinese) or `en`."),
    Setting("circle_radius_m", "CIVMAP_CIRCLE_RADIUS_M", "300",
            "Radius of a key point-circle in metres (ground distance)."),
    Setting("centre_kinds", "CIVMAP_CENTRE_KINDS", "market,hospital,transport,community",
            "Comma-separated centre kinds that anchor key point-circles."),
    Setting("tie_distance_m", "CIVMAP_TIE_DISTANCE_M", "100",
            "Farthest (metres, ground) a problem may lie from an assessment point or alley and still be tied to it; farther ones are flagged."),
    Setting("circle_rule", "CIVMAP_CIRCLE_RULE", "max_overdue=0,max_open=5,min_standard=0.7",
            "When a key point-circle is 达标: most overdue and open problems, least share of its places up to standard (see the Circles page)."),
    Setting("due_soon_days", "CIVMAP_DUE_SOON_DAYS", "3",
            "A problem not yet reported fixed whose deadline is within this many days (today included) is "
            "即将超期 (due soon): counted and listed on the overview."),
    Setting("assessment_date", "CIVMAP_ASSESSMENT_DATE", "",
            "Date of the national assessment (国测), YYYY-MM-DD. Unset: the next 1 June."),
    Setting("tiles", "CIVMAP_TILES", "none",
            "Base map tiles: `none` (district boundaries only; works offline), `file` (the city's own "
            "tile file, CIVMAP_TILE_FILE), `custom` (an intranet tile server, CIVMAP_TILE_URL), `osm`, "
            "`tianditu` (needs CIVMAP_TIANDITU_KEY) or `amap` (GCJ-02; data shifted to match)."),
    Setting("tile_url", "CIVMAP_TILE_URL", "",
            "Custom tile URL template for an intranet tile server (WGS-84 / Web Mercator)."),
    Setting("tile_file", "CIVMAP_TILE_FILE", "",
            "An MBTiles or PMTiles file of raster tiles, for `tiles=file`: the app unpacks it under "
            "`static/tiles/` and serves it itself (see the README's base map section)."),
    Setting("tianditu_key", "CIVMAP_TIANDITU_KEY", "", "Tianditu API key, for `tiles=tianditu`."),
    Setting("demo_seed", "CIVMAP_DEMO_SEED", "20240601", "Random seed of the demo city seeded on first run."),
    Setting("time_zone", clock.ZONE_ENV, clock.DEFAULT_ZONE,
            "The city's time zone (IANA name): what *today* is for deadlines, overdue counts, the wall and "
            "imports, whatever zone the server's clock is in. Stored times are the city's wall time."),
    Setting("import_memory_mb", "CIVMAP_IMPORT_MEMORY_MB", "1024",
            "Most memory (MB) one ledger import may need; a file whose unpacked size would need more is refused "
            "before it is read."),
    Setting("import_max_rows", "CIVMAP_IMPORT_MAX_ROWS", "200000",
            "Most rows a ledger sheet may have; a longer sheet is refused before it is read."),
    Setting("date_years_ahead", "CIVMAP_DATE_YEARS_AHEAD", "5",
            "A ledger date (a deadline) more than this many years after today is rejected as impossible; "
            "dates before 1949-10-01 always are."),
    Setting("standard_score", "CIVMAP_STANDARD_SCORE", "0.8",
            "Score rate (0–1) at or above which an inspected point is up to standard (达标) when an inspection "
            "ledger leaves 是否达标 blank."),
    Setting("lock_timeout_s", "CIVMAP_LOCK_TIMEOUT_S", "30",
            "Seconds an import or status change waits for another's write lock before it gives up, changing nothing."),
    # Accounts and the case flow (civmap.accounts, civmap.cases)
    Setting("login_max_failures", "CIVMAP_LOGIN_MAX_FAILURES", "5",
            "Wrong passwords in a row after which an account is locked for CIVMAP_LOGIN_LOCK_MINUTES."),
    Setting("login_lock_minutes", "CIVMAP_LOGIN_LOCK_MINUTES", "15",
            "Minutes an account stays locked after too many wrong passwords."),
    Setting("session_idle_minutes", "CIVMAP_SESSION_IDLE_MINUTES", "30",
            "Minutes without a click after which a local sign-in expires."),
    Setting("closer_not_reporter", "CIVMAP_CLOSER_NOT_REPORTER", "true",
            "`true`: whoever reported a problem fixed may not also close it (销号); `false` allows it."),
    Setting("photos_dir", "CIVMAP_PHOTOS_DIR", "",
            "Folder of evidence photos. Unset: `photos/` next to the SQLite store (in the data folder for "
            "PostgreSQL)."),
    Setting("photo_max_mb", "CIVMAP_PHOTO_MAX_MB", "10", "Largest photo (MB) that may be uploaded."),
    Setting("photo_max_distance_m", "CIVMAP_PHOTO_MAX_DISTANCE_M", "500",
            "A 'fixed' photo whose GPS place (EXIF) is farther than this (metres, ground) from the problem is "
            "flagged."),
)


def _default_assessment_date(today: dt.date) -> dt.date:
    this_year = dt.date(today.year, 6, 1)
    return this_year if this_year >= today else dt.date(today.year + 1, 6, 1)


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    vocab_dir: Path
    lang: str
    circle_radius_m: float
    centre_kinds: tuple[str, ...]
    tie_distance_m: float
    circle_rule: str
    assessment_date: dt.date
    tiles: str
    tile_url: str
    tile_file: str
    tianditu_key: str
    demo_seed: int
    time_zone: str = clock.DEFAULT_ZONE
    import_memory_mb: int = 1024
    import_max_rows: int = 200_000
    date_years_ahead: int = 5
    lock_timeout_s: float = 30.0
    standard_score: float = 0.8
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    session_idle_minutes: int = 30
    closer_not_reporter: bool = True
    photos_dir: Path | None = None
    photo_max_mb: int = 10
    photo_max_distance_m: float = 500.0
    due_soon_days: int = 3
    is_default_store: bool = field(default=False)


def _lock_timeout(seconds: float) -> float:
    if not 0 <= seconds <= 86_400:  # NaN fails both
        raise ValueError(f"CIVMAP_LOCK_TIMEOUT_S={seconds!r} must be between 0 and 86400 seconds")
    return seconds


def load_settings(environ: dict[str, str] | None = None, today: dt.date | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment).

    Raises ValueError naming the variable when a value cannot be read.
    """
    env = os.environ if environ is None else environ
    raw = {s.name: env.get(s.env, "") or s.default for s in SETTINGS}
    zone = raw["time_zone"].strip()
    today = today or clock.today(clock.zone_named(zone))

    def number(name: str, kind=float):
        try:
            return kind(raw[name])
        except ValueError:
            var = next(s.env for s in SETTINGS if s.name == name)
            raise ValueError(f"{var}={raw[name]!r} is not a number") from None

    data_dir = Path(raw["data_dir"])
    url = raw["database_url"]
    is_default = not url
    if is_default:
        url = f"sqlite:///{data_dir / 'civmap.sqlite'}"
    if raw["lang"] not in ("zh", "en"):
        raise ValueError(f"CIVMAP_LANG={raw['lang']!r}: expected zh or en")
    if raw["assessment_date"]:
        try:
            assessment = dt.date.fromisoformat(raw["assessment_date"])
        except ValueError:
            raise ValueError(
                f"CIVMAP_ASSESSMENT_DATE={raw['assessment_date']!r}: expected YYYY-MM-DD") from None
    else:
        assessment = _default_assessment_date(today)
    radius = number("circle_radius_m")
    if radius <= 0:
        raise ValueError(f"CIVMAP_CIRCLE_RADIUS_M={raw['circle_radius_m']!r} must be positive")
    tie_distance = number("tie_distance_m")
    if tie_distance < 0:
        raise ValueError(f"CIVMAP_TIE_DISTANCE_M={raw['tie_distance_m']!r} must not be negative")
    limits = {name: number(name, int) for name in ("import_memory_mb", "import_max_rows", "date_years_ahead",
                                                   "login_max_failures", "login_lock_minutes",
                                                   "session_idle_minutes", "photo_max_mb", "due_soon_days")}
    for name, value in limits.items():
        if value <= 0:
            var = next(s.env for s in SETTINGS if s.name == name)
            raise ValueError(f"{var}={raw[name]!r} must be a positive whole number")
    tiles = raw["tiles"].lower()
    if tiles not in ("none", "osm", "tianditu", "amap", "custom", "file"):
        raise ValueError(f"CIVMAP_TILES={raw['tiles']!r}: expected none, osm, tianditu, amap, custom or file")
    if tiles == "file" and not raw["tile_file"]:
        raise ValueError("CIVMAP_TILES=file needs CIVMAP_TILE_FILE, the path of an MBTiles or PMTiles file")
    return Settings(
        database_url=url,
        data_dir=data_dir,
        vocab_dir=Path(raw["vocab_dir"]),
        lang=raw["lang"],
        circle_radius_m=radius,
        centre_kinds=tuple(k.strip() for k in raw["centre_kinds"].split(",") if k.strip()),
        tie_distance_m=tie_distance,
        circle_rule=raw["circle_rule"],
        assessment_date=assessment,
        tiles=tiles,
        tile_url=raw["tile_url"],
        tile_file=raw["tile_file"],
        tianditu_key=raw["tianditu_key"],
        demo_seed=number("demo_seed", int),
        time_zone=zone,
        **limits,
        lock_timeout_s=_lock_timeout(number("lock_timeout_s")),
        standard_score=_share("standard_score", number("standard_score")),
        closer_not_reporter=_yes_no("closer_not_reporter", raw["closer_not_reporter"]),
        photos_dir=_photos_dir(raw["photos_dir"], url, data_dir),
        photo_max_distance_m=_positive("photo_max_distance_m", number("photo_max_distance_m")),
        is_default_store=is_default,
    )


def _env_of(name: str) -> str:
    return next(s.env for s in SETTINGS if s.name == name)


def _yes_no(name: str, text: str) -> bool:
    word = text.strip().lower()
    if word not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"{_env_of(name)}={text!r}: expected true or false")
    return word in ("true", "1", "yes")


def _positive(name: str, value: float) -> float:
    if not value > 0:  # NaN fails too
        raise ValueError(f"{_env_of(name)}={value!r} must be positive")
    return value


def _photos_dir(text: str, url: str, data_dir: Path) -> Path:
    """Photos live beside the store they belong to, so copying the SQLite file's folder keeps both."""
    if text.strip():
        return Path(text.strip())
    from civmap.storage.engine import sqlite_path

    path = sqlite_path(url)
    return (path.parent if path is not None else data_dir) / "photos"


def _share(name: str, value: float) -> float:
    """A share of 1 (a score rate), named by its variable when out of range."""
    if not 0 < value <= 1:
        var = next(s.env for s in SETTINGS if s.name == name)
        raise ValueError(f"{var}={value!r} must be a share between 0 and 1 (e.g. 0.8)")
    return value
