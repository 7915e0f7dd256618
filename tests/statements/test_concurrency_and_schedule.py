"""Two processes run the same statements at once: one statement. The monthly job's wiring."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select

from incentives.models import Statement
from incentives.statements.schedule import JOB_ID, monthly_statements
from registry.db import create_engine, session_factory
from service.kit.keys import SCHEDULER
from tests.statements.helpers import SCENARIOS, import_file

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _statements(database_url: str) -> list[tuple[str, str, int, str]]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(Statement.clause, Statement.period, Statement.number, Statement.status)
            )
            return sorted(rows.tuples().all())
    finally:
        await engine.dispose()


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "INCENTIVES_DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_two_processes_running_at_once_make_one_statement(database_url: str) -> None:
    await import_file(database_url, SCENARIOS / "voucher-cap-and-exclusions.yaml")
    args = ("statements", "run", "--clause", "compute_voucher", "--as-of", "2026-06-30")
    results = await asyncio.gather(_cli(database_url, *args), _cli(database_url, *args))
    for code, out in results:
        assert code == 0, out
    # One statement per period that owes something, whichever process got there first.
    assert await _statements(database_url) == [
        ("compute_voucher", "2025", 1, "draft"),
        ("compute_voucher", "2026", 1, "draft"),
    ]
    outputs = "".join(out for _, out in results)
    assert "新建 created" in outputs


async def test_the_monthly_job_runs_on_the_first_at_two_in_shanghai(
    app: web.Application, client: Any, database_url: str
) -> None:
    job = app[SCHEDULER].get_job(JOB_ID)
    assert job is not None
    frozen = dt.datetime(2026, 3, 15, 9, 30, tzinfo=SHANGHAI)
    fire = job.trigger.get_next_fire_time(None, frozen)
    assert fire == dt.datetime(2026, 4, 1, 2, 0, tzinfo=SHANGHAI)
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    # Fired with a frozen clock: 02:00 on 1 April in Shanghai is still 31 March in UTC.
    results = await monthly_statements(app, now=fire.astimezone(dt.UTC))
    created = [r for r in results if r.action == "created"]
    assert [(r.clause, r.period) for r in created] == [("compute_voucher", "2025")]
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            as_of = await session.scalar(select(func.max(Statement.as_of)))
    finally:
        await engine.dispose()
    assert as_of == dt.date(2026, 4, 1)
    # Fired again (another replica, or a retry): the draft is refreshed, not doubled.
    again = await monthly_statements(app, now=fire.astimezone(dt.UTC))
    assert [r.action for r in again if r.statement_id] == ["refreshed"]
    assert len(await _statements(database_url)) == 1
