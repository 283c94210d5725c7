"""The store's schema changes as Alembic revisions, shipped inside the package.

Revision ``vN`` takes a store to schema version N (``meta.schema_version``); ``v1`` is the
first schema, which stores made before Alembic are stamped with by their recorded
version (:func:`civmap.storage.migrate.migrate`). They run through ``env.py`` on the
connection ``migrate`` gives them, inside its write transaction.
"""
