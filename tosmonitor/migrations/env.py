"""Alembic environment: runs on a connection handed over by tosmonitor, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from tosmonitor.config import load_settings
from tosmonitor.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or load_settings().resolved_database_url
    with create_engine(url).connect() as new_connection:
        _run(new_connection)
        new_connection.commit()
