"""What the telemetry handlers and jobs need from the app, under one typed app key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.telemetry.exposition import SeriesCache
from collectors.telemetry.metrics import TelemetryMetrics
from collectors.telemetry.writer import GroupWriter


@dataclass
class TelemetryContext:
    """Settings, metrics and caches of the telemetry collector of one app."""

    retention_days: int
    timezone: ZoneInfo
    metrics: TelemetryMetrics
    # Exposition series already parsed, and their stored label strings per grouping key.
    series: SeriesCache = field(default_factory=dict)
    labels: dict[tuple[object, ...], str] = field(default_factory=dict)
    sqlite_writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    writer: GroupWriter | None = None

    def group_writer(self, sessions: async_sessionmaker[AsyncSession]) -> GroupWriter:
        """The app's one writer of JSON batches (group commit), started on first use."""
        if self.writer is None:
            self.writer = GroupWriter(sessions, self.timezone, self.write_turn)
        return self.writer

    @asynccontextmanager
    async def write_turn(self, session: AsyncSession) -> AsyncIterator[None]:
        """On SQLite, one telemetry write transaction at a time; elsewhere, no wait.

        SQLite has one writer; a blocked writer polls with sleeps of up to 100 ms, so queueing
        writers here, while others parse their input, is much faster than letting them collide.
        """
        if session.bind is None or session.bind.dialect.name != "sqlite":
            yield
            return
        async with self.sqlite_writer:
            yield


TELEMETRY = web.AppKey("telemetry", TelemetryContext)
