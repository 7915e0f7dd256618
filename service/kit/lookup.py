"""Lookups outside a transaction: one statement reads, no BEGIN and ROLLBACK round trips."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


async def autocommit_reads(session: AsyncSession) -> None:
    """Run this fresh session's statements each on its own (PostgreSQL; SQLite unchanged).

    Only for sessions that read with single statements and write nothing: each statement
    still sees one consistent snapshot, committed changes (a revoked key) included.
    """
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.connection(execution_options=AUTOCOMMIT)
