"""Alembic environment: runs migrations over the async engine of SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from registry.db import Base, create_engine, is_sqlite

config = context.config
for module in config.attributes.get("model_modules") or ["registry.models"]:
    # A package without tables of its own has no models module.
    if importlib.util.find_spec(module) is not None:
        importlib.import_module(module)
target_metadata = Base.metadata


def _sqlite_transactional_ddl(engine: Engine) -> None:
    """Make SQLite run DDL inside the migration's transaction, as PostgreSQL does."""

    # The driver would begin a transaction only before DML and run every CREATE and ALTER in
    # autocommit, so a kill mid-upgrade left tables without their alembic_version row.
    def no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's own recipe for schema changes: batch mode drops and recreates tables, and
        # with foreign keys on, that DROP would fire ON DELETE actions on the rows that refer
        # to them. Each revision checks the keys itself before it commits (_keys_hold).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    def begin(connection: Connection) -> None:
        # IMMEDIATE: take the write lock now, so two replicas migrating queue instead of failing.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", no_driver_transactions)
    event.listen(engine, "begin", begin)


def _keys_hold(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """Refuse to commit a SQLite revision that left a foreign key dangling."""
    assert ctx.connection is not None
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = ", ".join(sorted({str(row[0]) for row in broken}))
        raise RuntimeError(f"revision {step.up_revision_id} leaves broken foreign keys in {tables}")


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        # Each revision and its alembic_version row commit together, or not at all.
        transaction_per_migration=True,
        transactional_ddl=True if sqlite else None,
        on_version_apply=_keys_hold if sqlite else None,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    if is_sqlite(url):
        _sqlite_transactional_ddl(engine.sync_engine)
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
