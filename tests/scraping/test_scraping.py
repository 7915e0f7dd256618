"""Scraping end to end: real exporter output over HTTP, into targets and attestations."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from collectors.scraping.scraper import SCRAPING, run_due_scrapes
from service.app import create_app
from service.settings import Settings
from tests.scraping.conftest import World, dcgm_text

MINUTE = dt.timedelta(seconds=60)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("fixture", "extra", "detected", "inventory", "fp16"),
    [
        ("dcgm.txt", {"exporter": "dcgm"}, "dcgm", {"H100-SXM": 8}, "7.912"),
        ("amd.txt", {"exporter": "amd"}, "amd", {"MI300X": 8}, "10.456"),
        ("amd_unlabelled_total.txt", {}, "amd", {"MI250X": 4}, "1.532"),
        ("npu.txt", {"exporter": "npu"}, "npu", {"ASCEND-910B": 8}, "2.56"),
        ("npu_no_model.txt", {"model": "ASCEND-910B"}, "npu", {"ASCEND-910B": 8}, "2.56"),
    ],
)
async def test_each_exporter_format_is_scraped_into_an_attested_inventory(
    world: World,
    fixture: str,
    extra: dict[str, Any],
    detected: str,
    inventory: dict[str, int],
    fp16: str,
) -> None:
    target = await world.add_target("C1", f"/file/{fixture}", **extra)
    outcome = await world.scrape()
    assert (outcome.claimed, outcome.succeeded, outcome.failed) == (1, 1, 0)
    stored = await world.target("C1", target["id"])
    assert stored["success_count"] == 1
    assert stored["failure_count"] == 0
    assert stored["detected_exporter"] == detected
    assert at(stored["last_success_at"]) == world.now
    assert at(stored["next_attempt_at"]) == world.now + MINUTE
    attestation = await world.attestation("C1")
    assert attestation["inventory"] == inventory
    assert attestation["attested_pflops"]["FP16"] == fp16
    assert attestation["declared_pflops"] == {"FP16": "60"}
    assert attestation["source_target_id"] == target["id"]


async def test_mig_instances_do_not_multiply_gpus(world: World) -> None:
    await world.add_target("C1", "/file/dcgm_mig.txt")
    await world.scrape()
    attestation = await world.attestation("C1")
    assert attestation["inventory"] == {"A100": 2}
    assert attestation["devices_total"] == 2
    assert attestation["attested_pflops"]["FP16"] == "0.624"


async def test_a_centres_targets_add_up_and_a_device_seen_twice_counts_once(world: World) -> None:
    await world.add_target("C1", "/file/dcgm.txt")
    await world.add_target("C1", "/file/dcgm_mig.txt")
    await world.add_target("C1", "/file/dcgm.txt?via=federation")  # the same eight GPUs again
    assert (await world.scrape()).succeeded == 3
    attestation = await world.attestation("C1")
    assert attestation["inventory"] == {"A100": 2, "H100-SXM": 8}
    assert len(attestation["target_ids"]) == 3


async def test_an_unknown_model_is_reported_and_earns_no_pflops(world: World) -> None:
    world.exporters.texts["mixed"] = dcgm_text(8) + dcgm_text(
        4, "NVIDIA H200", "h200", header=False
    )
    await world.add_target("C1", "/text/mixed")
    await world.scrape()
    attestation = await world.attestation("C1")
    assert attestation["inventory"] == {"H100-SXM": 8}
    assert attestation["unknown_models"] == {"NVIDIA H200": 4}
    assert attestation["devices_total"] == 12
    assert attestation["attested_pflops"]["FP16"] == "7.912"


async def test_a_failing_target_counts_failures_and_backs_off(world: World) -> None:
    world.exporters.statuses["flaky"] = 500
    target = await world.add_target("C1", "/text/flaky")
    assert (await world.scrape()).failed == 1
    stored = await world.target("C1", target["id"])
    assert (stored["failure_count"], stored["consecutive_failures"]) == (1, 1)
    assert stored["last_error"] == "HTTP 500 Internal Server Error"
    assert at(stored["next_attempt_at"]) == world.now + 2 * MINUTE

    # Not due one interval later: nobody knocks on the failing exporter.
    assert (await world.scrape(MINUTE)).claimed == 0
    assert world.exporters.hits["/text/flaky"] == 1

    assert (await world.scrape(2 * MINUTE)).failed == 1
    stored = await world.target("C1", target["id"])
    assert stored["consecutive_failures"] == 2
    assert at(stored["next_attempt_at"]) == world.now + 2 * MINUTE + 4 * MINUTE

    del world.exporters.statuses["flaky"]
    world.exporters.texts["flaky"] = dcgm_text(8)
    assert (await world.scrape(6 * MINUTE)).succeeded == 1
    stored = await world.target("C1", target["id"])
    assert (stored["success_count"], stored["failure_count"]) == (1, 2)
    assert stored["consecutive_failures"] == 0
    assert stored["last_error"] is None
    assert at(stored["next_attempt_at"]) == world.now + 7 * MINUTE


async def test_backoff_is_capped_at_an_hour(world: World) -> None:
    world.exporters.statuses["down"] = 503
    target = await world.add_target("C1", "/text/down")
    after = dt.timedelta(0)
    for _ in range(8):
        await world.scrape(after)
        stored = await world.target("C1", target["id"])
        after = at(stored["next_attempt_at"]) - world.now
    assert stored["consecutive_failures"] == 8
    wait = at(stored["next_attempt_at"]) - at(stored["last_attempt_at"])
    assert wait == dt.timedelta(hours=1)


async def test_a_hung_exporter_times_out_as_a_failure(world: World) -> None:
    scraping = world.app[SCRAPING]
    scraping.config = replace(scraping.config, timeout_seconds=0.2)
    target = await world.add_target("C1", "/hang")
    assert (await world.scrape()).failed == 1
    stored = await world.target("C1", target["id"])
    assert stored["last_error"] == "could not connect (refused, reset or no answer within 0.2 s)"
    assert stored["failure_count"] == 1


async def test_output_that_is_no_exporter_is_a_failure_with_its_reason(world: World) -> None:
    world.exporters.texts["node"] = "# TYPE node_load1 gauge\nnode_load1 0.5\n"
    target = await world.add_target("C1", "/text/node")
    await world.scrape()
    stored = await world.target("C1", target["id"])
    assert "no dcgm-exporter, device-metrics-exporter or npu-exporter" in stored["last_error"]


@pytest.mark.parametrize(
    ("code", "gpus", "declared", "reasons"),
    [
        ("C1", 8, {"FP16": "60"}, ["attested_below_declared", "attested_below_threshold"]),
        ("C1", 64, {"FP16": "60"}, []),
        ("C1", 64, {"FP16": "70"}, ["attested_below_declared"]),
        ("C1", 48, {"FP16": "40"}, ["attested_below_threshold"]),
        ("SC1", 64, {"FP64": "2"}, ["attested_below_threshold"]),
    ],
)
async def test_a_centre_below_its_declaration_or_50p_is_flagged(
    world: World, code: str, gpus: int, declared: dict[str, str], reasons: list[str]
) -> None:
    r = await world.client.patch(
        f"/api/v1/computing-centers/{code}", json={"capacity_pflops": declared}, headers=world.admin
    )
    assert r.status == 200, await r.text()
    world.exporters.texts[code] = dcgm_text(gpus)
    await world.add_target(code, f"/text/{code}")
    await world.scrape()
    attestation = await world.attestation(code)
    assert attestation["reasons"] == reasons
    assert attestation["flagged"] is bool(reasons)
    assert attestation["declared_pflops"] == declared
    assert attestation["threshold_pflops"] == "50"


async def test_officials_list_the_flagged_centres(world: World) -> None:
    world.exporters.texts["big"] = dcgm_text(64)
    await world.add_target("C1", "/text/big")
    await world.add_target("SC1", "/file/dcgm.txt")
    await world.scrape()
    r = await world.client.get("/api/v1/attestations?flagged=true", headers=world.admin)
    assert r.status == 200, await r.text()
    page = await r.json()
    # Eight H100 give SC1 0.272 PFLOPS FP64: below its declared 2 and below 50.
    assert [(a["center"], a["reasons"]) for a in page["items"]] == [
        ("SC1", ["attested_below_declared", "attested_below_threshold"])
    ]
    assert page["total"] == 1
    r = await world.client.get("/api/v1/attestations", headers=world.admin)
    assert [a["center"] for a in (await r.json())["items"]] == ["C1", "SC1"]
    r = await world.client.get("/api/v1/attestations?flagged=true", headers=world.operator)
    assert r.status == 403


async def test_an_unchanged_inventory_confirms_the_attestation_instead_of_adding_one(
    world: World,
) -> None:
    await world.add_target("C1", "/file/dcgm.txt")
    await world.scrape()
    first = await world.attestation("C1")
    await world.scrape(MINUTE)
    second = await world.attestation("C1")
    assert second["attested_at"] == first["attested_at"]
    assert at(second["confirmed_at"]) == world.now + MINUTE
    r = await world.client.get(
        "/api/v1/audit?object_type=computing_center&object_code=C1", headers=world.admin
    )
    assert [e["action"] for e in (await r.json())["items"]].count("attest") == 1


async def test_removing_a_target_withdraws_its_devices_at_once(world: World) -> None:
    await world.add_target("C1", "/file/dcgm.txt")
    second = await world.add_target("C1", "/file/dcgm_mig.txt")
    await world.scrape()
    r = await world.client.delete(
        f"/api/v1/computing-centers/C1/exporter-targets/{second['id']}", headers=world.operator
    )
    assert r.status == 204
    assert (await world.attestation("C1"))["inventory"] == {"H100-SXM": 8}


async def test_two_replicas_running_the_job_at_once_scrape_each_target_once(
    world: World, aiohttp_client: Any, settings: Settings
) -> None:
    other = create_app(settings)  # a second replica on the same database
    await aiohttp_client(other)
    paths = [f"/file/dcgm.txt?node={i}" for i in range(6)]
    for path in paths:
        await world.add_target("C1", path)
    rounds = await asyncio.gather(
        run_due_scrapes(world.app, world.now), run_due_scrapes(other, world.now)
    )
    assert sum(r.claimed for r in rounds) == 6
    assert sum(r.succeeded for r in rounds) == 6
    assert all(world.exporters.hits[p] == 1 for p in paths)


async def test_scrape_metrics_are_exported(world: World) -> None:
    world.exporters.statuses["bad"] = 500
    good = await world.add_target("C1", "/file/dcgm.txt")
    await world.add_target("C1", "/text/bad")
    await world.scrape()
    text = await (await world.client.get("/metrics")).text()
    assert 'incentives_exporter_scrapes_total{result="success"} 1.0' in text
    assert 'incentives_exporter_scrapes_total{result="failure"} 1.0' in text
    line = f'incentives_exporter_last_success_timestamp_seconds{{target="{good["id"]}"}}'
    assert line in text
