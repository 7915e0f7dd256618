"""Lookups outside a transaction: one statement reads, no BEGIN and ROLLBACK round trips."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
_AUTOCOMMIT_READS = "autocommit_reads"


async def autocommit_reads(session: AsyncSession) -> None:
    """Run this fresh session's statements each on its own (PostgreSQL; SQLite unchanged).

    Only for sessions that read with single statements and write nothing: each statement
    still sees one consistent snapshot, committed changes (a revoked key) included.
    """
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.connection(execution_options=AUTOCOMMIT)
        session.info[_AUTOCOMMIT_READS] = True


async def reads_driver(session: AsyncSession) -> Any | None:
    """The asyncpg connection of a session set up by `autocommit_reads`, else None.

    A lookup on every request runs through it as a prepared statement: SQLAlchemy's ORM
    spends more time on one small SELECT than the database does.
    """
    if not session.info.get(_AUTOCOMMIT_READS):
        return None
    conn = await session.connection()
    return (await conn.get_raw_connection()).driver_connection
