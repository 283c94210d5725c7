"""Alembic's entry point: run the revisions on the connection civmap hands over.

``civmap.storage.migrate`` opens the write transaction (the write lock held) and puts its
connection in ``config.attributes["connection"]``; every revision then runs inside that one
transaction, so a failed migration leaves the store as it was. Imported outside a run of
Alembic (a test walking the package), it does nothing.
"""

from alembic import context

from civmap.storage import schema


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=schema.metadata)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic, not merely imported
    run_migrations()
