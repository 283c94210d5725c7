"""Schema 4: shapes live in ``geom``; in PostgreSQL a PostGIS geometry (SRID 4326) with GIST
indexes on the shapes and on the places of points and problems. SQLite keeps WKT text.

Revision ID: v4
Revises: v3
"""

from alembic import op

from civmap.storage.schema import SPATIAL_INDEXES, SRID

revision = "v4"
down_revision = "v3"
branch_labels = None
depends_on = None

_TABLES = ("areas", "points", "alleys")


def upgrade() -> None:
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN geom_wkt TO geom")
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN geom TYPE geometry(Geometry,{SRID}) "
                   f"USING ST_GeomFromText(NULLIF(geom, ''), {SRID})")
    for index in SPATIAL_INDEXES:
        index.create(conn)
