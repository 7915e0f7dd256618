"""The scraping migration goes down and up again on its own branch, leaving the others alone."""

from __future__ import annotations

from sqlalchemy import inspect

from registry.db import create_engine
from registry.migrate import downgrade, upgrade
from service.cli import MIGRATING_PACKAGES

OURS = {"exporter_targets", "capacity_attestations"}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert await _tables(database_url) >= OURS
    # Two steps below the head of 0003_scraping's branch (0009_no_id_reuse sits on it).
    downgrade(database_url, MIGRATING_PACKAGES, "0003_scraping@-2")
    remaining = await _tables(database_url)
    assert not OURS & remaining
    assert {"computing_centers", "audit_log"} <= remaining
    upgrade(database_url, MIGRATING_PACKAGES)
    assert await _tables(database_url) >= OURS
