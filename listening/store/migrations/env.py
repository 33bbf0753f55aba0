"""Alembic environment: runs migrations against the configured URL."""

from __future__ import annotations

from alembic import context

from listening.store.db import get_engine
from listening.store.models import Base

config = context.config


def run_migrations() -> None:
    engine = get_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
