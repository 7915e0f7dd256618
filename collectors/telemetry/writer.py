"""Group commit: batches waiting at the same moment are stored in one transaction.

One writer task per app (two on PostgreSQL) drains a queue. Whatever batches are waiting
when a writer is free are stored and committed together; each request is answered only after
that commit. Like PostgreSQL's commit_siblings, a writer about to start a group waits a few
milliseconds for batches already received and still being checked, so that fewer, larger
groups are written (on PostgreSQL each COPY statement costs much besides its rows). If the
group fails, the transaction is rolled back and each batch is retried alone, so a bad batch fails
by itself and every batch stays all or nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
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
# How long a group about to start waits, at most, for batches still being checked (seconds).
SIBLINGS_WAIT = 0.005
log = logging.getLogger("infra_incentives.telemetry")
WriteTurn = Callable[[AsyncSession], AbstractAsyncContextManager[None]]


@dataclass
class _Waiting:
    readings: Batch
    answer: asyncio.Future[Stored]


@dataclass
class Arrival:
    """A batch received and being checked: a group about to start waits for it."""

    writer: GroupWriter
    counted: bool = True

    def settle(self) -> None:
        """Count it no more (queued, refused or given up); once only, whatever calls it."""
        if self.counted:
            self.counted = False
            self.writer._settled()


@dataclass
class GroupWriter:
    """The writers of JSON batches of one app, draining one queue."""

    sessions: async_sessionmaker[AsyncSession]
    timezone: ZoneInfo
    # The app's turn to write (SQLite: one writer at a time, shared with Pushgateway pushes).
    write_turn: WriteTurn
    # Groups committed so far (each may hold several batches).
    groups: int = 0
    _queue: asyncio.Queue[_Waiting] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # One writer gathers a group at a time; the other gathers the next while this one writes.
    _gathering: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Batches received and being checked, not queued yet; set whenever that or the queue moves.
    _arriving: int = 0
    _moved: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def arriving(self) -> int:
        """How many batches are being received and checked now."""
        return self._arriving

    @contextlib.contextmanager
    def arrival(self) -> Iterator[Arrival]:
        """Count a batch being received and checked until it is queued, refused or given up."""
        self._arriving += 1
        arrival = Arrival(self)
        try:
            yield arrival
        finally:
            arrival.settle()  # an error or a cancelled request must not leave it counted

    def _settled(self) -> None:
        self._arriving -= 1
        self._moved.set()

    def _writers(self) -> int:
        # SQLite has one writer anyway; PostgreSQL overlaps one group's commit with the next.
        bind = self.sessions.kw.get("bind")
        return 1 if bind is None or bind.dialect.name == "sqlite" else POSTGRESQL_WRITERS

    async def store(self, readings: Batch, arrival: Arrival | None = None) -> Stored:
        """Store one batch, all or nothing; returns once it is committed."""
        self._tasks = [task for task in self._tasks if not task.done()]
        while len(self._tasks) < self._writers():
            self._tasks.append(asyncio.create_task(self._run(), name="telemetry group writer"))
        answer: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(readings, answer))
        if arrival is not None:
            arrival.settle()
        self._moved.set()
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
            async with self._gathering:
                group = [await self._queue.get()]
                try:
                    await self._gather(group)
                except asyncio.CancelledError:  # closing: what was taken is answered, not lost
                    for waiting in group:
                        waiting.answer.cancel()
                    raise
            # A request cancelled before its turn (client gone) is not written.
            group = [w for w in group if not w.answer.done()]
            if group:
                await self._write(group)

    async def _gather(self, group: list[_Waiting]) -> None:
        """Add the batches waiting, and those arriving within SIBLINGS_WAIT, to a group."""
        size = len(group[0].readings)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SIBLINGS_WAIT
        while size < MAX_GROUP_SAMPLES:
            if self._queue.empty():
                left = deadline - loop.time()
                if not self._arriving or left <= 0:
                    return
                self._moved.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._moved.wait(), left)
                continue
            waiting = self._queue.get_nowait()
            group.append(waiting)
            size += len(waiting.readings)

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
        self.groups += 1
        return results
