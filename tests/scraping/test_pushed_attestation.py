"""A centre that pushes its exporters' samples instead of being scraped is attested too."""

from __future__ import annotations

from typing import Any

from tests.scraping.conftest import EXPORTERS, World, dcgm_text


async def _push(world: World, method: str, path: str, text: str = "") -> None:
    r = await world.client.request(
        method,
        f"/metrics/{path}",
        data=text.encode(),
        headers={**world.operator, "Content-Type": "text/plain; version=0.0.4"},
    )
    assert r.status in (200, 202), await r.text()


async def _attestation(world: World, code: str = "C1") -> dict[str, Any] | None:
    r = await world.client.get(f"/api/v1/computing-centers/{code}/attestation", headers=world.admin)
    if r.status == 404:
        return None
    assert r.status == 200, await r.text()
    return await r.json()  # type: ignore[no-any-return]


async def test_pushed_exporter_samples_attest_as_scraped_ones_do(world: World) -> None:
    dcgm = (EXPORTERS / "dcgm.txt").read_text()
    await _push(world, "PUT", "job/dcgm/facility/C1/instance/gpu-node-01", dcgm)
    first = await _attestation(world)
    assert first is not None
    assert first["inventory"] == {"H100-SXM": 8}
    assert first["attested_pflops"]["FP16"] == "7.912"
    assert first["reasons"] == ["attested_below_declared", "attested_below_threshold"]
    assert first["target_ids"] == [] and first["source_target_id"] is None

    # npu-exporter names no host: the group's instance is the machine.
    npu = (EXPORTERS / "npu.txt").read_text()
    await _push(world, "POST", "job/npu/facility/C1/instance/npu-node-01", npu)
    await _push(world, "POST", "job/amd/facility/C1", (EXPORTERS / "amd.txt").read_text())
    both = await _attestation(world)
    assert both is not None
    assert both["inventory"] == {"ASCEND-910B": 8, "H100-SXM": 8, "MI300X": 8}

    # POST of other families keeps a group's devices; PUT without them replaces the group.
    await _push(world, "POST", "job/npu/facility/C1/instance/npu-node-01", "node_load1 0.5\n")
    assert (await _attestation(world) or {})["inventory"] == both["inventory"]
    await _push(world, "PUT", "job/npu/facility/C1/instance/npu-node-01", "node_load1 0.5\n")
    assert (await _attestation(world) or {})["inventory"] == {"H100-SXM": 8, "MI300X": 8}
    await _push(world, "DELETE", "job/dcgm/facility/C1/instance/gpu-node-01")
    assert (await _attestation(world) or {})["inventory"] == {"MI300X": 8}


async def test_plain_telemetry_pushes_attest_nothing(world: World) -> None:
    await _push(world, "PUT", "job/node/facility/C1", "node_load1 0.5\n")
    await _push(world, "DELETE", "job/node/facility/C1")
    assert await _attestation(world) is None


async def test_pushed_gpus_another_centre_counts_are_not_counted_again(world: World) -> None:
    fleet = dcgm_text(64, host="u2-dgx")
    world.exporters.texts["c2"] = fleet
    r = await world.client.post(
        "/api/v1/computing-centers/C2/exporter-targets",
        json={"url": world.exporters.url("/text/c2")}, headers=world.other_operator,
    )  # fmt: skip
    assert r.status == 201, await r.text()
    await world.scrape()
    await _push(world, "PUT", "job/dcgm/facility/C1", fleet)
    borrowed = await _attestation(world)
    assert borrowed is not None
    assert (borrowed["devices_total"], borrowed["devices_elsewhere"]) == (0, 64)
    assert "devices_attested_elsewhere" in borrowed["reasons"]
