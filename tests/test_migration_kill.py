"""SIGKILL in the middle of `db upgrade`: the next `db upgrade` still brings the schema up."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from registry.db import create_engine
from registry.migrate import alembic_config, upgrade
from service.demo import MIGRATING_PACKAGES
from tests.helpers import schema_differences

# The child kills itself right after its n-th schema statement: a real SIGKILL mid-migration,
# at a point the test chooses, without a test-only migration in the shipped package.
CHILD = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

target = int(sys.argv[2])
seen = 0

@event.listens_for(Engine, "after_cursor_execute")
def kill_after(conn, cursor, statement, parameters, context, executemany):
    global seen
    if statement.lstrip().split(None, 1)[0].upper() in ("CREATE", "ALTER", "DROP", "INSERT"):
        seen += 1
        if seen == target:
            os.kill(os.getpid(), signal.SIGKILL)

from service.cli import main
sys.exit(main(["db", "upgrade", "--database-url", sys.argv[1]]))
"""


async def _state(url: str) -> tuple[list[Any], set[str]]:
    import collectors.models  # noqa: F401 - every table in the metadata

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(schema_differences)
            heads = await conn.run_sync(
                lambda c: set(MigrationContext.configure(c).get_current_heads())
            )
    finally:
        await engine.dispose()
    return diff, heads


@pytest.mark.parametrize("kill_after", [2, 9, 30])
def test_sigkill_mid_upgrade_then_upgrade_succeeds(
    empty_database_url: str, kill_after: int
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, empty_database_url, str(kill_after)],
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    upgrade(empty_database_url, MIGRATING_PACKAGES)
    diff, heads = asyncio.run(_state(empty_database_url))
    assert diff == []
    script = ScriptDirectory.from_config(alembic_config(empty_database_url, MIGRATING_PACKAGES))
    assert heads == set(script.get_heads())
