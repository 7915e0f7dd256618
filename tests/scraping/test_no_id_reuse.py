"""An exporter target's id is never reused, so one audit trail names one target."""

from __future__ import annotations

import asyncio

from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES
from tests.scraping.conftest import World

TARGETS = "/api/v1/computing-centers/{}/exporter-targets"


async def test_a_deleted_targets_id_is_never_given_to_another(world: World) -> None:
    first = await world.add_target("C1", "/file/dcgm.txt")
    r = await world.client.delete(f"{TARGETS.format('C1')}/{first['id']}", headers=world.admin)
    assert r.status == 204, await r.text()
    second = await world.add_target("C1", "/file/dcgm.txt?again")
    assert second["id"] != first["id"]
    r = await world.client.get(f"/api/v1/audit?object_code={first['id']}", headers=world.admin)
    assert [e["action"] for e in (await r.json())["items"]] == ["delete", "create"]


async def test_recreating_the_tables_keeps_what_refers_to_them(world: World) -> None:
    target = await world.add_target("C1", "/file/dcgm.txt")
    await world.scrape()
    assert (await world.attestation("C1"))["source_target_id"] == target["id"]
    # Batch mode drops and recreates exporter_targets: no ON DELETE SET NULL may fire.
    await asyncio.to_thread(downgrade, world.database_url, MIGRATING_PACKAGES, "0003_scraping")
    await asyncio.to_thread(upgrade, world.database_url, MIGRATING_PACKAGES)
    assert (await world.attestation("C1"))["source_target_id"] == target["id"]
