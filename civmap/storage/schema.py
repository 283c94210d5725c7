"""The store's tables, in SQLAlchemy Core so SQLite and PostgreSQL share one schema.

Geometry is kept portable for now: every feature has WGS-84 ``lon``/``lat`` (a
point, or a line's representative point) and lines and polygons carry their shape as
WKT in ``geom_wkt``. A later PostGIS migration can add geometry columns filled from
these without changing what the data-access layer returns.
Problem status changes are rows in ``problem_events`` (who, when, from, to), so any
past day's figures can be derived from them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
    Table, Text,
)

__all__ = [
    "SCHEMA_VERSION", "metadata", "meta", "areas", "units", "points", "inspections",
    "circles", "alleys", "problems", "problem_events", "inspection_ref",
]

#: Bumped by every change to the tables below; recorded in ``meta``. A store of an older
#: version is brought up to date by ``civmap.storage.migrate`` (``python -m civmap migrate``).
SCHEMA_VERSION = 2

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Administrative areas: district, street (街道), community, grid. Polygons as WKT.
areas = Table(
    "areas", metadata,
    Column("code", String(32), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(32), ForeignKey("areas.code"), nullable=True),
    Column("name", String(64), nullable=False),
    Column("name_en", String(64), nullable=True),
    Column("geom_wkt", Text, nullable=False),
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
    Column("geom_wkt", Text, nullable=True),
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
    Column("geom_wkt", Text, nullable=False),
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
    Index("ix_events_problem", "problem_id", "at"),
    Index("ix_events_at", "at"),
)


def inspection_ref(point_id: str, day) -> str:
    """An inspection's key: its point and its day (``date`` or ``YYYY-MM-DD`` text)."""
    text = day.isoformat() if hasattr(day, "isoformat") else str(day)
    return f"{point_id}@{text[:10]}"
