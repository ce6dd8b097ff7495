"""Alembic environment for the project store: always run on a connection the store hands in."""

from alembic import context

from qualcoop.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
