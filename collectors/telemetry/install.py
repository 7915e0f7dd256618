"""Install the telemetry collector in an app."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from collectors.settings import CollectorSettings
from collectors.telemetry import api, gateway_api, pushgateway
from collectors.telemetry.context import TELEMETRY, TelemetryContext
from collectors.telemetry.metrics import TelemetryMetrics
from collectors.telemetry.retention import PRUNE_JOB_ID, prune
from service.kit.keys import DB, METRICS, SCHEDULER


async def prune_job(app: web.Application) -> int:
    """The scheduled job: prune raw samples past the retention and count them."""
    ctx = app[TELEMETRY]
    deleted = await prune(app[DB], ctx.retention_days)
    ctx.metrics.pruned.inc(deleted)
    return deleted


def install(app: web.Application, settings: CollectorSettings) -> None:
    """Add the telemetry collector's routes, jobs and hooks."""
    app[TELEMETRY] = TelemetryContext(
        retention_days=settings.telemetry_retention_days,
        timezone=ZoneInfo(settings.timezone),
        metrics=TelemetryMetrics(app[METRICS]),
    )
    api.add_routes(app)
    pushgateway.add_routes(app)
    gateway_api.add_routes(app)
    # Every replica may run it: deleting what is past the retention is idempotent.
    app[SCHEDULER].add_job(
        prune_job,
        "cron",
        hour=3,
        minute=17,
        args=[app],
        id=PRUNE_JOB_ID,
        name="prune raw telemetry past its retention",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
    )
    app.on_cleanup.append(close_writer)


async def close_writer(app: web.Application) -> None:
    """Stop the group writer of JSON batches, if it was started."""
    writer = app[TELEMETRY].writer
    if writer is not None:
        await writer.close()
