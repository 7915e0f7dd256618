"""The target API: who may register targets, what is refused, and the audit of every change."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer, make_token
from tests.scraping.conftest import World

TARGETS = "/api/v1/computing-centers/{}/exporter-targets"


async def test_an_operator_manages_only_its_own_units_centres(world: World) -> None:
    body = {"url": world.exporters.url("/file/dcgm.txt")}
    # Another unit's centre answers as an absent one would: its code does not leak.
    r = await world.client.post(TARGETS.format("C2"), json=body, headers=world.operator)
    assert r.status == 404
    absent = await world.client.post(TARGETS.format("C9"), json=body, headers=world.operator)
    assert (await r.json())["detail"] == "no computing centre with code 'C2'"
    assert absent.status == 404
    r = await world.client.get(TARGETS.format("C2"), headers=world.operator)
    assert r.status == 404
    for method in ("PATCH", "DELETE"):
        r = await world.client.request(
            method, TARGETS.format("C2") + "/1", json={"enabled": False}, headers=world.operator
        )
        assert r.status == 404
    r = await world.client.get("/api/v1/computing-centers/C2/attestation", headers=world.operator)
    assert r.status == 404
    r = await world.client.post(TARGETS.format("C2"), json=body, headers=world.other_operator)
    assert r.status == 201
    r = await world.client.post(TARGETS.format("C1"), json=body, headers=world.admin)
    assert r.status == 201
    buyer = bearer(await make_token(world.database_url, "U1", "buyer"))
    r = await world.client.post(TARGETS.format("C1"), json=body | {"url": body["url"] + "?b"},
                                headers=buyer)  # fmt: skip
    assert r.status == 403
    r = await world.client.get(f"{TARGETS.format('C1')}", headers={})
    assert r.status == 401


async def test_bad_input_names_every_field_and_stores_nothing(world: World) -> None:
    body = {"url": "ftp://exporter.example/metrics", "interval_seconds": 5, "exporter": "nvml"}
    r = await world.client.post(TARGETS.format("C1"), json=body, headers=world.operator)
    assert r.status == 422
    fields = sorted(e["field"] for e in (await r.json())["errors"])
    assert fields == ["exporter", "interval_seconds", "url"]
    r = await world.client.post(
        TARGETS.format("C1"),
        json={"url": "http://127.0.0.1:1/metrics", "model": "H999"},
        headers=world.operator,
    )
    assert r.status == 422
    assert (await r.json())["errors"][0]["field"] == "model"
    r = await world.client.get(TARGETS.format("C1"), headers=world.operator)
    assert (await r.json())["total"] == 0


async def test_a_url_is_registered_once_per_centre(world: World) -> None:
    await world.add_target("C1", "/file/dcgm.txt")
    r = await world.client.post(
        TARGETS.format("C1"), json={"url": world.exporters.url("/file/dcgm.txt")},
        headers=world.operator,
    )  # fmt: skip
    assert r.status == 409
    assert (await r.json())["errors"][0]["field"] == "url"


async def test_unknown_centre_and_target_are_404(world: World) -> None:
    r = await world.client.get(TARGETS.format("NOPE"), headers=world.admin)
    assert r.status == 404
    r = await world.client.delete(TARGETS.format("C1") + "/999", headers=world.admin)
    assert r.status == 404
    r = await world.client.get("/api/v1/computing-centers/C1/attestation", headers=world.admin)
    assert r.status == 404


async def test_every_change_of_a_target_is_audited(world: World) -> None:
    target = await world.add_target("C1", "/file/dcgm.txt")
    path = f"{TARGETS.format('C1')}/{target['id']}"
    r = await world.client.patch(
        path, json={"enabled": False, "interval_seconds": 120}, headers=world.operator
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["enabled"] is False
    assert (await world.scrape()).claimed == 0  # disabled targets are not scraped
    r = await world.client.delete(path, headers=world.operator)
    assert r.status == 204
    r = await world.client.get(
        f"/api/v1/audit?object_type=exporter_target&object_code={target['id']}",
        headers=world.admin,
    )
    entries: list[dict[str, Any]] = (await r.json())["items"]
    assert sorted(e["action"] for e in entries) == ["create", "delete", "update"]
    update = next(e for e in entries if e["action"] == "update")
    assert (update["before"]["enabled"], update["after"]["enabled"]) == (True, False)
    assert update["after"]["interval_seconds"] == 120
    assert all(e["actor_unit"] == "U1" for e in entries)


async def test_every_scraping_route_is_in_the_openapi_document(world: World) -> None:
    doc = await (await world.client.get("/api/openapi.json")).json()
    paths = doc["paths"]
    base = "/api/v1/computing-centers/{code}/exporter-targets"
    assert set(paths[base]) == {"get", "post"}
    assert set(paths[base + "/{id}"]) == {"patch", "delete"}
    assert "get" in paths["/api/v1/computing-centers/{code}/attestation"]
    listing = paths["/api/v1/attestations"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"flagged", "limit", "offset"}
    assert "422" in paths[base]["post"]["responses"]
