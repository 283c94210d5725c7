"""Alembic revisions: one file per schema version (see ``civmap.storage.migrations``)."""
