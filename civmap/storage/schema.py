"""The store's tables, in SQLAlchemy Core so SQLite and PostgreSQL share one schema.

Every feature has WGS-84 ``lon``/``lat`` (a point, or a line's representative point);
lines and polygons carry their shape in ``geom`` (``Shape``): WKT text in SQLite, a PostGIS
``geometry(Geometry, 4326)`` with a GIST index in PostgreSQL, where points and problems
also get a GIST index on their ``lon``/``lat`` as a geography, so containment and
distance filters in metres run in the database (:mod:`civmap.storage.spatial`). What the
data-access layer hands out is the same on both (:mod:`civmap.storage.rows`).
Problem status changes are rows in ``problem_events`` (who, when, from, to), so any
past day's figures can be derived from them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
    Table, Text, func, literal_column,
)
from sqlalchemy.types import TypeDecorator, UserDefinedType

__all__ = [
    "SCHEMA_VERSION", "metadata", "meta", "areas", "units", "points", "inspections",
    "circles", "alleys", "problems", "problem_events", "inspection_ref",
    "users", "wall_tokens", "audit", "photos", "Shape", "SRID", "SPATIAL_INDEXES", "place",
]

#: Bumped by every change to the tables below; recorded in ``meta``. A store of an older
#: version is brought up to date by ``civmap.storage.migrate`` (``python -m civmap migrate``).
SCHEMA_VERSION = 4

#: WGS-84: every stored coordinate and shape.
SRID = 4326


class _PostGISGeometry(UserDefinedType):
    """PostGIS ``geometry(Geometry, 4326)``: WKT in, WKB out (what :mod:`.rows` reads)."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return f"geometry(Geometry,{SRID})"

    def bind_expression(self, bindvalue):
        return func.ST_GeomFromText(bindvalue, literal_column(str(SRID)), type_=self)

    def column_expression(self, column):
        return func.ST_AsBinary(column, type_=LargeBinary)


class Shape(TypeDecorator):
    """A shape in WGS-84: WKT text in SQLite, a PostGIS geometry in PostgreSQL.

    Rows hand it WKT either way; it comes back as WKT text (SQLite) or WKB bytes
    (PostgreSQL), which :mod:`civmap.storage.rows` turns into shapely geometries.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(_PostGISGeometry() if dialect.name == "postgresql" else Text())


metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Administrative areas: district, street (街道), community, grid, with their polygons.
areas = Table(
    "areas", metadata,
    Column("code", String(32), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("name", String(64), nullable=False),
    Column("name_en", String(64), nullable=True),
    Column("geom", Shape, nullable=False),
    Index("ix_areas_level", "level"),
)

#: Responsible units (责任单位): a district, street or community office, or a bureau.
#: No district: the unit answers for the whole city (a municipal bureau). Version 2 added
#: the street and the unit's head (负责人) and phone.
units = Table(
    "units", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("district_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("street_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("head_name", String(32), nullable=True),
    Column("head_phone", String(32), nullable=True),
)

points = Table(
    "points", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("category", String(32), nullable=False),
    Column("district_code", String(32), ForeignKey("areas.code"), nullable=False),
    Column("street_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("community", String(64), nullable=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("geom", Shape, nullable=True),
    Column("chief_name", String(32), nullable=True),
    Column("chief_phone", String(32), nullable=True),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=True),
    Column("authority", String(64), nullable=True),
    Column("partner_unit", String(64), nullable=True),
    Column("address", String(128), nullable=True),
    Index("ix_points_district", "district_code"),
    Index("ix_points_category", "category"),
)

inspections = Table(
    "inspections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("point_id", String(32), ForeignKey("points.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("score_rate", Float, nullable=False),
    Column("up_to_standard", Boolean, nullable=False),
    Column("inspector", String(64), nullable=True),
    # "point id@YYYY-MM-DD": one result per point and day, so a re-imported result updates
    # (version 2; see ``inspection_ref``).
    Column("ref", String(64), nullable=False),
    Index("ix_inspections_point_date", "point_id", "date"),
    Index("ix_inspections_ref", "ref", unique=True),
)

#: Key point-circles: an office designates which centres are key; membership is
#: computed from geometry (see ``civmap.circles.membership``), never stored, so a radius change
#: cannot leave stale members behind.
circles = Table(
    "circles", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("centre_point_id", String(32), ForeignKey("points.id"), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
)

alleys = Table(
    "alleys", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("district_code", String(32), ForeignKey("areas.code"), nullable=False),
    Column("street_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("state", String(32), nullable=False),
    Column("length_m", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("geom", Shape, nullable=False),
    Column("chief_name", String(32), nullable=True),
    Column("chief_phone", String(32), nullable=True),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=True),
    Index("ix_alleys_district", "district_code"),
)

problems = Table(
    "problems", metadata,
    Column("id", String(32), primary_key=True),
    Column("description", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("source", String(32), nullable=False),
    Column("point_id", String(32), ForeignKey("points.id"), nullable=True),
    Column("district_code", String(32), ForeignKey("areas.code"), nullable=False),
    Column("street_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("address", String(128), nullable=True),
    Column("found_on", Date, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("status", String(32), nullable=False),
    Column("status_since", DateTime, nullable=False),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=True),
    Column("chief_name", String(32), nullable=True),
    Index("ix_problems_district", "district_code"),
    Index("ix_problems_status", "status"),
    Index("ix_problems_found", "found_on"),
)

problem_events = Table(
    "problem_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("problem_id", String(32), ForeignKey("problems.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("from_status", String(32), nullable=True),
    Column("to_status", String(32), nullable=False),
    # The deadline in force from this event on (set when assigned, reset on a rebound),
    # so a past day's overdue state can be recomputed.
    Column("deadline", Date, nullable=True),
    Column("note", Text, nullable=True),
    # Version 3: the case-flow move that made the event (assign, report ...; none for an
    # import) and the unit it was assigned to, so the history says what and to whom.
    Column("move", String(16), nullable=True),
    Column("unit_code", String(32), nullable=True),
    Index("ix_events_problem", "problem_id", "at"),
    Index("ix_events_at", "at"),
)


# -- version 3: accounts, the audit trail, photos (see civmap.accounts, civmap.cases) --------
#: Who may sign in. The area is kept as plain codes (space-separated) for the role's
#: scope to read: districts, streets, or one responsible unit.
users = Table(
    "users", metadata,
    Column("login", String(64), primary_key=True),
    Column("display_name", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("district_codes", Text, nullable=False, default=""),
    Column("street_codes", Text, nullable=False, default=""),
    Column("unit_code", String(32), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    #: An argon2 hash (never the password); None: the account signs in by single sign-on only.
    Column("password_hash", Text, nullable=True),
    Column("sso_sub", String(255), nullable=True),
    Column("sso_email", String(255), nullable=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("failed_at", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Index("ix_users_sub", "sso_sub", unique=True),
    Index("ix_users_email", "sso_email"),
)

#: Long-lived sign-ins of command-centre screens; only a SHA-256 of the token is kept.
wall_tokens = Table(
    "wall_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), ForeignKey("users.login"), nullable=False),
    Column("label", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_by", String(64), nullable=True),
    Column("last_used_at", DateTime, nullable=True),
    Index("ix_wall_tokens_hash", "token_hash", unique=True),
)

#: What was done, by whom, when: sign-ins, imports, account changes, every problem move.
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(255), nullable=True),
    #: JSON text: counts, from/to, reasons (never a password or a token).
    Column("detail", Text, nullable=True),
    Index("ix_audit_at", "at"),
)

#: Evidence photos. Files live under the photos folder (``CIVMAP_PHOTOS_DIR``); no foreign
#: key to ``problems``, so no import or re-seed can take a photo with it.
photos = Table(
    "photos", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("problem_id", String(32), nullable=False),
    Column("event_id", Integer, nullable=True),
    Column("stage", String(16), nullable=False),
    Column("file", String(255), nullable=False),
    Column("thumb", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("name", String(255), nullable=True),
    Column("actor", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("taken_at", DateTime, nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    #: Why the photo is doubtful (``far``, ``before_assigned``; space-separated), or None.
    Column("flag", String(64), nullable=True),
    Column("distance_m", Float, nullable=True),
    Index("ix_photos_problem", "problem_id"),
)


def place(table: Table):
    """A row's ``lon``/``lat`` as a PostGIS geography (PostgreSQL only): what the GIST
    indexes below index, and what distance filters in metres compare."""
    point = func.ST_SetSRID(func.ST_MakePoint(table.c.lon, table.c.lat), literal_column(str(SRID)))
    return func.geography(point)


def _spatial_index(name: str, table: Table, expression) -> Index:
    """A GIST index made in PostgreSQL only (SQLite keeps its tables as they were)."""
    return Index(name, expression, postgresql_using="gist", _table=table).ddl_if(dialect="postgresql")


#: Version 4 (PostgreSQL): GIST indexes on every shape, and on the places of points and problems.
SPATIAL_INDEXES = (
    _spatial_index("ix_areas_geom", areas, areas.c.geom),
    _spatial_index("ix_points_geom", points, points.c.geom),
    _spatial_index("ix_alleys_geom", alleys, alleys.c.geom),
    _spatial_index("ix_points_place", points, place(points)),
    _spatial_index("ix_problems_place", problems, place(problems)),
)


def inspection_ref(point_id: str, day) -> str:
    """An inspection's key: its point and its day (``date`` or ``YYYY-MM-DD`` text)."""
    text = day.isoformat() if hasattr(day, "isoformat") else str(day)
    return f"{point_id}@{text[:10]}"
