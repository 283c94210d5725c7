"""Schema 2: units get their street, head and phone; inspections a key per point and day.

Revision ID: v2
Revises: v1
"""

import sqlalchemy as sa
from alembic import op

from civmap.storage.schema import inspection_ref

revision = "v2"
down_revision = "v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("street_code", "head_name", "head_phone"):
        op.add_column("units", sa.Column(name, sa.String(32), nullable=True))
    op.add_column("inspections", sa.Column("ref", sa.String(64), nullable=True))
    conn = op.get_bind()
    i = sa.table("inspections", sa.column("id", sa.Integer), sa.column("point_id", sa.String),
                 sa.column("date", sa.Date), sa.column("ref", sa.String))
    rows = conn.execute(sa.select(i.c.id, i.c.point_id, i.c.date).order_by(i.c.id.desc())).all()
    seen: set[str] = set()
    keys = []
    for row in rows:  # two results of one point on one day: the later row keeps the plain key
        ref = inspection_ref(row.point_id, row.date)
        key = ref if ref not in seen else f"{ref}#{row.id}"
        seen.add(key)
        keys.append({"row_id": row.id, "row_ref": key})
    if keys:
        conn.execute(sa.update(i).where(i.c.id == sa.bindparam("row_id")).values(ref=sa.bindparam("row_ref")), keys)
    op.create_index("ix_inspections_ref", "inspections", ["ref"], unique=True)
