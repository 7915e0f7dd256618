"""The scraping migration goes down and up again on its own branch, leaving the others alone."""

from __future__ import annotations

from sqlalchemy import inspect

from registry.db import create_engine
from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES

OURS = {"exporter_targets", "capacity_attestations", "attested_devices", "pushed_inventories"}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert await _tables(database_url) >= OURS
    downgrade(database_url, MIGRATING_PACKAGES, "0003_scraping")
    assert not {"attested_devices", "pushed_inventories"} & await _tables(database_url)
    downgrade(database_url, MIGRATING_PACKAGES, "0003_scraping@-1")
    remaining = await _tables(database_url)
    assert not OURS & remaining
    assert {"computing_centers", "audit_log"} <= remaining
    upgrade(database_url, MIGRATING_PACKAGES)
    assert await _tables(database_url) >= OURS
