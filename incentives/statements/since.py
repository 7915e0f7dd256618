"""The live facts against the facts of the last statement run: what changed, what it moves."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.evidence import load_live_facts
from incentives.facts import Facts
from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES
from incentives.models import Statement, StatementRun
from incentives.policy import DEFAULT_POLICY
from incentives.since_statement import SinceStatement, compare_facts, kept_facts
from incentives.statements.facts_store import facts_json


@dataclass(frozen=True, slots=True)
class SinceRun:
    """One run's facts compared with the live ones as of a day."""

    run: StatementRun
    as_of: dt.date
    result: SinceStatement


async def last_statement_run(
    session: AsyncSession, run_id: int | None = None
) -> StatementRun | None:
    """The run behind the newest statement (or the run asked for), if there is one."""
    if run_id is None:
        run_id = await session.scalar(select(func.max(Statement.run_id)))
        if run_id is None:
            return None
    return await session.get(StatementRun, run_id)


def _compare(run: StatementRun, live_facts: Facts, app: web.Application) -> SinceStatement:
    policies = app[POLICIES]
    policy = policies.get(run.policy) or policies[DEFAULT_POLICY]
    then = kept_facts(facts_json(run.facts_gz))
    return compare_facts(then, live_facts, policy)


async def since_last_statement(
    app: web.Application, session: AsyncSession, run_id: int | None = None
) -> SinceRun | None:
    """Compare the last statement run's facts with the live facts as of today."""
    run = await last_statement_run(session, run_id)
    if run is None or not run.facts_gz:
        return None  # no run, or one that kept no facts (nothing to compare with)
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(ZoneInfo(app[INCENTIVES_SETTINGS].timezone)).date()
    live = await load_live_facts(session, today, now)
    # Reading a kept scenario and running the rules twice is CPU work: off the event loop.
    result = await asyncio.to_thread(_compare, run, live.facts, app)
    return SinceRun(run, today, result)
