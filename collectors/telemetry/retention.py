"""Retention: raw samples older than the configured days are pruned; roll-ups stay for ever."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.telemetry.models import TelemetrySample, TelemetrySeries
from collectors.telemetry.partitions import drop_days_before, ensure_ahead
from collectors.telemetry.store import to_microseconds
from registry.models import utcnow

PRUNE_JOB_ID = "telemetry-prune"
CHUNK = 10_000
log = logging.getLogger("infra_incentives.telemetry")


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    retention_days: int,
    now: dt.datetime | None = None,
) -> int:
    """Delete raw samples older than the retention, in small transactions; returns the count.

    On PostgreSQL the days wholly past the retention are dropped with their partitions first,
    and the partitions of the next days are made ahead. What remains is deleted
    series by series along the primary key (there is no index on time alone), at most about
    CHUNK rows a transaction. Safe to run twice at once: each deletes what is still there, so
    two runs share the work and neither fails; roll-ups and series are never touched.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=retention_days)
    before = to_microseconds(cutoff)
    async with sessions() as session, session.begin():
        # PostgreSQL: whole days go at once with their partitions; the next days' are made.
        conn = await session.connection()
        total, _ = await drop_days_before(conn, before)
        await ensure_ahead(conn, now)
    async with sessions() as session:
        ids = list(await session.scalars(select(TelemetrySeries.id).order_by(TelemetrySeries.id)))
    position = 0
    while position < len(ids):
        async with sessions() as session, session.begin():
            deleted = 0
            while position < len(ids) and deleted < CHUNK:
                series_id = ids[position]
                old = TelemetrySample.series_id == series_id, TelemetrySample.sampled_us < before
                # The CHUNK-th oldest row bounds one delete, so a long-silent backlog is split.
                bound = await session.scalar(
                    select(TelemetrySample.sampled_us)
                    .where(*old)
                    .order_by(TelemetrySample.sampled_us)
                    .offset(CHUNK)
                    .limit(1)
                )
                if bound is None:
                    position += 1
                else:
                    old = old[0], TelemetrySample.sampled_us < bound
                result = cast(
                    CursorResult[Any],
                    await session.execute(
                        delete(TelemetrySample)
                        .where(*old)
                        .execution_options(synchronize_session=False)
                    ),
                )
                deleted += result.rowcount
        total += deleted
    log.info("pruned %d telemetry samples older than %s", total, cutoff.isoformat())
    return total
