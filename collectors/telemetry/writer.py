"""Group commit: batches waiting at the same moment are stored in one transaction.

One writer task per app (two on PostgreSQL) drains a queue. Whatever batches are waiting
when a writer is free are stored and committed together; each request is answered only after
that commit. If the group
fails, the transaction is rolled back and each batch is retried alone, so a bad batch fails
by itself and every batch stays all or nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.telemetry.store import Batch, Stored, store_batches
from service.kit.transaction import commit

# A group stops growing at this many samples: one transaction stays short.
MAX_GROUP_SAMPLES = 50_000
# Concurrent groups on PostgreSQL: rows go in key order, so they cannot deadlock.
POSTGRESQL_WRITERS = 2
log = logging.getLogger("infra_incentives.telemetry")
WriteTurn = Callable[[AsyncSession], AbstractAsyncContextManager[None]]


@dataclass
class _Waiting:
    readings: Batch
    answer: asyncio.Future[Stored]


@dataclass
class GroupWriter:
    """The writers of JSON batches of one app, draining one queue."""

    sessions: async_sessionmaker[AsyncSession]
    timezone: ZoneInfo
    # The app's turn to write (SQLite: one writer at a time, shared with Pushgateway pushes).
    write_turn: WriteTurn
    _queue: asyncio.Queue[_Waiting] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def _writers(self) -> int:
        # SQLite has one writer anyway; PostgreSQL overlaps one group's commit with the next.
        bind = self.sessions.kw.get("bind")
        return 1 if bind is None or bind.dialect.name == "sqlite" else POSTGRESQL_WRITERS

    async def store(self, readings: Batch) -> Stored:
        """Store one batch, all or nothing; returns once it is committed."""
        self._tasks = [task for task in self._tasks if not task.done()]
        while len(self._tasks) < self._writers():
            self._tasks.append(asyncio.create_task(self._run(), name="telemetry group writer"))
        answer: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(readings, answer))
        # If the client goes away, the batch may still be stored; a retry counts duplicates.
        return await answer

    async def close(self) -> None:
        """Stop the writer; batches still waiting are answered with an error."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():
            waiting = self._queue.get_nowait()
            if not waiting.answer.done():
                waiting.answer.set_exception(RuntimeError("the telemetry writer stopped"))

    async def _run(self) -> None:
        while True:
            group = [await self._queue.get()]
            size = len(group[0].readings)
            while size < MAX_GROUP_SAMPLES and not self._queue.empty():
                waiting = self._queue.get_nowait()
                group.append(waiting)
                size += len(waiting.readings)
            # A request cancelled before its turn (client gone) is not written.
            group = [w for w in group if not w.answer.done()]
            if group:
                await self._write(group)

    async def _write(self, group: list[_Waiting]) -> None:
        try:
            results = await self._commit([w.readings for w in group])
        except asyncio.CancelledError:
            for waiting in group:
                waiting.answer.cancel()
            raise
        except Exception as exc:  # each batch is retried alone, or gets the error itself
            if len(group) > 1:
                log.warning("a group of %d telemetry batches failed; retrying each", len(group))
                for waiting in group:
                    await self._write([waiting])
                return
            if not group[0].answer.done():
                group[0].answer.set_exception(exc)
            return
        for waiting, stored in zip(group, results, strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(stored)

    async def _commit(self, batches: list[Batch]) -> list[Stored]:
        async with self.sessions() as session, self.write_turn(session):
            results = await store_batches(session, batches, self.timezone)
            await commit(session)
        return results
