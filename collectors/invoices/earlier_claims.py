"""Numbers another buyer claimed before an upload began, counted while the upload copies.

On PostgreSQL the upload's COPY keeps its connection busy and the database is the slow part
of an upload; this count (an index probe per new number, about 0.04 s of 100,000) runs on a
second, autocommit connection at the same time instead of after the last COPY. It reads the
claims committed with ids below the upload's first id (`floor`), which is what "claimed
first" means for the uploads of one buyer: an official's file of several buyers can claim a
number twice itself, so it is counted in the upload's own transaction instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import Pool, QueuePool

# The numbers are an array literal: they are checked ASCII digits, and the driver's encoding
# of a text[] would look at each element in Python.
EARLIER_CLAIMS = (
    "SELECT count(*) FROM unnest($1::TEXT::TEXT[]) AS n(number) WHERE EXISTS "
    "(SELECT 1 FROM invoices o WHERE o.number = n.number "
    "AND o.buyer_unit_id <> $2::INTEGER AND o.id < $3::BIGINT)"
)


def can_connect_now(pool: Pool) -> bool:
    """Whether the pool hands out a connection without waiting: waiting for one while this
    upload holds its own could wait for ever when every connection is an upload's."""
    if not isinstance(pool, QueuePool):
        return True  # no limit to wait for (NullPool, StaticPool)
    # QueuePool keeps its limit private; -1 is no limit.
    limit = getattr(pool, "_max_overflow", 0)
    return pool.checkedin() > 0 or limit < 0 or pool.checkedout() < pool.size() + limit


class EarlierClaims:
    """One upload's count, a chunk at a time on a connection of its own (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine, buyer: int, floor: int) -> None:
        self.engine = engine
        self.buyer = buyer
        self.floor = floor
        self.count = 0
        self._conn: AsyncConnection | None = None
        self._running: asyncio.Future[None] | None = None
        self.unavailable = False  # no idle connection: the caller counts in its transaction

    async def add(self, numbers: Sequence[str]) -> None:
        """Count these new numbers once the chunk before is counted."""
        if self.unavailable or not numbers:
            return
        if self._conn is None:
            if not can_connect_now(self.engine.pool):
                self.unavailable = True
                return
            conn = await self.engine.connect()
            self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        before = self._running
        self._running = asyncio.ensure_future(self._count(before, "{" + ",".join(numbers) + "}"))

    async def _count(self, before: asyncio.Future[None] | None, numbers: str) -> None:
        if before is not None:
            await before
        assert self._conn is not None  # made in add() before the first count
        found = await self._conn.exec_driver_sql(EARLIER_CLAIMS, (numbers, self.buyer, self.floor))
        self.count += int(found.scalar_one())

    async def total(self) -> int | None:
        """The count of every chunk added, or None when it could not be made on the side."""
        running, self._running = self._running, None
        if running is not None:
            try:
                await running
            except Exception:  # the upload's own transaction counts them instead
                self.unavailable = True
        return None if self.unavailable else self.count

    async def close(self) -> None:
        """Wait for a count still running (its outcome is moot) and give the connection back."""
        running, self._running = self._running, None
        if running is not None:
            await asyncio.wait([running])
            if not running.cancelled():
                running.exception()  # retrieved: asyncio would log it as never retrieved
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
