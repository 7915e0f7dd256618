"""One GPU counts for one centre: a centre cannot borrow another's hardware to clear its flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from collectors.scraping.models import AttestedDevice
from registry.db import create_engine, session_factory
from tests.scraping.conftest import World, dcgm_text

HOUR = dt.timedelta(hours=1)


async def _declare(world: World, code: str, fp16: str) -> None:
    r = await world.client.patch(
        f"/api/v1/computing-centers/{code}", json={"capacity_pflops": {"FP16": fp16}},
        headers=world.admin,
    )  # fmt: skip
    assert r.status == 200, await r.text()


async def _add_target(world: World, code: str, path: str, operator: dict[str, str]) -> None:
    r = await world.client.post(
        f"/api/v1/computing-centers/{code}/exporter-targets",
        json={"url": world.exporters.url(path), "interval_seconds": 60}, headers=operator,
    )  # fmt: skip
    assert r.status == 201, await r.text()


async def _attestation(world: World, code: str) -> dict[str, Any]:
    r = await world.client.get(f"/api/v1/computing-centers/{code}/attestation", headers=world.admin)
    assert r.status == 200, await r.text()
    return await r.json()  # type: ignore[no-any-return]


async def _stored_devices(world: World) -> int:
    engine = create_engine(world.database_url)
    try:
        async with session_factory(engine)() as session:
            return await session.scalar(select(func.count()).select_from(AttestedDevice)) or 0
    finally:
        await engine.dispose()


async def test_gpus_another_unit_attested_first_are_flagged_and_not_counted(world: World) -> None:
    fleet = dcgm_text(64, host="u1-dgx")  # 63.296 P FP16: U1's C1 clears its 60 and 50P
    world.exporters.texts["c1"] = fleet
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    first = await _attestation(world, "C1")
    assert (first["devices_total"], first["devices_elsewhere"], first["reasons"]) == (64, 0, [])
    assert await _stored_devices(world) == 64

    # U2's C2 points a target at the same GPUs (here: an exporter serving the same UUIDs),
    # beside 8 GPUs of its own.
    await _declare(world, "C2", "60")
    world.exporters.texts["c2"] = fleet + dcgm_text(8, host="u2-own", header=False)
    await _add_target(world, "C2", "/text/c2", world.other_operator)
    await world.scrape(HOUR)
    borrowed = await _attestation(world, "C2")
    assert borrowed["devices_total"] == 8
    assert borrowed["devices_elsewhere"] == 64
    assert borrowed["inventory"] == {"H100-SXM": 8}
    assert borrowed["attested_pflops"]["FP16"] == "7.912"
    assert borrowed["flagged"] is True
    assert borrowed["reasons"] == [
        "attested_below_declared",
        "attested_below_threshold",
        "devices_attested_elsewhere",
    ]
    # The first centre keeps its GPUs on every later scrape.
    await world.scrape(2 * HOUR)
    kept = await _attestation(world, "C1")
    assert (kept["devices_total"], kept["devices_elsewhere"], kept["reasons"]) == (64, 0, [])
    assert (await _attestation(world, "C2"))["devices_elsewhere"] == 64


async def test_a_claim_older_than_the_staleness_window_no_longer_blocks(world: World) -> None:
    fleet = dcgm_text(64, host="dgx")
    world.exporters.texts["c1"] = fleet
    world.exporters.texts["c2"] = fleet
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    world.exporters.statuses["c1"] = 500  # C1's exporter goes away; its attestation ages
    await _add_target(world, "C2", "/text/c2", world.other_operator)
    await world.scrape(HOUR)
    assert (await _attestation(world, "C2"))["devices_elsewhere"] == 64
    await world.scrape(25 * HOUR)
    moved = await _attestation(world, "C2")
    assert (moved["devices_total"], moved["devices_elsewhere"]) == (64, 0)
    assert "devices_attested_elsewhere" not in moved["reasons"]


async def test_a_changed_set_of_gpus_with_the_same_counts_is_a_new_attestation(
    world: World,
) -> None:
    world.exporters.texts["c1"] = dcgm_text(8, host="a")
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    before = await _attestation(world, "C1")
    world.exporters.texts["c1"] = dcgm_text(8, host="b")  # other UUIDs, same inventory
    await world.scrape(HOUR)
    after = await _attestation(world, "C1")
    assert after["inventory"] == before["inventory"]
    assert after["attested_at"] != before["attested_at"]
    assert await _stored_devices(world) == 16  # each attestation keeps the UUIDs it counted
