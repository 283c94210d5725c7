"""Schema 1: the store as the first civmap wrote it (areas, units, points, inspections,
circles, alleys, problems, events). Stores from before Alembic are stamped with their
version; a new store is created whole at the newest schema and stamped there.

Revision ID: v1
"""

revision = "v1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: no store is ever built up from an empty database step by step."""
