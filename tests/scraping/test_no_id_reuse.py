"""An exporter target's id is never reused, so one audit trail names one target."""

from __future__ import annotations

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
