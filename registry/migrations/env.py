"""Alembic environment: runs migrations over the async engine of SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util

from alembic import context
from sqlalchemy.engine import Connection

from registry.db import Base, create_engine

config = context.config
for module in config.attributes.get("model_modules") or ["registry.models"]:
    # A package without tables of its own has no models module.
    if importlib.util.find_spec(module) is not None:
        importlib.import_module(module)
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async(config.get_main_option("sqlalchemy.url") or ""))
