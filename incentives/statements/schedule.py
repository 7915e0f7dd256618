"""The monthly statement run: on the 1st at 02:00 (Asia/Shanghai), every clause and open period."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from aiohttp import web
from apscheduler.triggers.cron import CronTrigger

from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES, RUN_OBSERVER
from incentives.statements.run import RunResult, run_statements
from registry.audit import Actor
from service.kit.keys import DB, SCHEDULER

JOB_ID = "statements-monthly"
SCHEDULER_ACTOR = Actor(key_id=None, unit_code=None, role="system", request_id=JOB_ID)
log = logging.getLogger(__name__)


async def monthly_statements(
    app: web.Application, now: dt.datetime | None = None
) -> list[RunResult]:
    """Run every loaded policy's clauses for every open period as of now's calendar day.

    Safe on several replicas at once: the database allows one open statement per clause and
    period, and a run that meets another's statement leaves it as it is.
    """
    zone = ZoneInfo(app[INCENTIVES_SETTINGS].timezone)
    now = now or dt.datetime.now(dt.UTC)
    as_of = now.astimezone(zone).date()
    results: list[RunResult] = []
    for policy in app[POLICIES].values():
        async with app[DB]() as session, session.begin():
            results += await run_statements(
                session, policy, as_of, SCHEDULER_ACTOR, now=now, observe=app.get(RUN_OBSERVER)
            )
    changed = [r for r in results if r.action in ("created", "refreshed")]
    log.info("monthly statements as of %s: %d created or refreshed", as_of, len(changed))
    return results


def add_job(app: web.Application) -> None:
    """Schedule the monthly run in the app's scheduler."""
    zone = ZoneInfo(app[INCENTIVES_SETTINGS].timezone)
    app[SCHEDULER].add_job(
        monthly_statements,
        CronTrigger(day=1, hour=2, minute=0, timezone=zone),
        args=[app],
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=6 * 3600,
    )
