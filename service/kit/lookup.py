"""Lookups outside a transaction: one statement reads, no BEGIN and ROLLBACK round trips."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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


async def autocommit_connection(session: AsyncSession) -> AsyncConnection | None:
    """The connection of a session set up by `autocommit_reads`, else None.

    A lookup made on every request runs on it as SQL text (`exec_driver_sql`): no ORM
    statement to build and compile, while SQLAlchemy still sees a lost connection as lost.
    """
    if not session.info.get(_AUTOCOMMIT_READS):
        return None
    return await session.connection()
