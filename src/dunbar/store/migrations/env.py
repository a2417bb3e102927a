"""Alembic environment: always run on a connection that dunbar hands over (see dunbar.store.migrate)."""

from __future__ import annotations

from alembic import context

from dunbar.model import Base
from dunbar.store.migrations_filter import include_object

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
