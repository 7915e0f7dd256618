"""What the telemetry handlers and jobs need from the app, under one typed app key."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.telemetry.cache import LentCache, SizedCache
from collectors.telemetry.exposition import Labels
from collectors.telemetry.metrics import TelemetryMetrics
from collectors.telemetry.writer import GroupWriter

# Each cache of pushed series holds at most about this much; least recently used go first.
PUSH_CACHE_BYTES = 32 * 1024 * 1024


def series_cache(max_bytes: int = PUSH_CACHE_BYTES) -> LentCache[str, tuple[str, Labels]]:
    """Exposition series text -> the series parsed from it."""
    # The value holds the key's characters again, less quotes and escapes: count the key twice.
    return LentCache(SizedCache(max_bytes, lambda text, _series: 2 * len(text)))


def labels_cache(max_bytes: int = PUSH_CACHE_BYTES) -> LentCache[tuple[object, ...], str]:
    """(grouping labels, a series' own labels) -> the label string stored."""
    # The key's labels are about as long as the label string made of them: count it twice.
    return LentCache(SizedCache(max_bytes, lambda _key, labels: 2 * len(labels)))


@dataclass
class TelemetryContext:
    """Settings, metrics and caches of the telemetry collector of one app."""

    retention_days: int
    timezone: ZoneInfo
    metrics: TelemetryMetrics
    # Exposition series already parsed, and their stored label strings per grouping key.
    series: LentCache[str, tuple[str, Labels]] = field(default_factory=series_cache)
    labels: LentCache[tuple[object, ...], str] = field(default_factory=labels_cache)
    sqlite_writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
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

    @property
    def push_cache_bytes(self) -> int:
        """Approximate bytes the caches of pushed series hold now."""
        return self.series.size + self.labels.size


TELEMETRY = web.AppKey("telemetry", TelemetryContext)
