"""Schema 3: accounts, wall-screen tokens, the audit trail and photos; events say which
move made them and to which unit.

Revision ID: v3
Revises: v2
"""

import sqlalchemy as sa
from alembic import op

revision = "v3"
down_revision = "v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("problem_events", sa.Column("move", sa.String(16), nullable=True))
    op.add_column("problem_events", sa.Column("unit_code", sa.String(32), nullable=True))
    op.create_table(
        "users",
        sa.Column("login", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("district_codes", sa.Text, nullable=False),
        sa.Column("street_codes", sa.Text, nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("sso_sub", sa.String(255), nullable=True),
        sa.Column("sso_email", sa.String(255), nullable=True),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("failed_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_users_sub", "users", ["sso_sub"], unique=True)
    op.create_index("ix_users_email", "users", ["sso_email"])
    op.create_table(
        "wall_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(64), sa.ForeignKey("users.login"), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.Column("last_used_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_wall_tokens_hash", "wall_tokens", ["token_hash"], unique=True)
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("problem_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("file", sa.String(255), nullable=False),
        sa.Column("thumb", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("flag", sa.String(64), nullable=True),
        sa.Column("distance_m", sa.Float, nullable=True),
    )
    op.create_index("ix_photos_problem", "photos", ["problem_id"])
