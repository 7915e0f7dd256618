"""One accelerator counts for one centre: a centre cannot borrow another's hardware to clear its
flags. NVIDIA GPUs are known by UUID, AMD GPUs by serial number, Ascend chips by die id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from collectors.scraping.models import AttestedDevice
from registry.db import create_engine, session_factory
from tests.scraping.conftest import World, amd_text, dcgm_text, npu_text

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


async def _push(world: World, code: str, path: str, text: str, token: dict[str, str]) -> None:
    r = await world.client.put(
        f"/metrics/job/{path}".replace("{code}", code), data=text.encode(),
        headers={**token, "Content-Type": "text/plain; version=0.0.4"},
    )  # fmt: skip
    assert r.status == 200, await r.text()


async def test_amd_gpus_are_known_by_their_serial_numbers_whatever_the_host(world: World) -> None:
    world.exporters.texts["c1"] = amd_text(8, "mi300-a", serials="PHX24A")
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    first = await _attestation(world, "C1")
    assert (first["devices_total"], first["devices_elsewhere"]) == (8, 0)
    assert first["inventory"] == {"MI300X": 8}
    assert await _stored_devices(world) == 8  # each GPU's serial, kept with the attestation

    # U2's C2: an exporter on another host name serving the same boards, and 4 of its own.
    world.exporters.texts["c2"] = amd_text(8, "borrowed-7", serials="PHX24A")
    world.exporters.texts["c2own"] = amd_text(4, "u2-own", serials="PHX24B")
    await _declare(world, "C2", "10")
    await _add_target(world, "C2", "/text/c2", world.other_operator)
    await _add_target(world, "C2", "/text/c2own", world.other_operator)
    await world.scrape(HOUR)
    borrowed = await _attestation(world, "C2")
    assert (borrowed["devices_total"], borrowed["devices_elsewhere"]) == (4, 8)
    assert borrowed["inventory"] == {"MI300X": 4}
    assert "devices_attested_elsewhere" in borrowed["reasons"]
    kept = await _attestation(world, "C1")
    assert (kept["devices_total"], kept["devices_elsewhere"]) == (8, 0)
    assert "devices_attested_elsewhere" not in kept["reasons"]


async def test_ascend_chips_are_known_by_their_die_ids_scraped_or_pushed(world: World) -> None:
    fleet = npu_text(8, seed="rack-1")
    world.exporters.texts["c1"] = fleet
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    first = await _attestation(world, "C1")
    assert (first["devices_total"], first["devices_elsewhere"]) == (8, 0)
    assert first["inventory"] == {"ASCEND-910B": 8}

    # C2 pushes the same chips' samples through the Pushgateway, under a machine of its own.
    await _push(world, "C2", "npu/facility/{code}/instance/npu-77", fleet, world.other_operator)
    borrowed = await _attestation(world, "C2")
    assert (borrowed["devices_total"], borrowed["devices_elsewhere"]) == (0, 8)
    assert "devices_attested_elsewhere" in borrowed["reasons"]
    # Its own machine's chips count; the borrowed ones still do not.
    await _push(world, "C2", "npu/facility/{code}/instance/npu-78", npu_text(8, seed="rack-2"),
                world.other_operator)  # fmt: skip
    mixed = await _attestation(world, "C2")
    assert (mixed["devices_total"], mixed["devices_elsewhere"]) == (8, 8)


async def test_devices_without_an_identifier_are_not_cross_checked(world: World) -> None:
    # npu-exporter prints an empty vdie_id where the driver gives none, and older versions
    # none at all: such chips are keyed by the machine, which a centre names itself.
    fleet = npu_text(8, seed=None)
    world.exporters.texts["c1"] = fleet
    await _add_target(world, "C1", "/text/c1", world.operator)
    await world.scrape()
    await _push(world, "C2", "npu/facility/{code}/instance/npu-77", fleet, world.other_operator)
    same = await _attestation(world, "C2")
    assert (same["devices_total"], same["devices_elsewhere"]) == (8, 0)
    assert await _stored_devices(world) == 0
