"""Retention: raw samples older than the configured days are pruned; roll-ups stay for ever."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.telemetry.models import TelemetrySample
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

    Safe to run twice at once: each chunk deletes what is still there, so two runs share the
    work and neither fails; roll-ups are never touched.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    total = 0
    while True:
        async with sessions() as session, session.begin():
            oldest = (
                select(TelemetrySample.id).where(TelemetrySample.sampled_at < cutoff).limit(CHUNK)
            )
            result = cast(
                CursorResult[Any],
                await session.execute(
                    delete(TelemetrySample)
                    .where(TelemetrySample.id.in_(oldest))
                    .execution_options(synchronize_session=False)
                ),
            )
        deleted = result.rowcount
        total += deleted
        if deleted < CHUNK:
            log.info("pruned %d telemetry samples older than %s", total, cutoff.isoformat())
            return total
