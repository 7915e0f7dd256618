"""The registry API end to end: create, read back, patch, delete, all-or-nothing lists."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer, make_token
from tests.helpers import CREDIT, center, unit


async def test_a_list_in_scenario_vocabulary_is_posted_and_read_back(
    client: Any, admin_token: str
) -> None:
    h = bearer(admin_token)
    units = [
        unit("U1", CREDIT["U1"], region="哈尔滨市"),
        unit("P1", CREDIT["P1"], "compute_provider"),
    ]
    r = await client.post("/api/v1/units", json=units, headers=h)
    assert r.status == 201, await r.text()
    assert [u["code"] for u in (await r.json())["items"]] == ["U1", "P1"]
    r = await client.post("/api/v1/computing-centers", json=[center("C1", "U1")], headers=h)
    assert r.status == 201, await r.text()
    r = await client.post(
        "/api/v1/key-providers", json={"unit": "P1", "listed_from": "2024-01-01"}, headers=h
    )
    assert r.status == 201, await r.text()
    assert (await r.json())["code"] == "P1-20240101"

    r = await client.get("/api/v1/computing-centers/C1", headers=h)
    body = await r.json()
    assert body["costs"] == {"equipment": "50000000.00", "software": "10000000.00"}
    assert body["capacity_pflops"] == {"FP16": "60"}
    assert body["unit"] == "U1"
    r = await client.get("/api/v1/units?region=哈尔滨市&kind=enterprise", headers=h)
    page = await r.json()
    assert [u["code"] for u in page["items"]] == ["U1"]
    assert page["total"] == 1
    r = await client.get("/api/v1/units/U1", headers=h)
    assert (await r.json())["in_province"] is True


async def test_a_list_with_one_bad_item_stores_nothing_and_names_it(
    client: Any, admin_token: str
) -> None:
    h = bearer(admin_token)
    bad = unit("U2", "91230100MA1HRB002X")  # wrong check character
    r = await client.post("/api/v1/units", json=[unit("U1", CREDIT["U1"]), bad], headers=h)
    assert r.status == 422
    assert r.content_type == "application/problem+json"
    problem = await r.json()
    assert problem["errors"] == [
        {"index": 1, "field": "credit_code", "message": "wrong check character 'X', expected 'Y'"}
    ]
    r = await client.get("/api/v1/units", headers=h)
    assert [u["code"] for u in (await r.json())["items"]] == ["GOV"]


async def test_deleting_a_unit_with_centres_is_refused(client: Any, admin_token: str) -> None:
    h = bearer(admin_token)
    await client.post("/api/v1/units", json=unit("U1", CREDIT["U1"]), headers=h)
    await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    r = await client.delete("/api/v1/units/U1", headers=h)
    assert r.status == 409
    assert "computing centres" in (await r.json())["detail"]
    assert (await client.delete("/api/v1/computing-centers/C1", headers=h)).status == 204
    assert (await client.delete("/api/v1/units/U1", headers=h)).status == 204
    assert (await client.get("/api/v1/units/U1", headers=h)).status == 404


async def test_patch_changes_fields_and_is_audited(client: Any, admin_token: str) -> None:
    h = bearer(admin_token)
    await client.post("/api/v1/units", json=unit("U1", CREDIT["U1"]), headers=h)
    await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"accelerators": [{"model": "H100-SXM", "count": 64}], "status": "operational"},
        headers=h,
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["inventory_pflops"]["FP16"] == "63.296"
    r = await client.get("/api/v1/audit?object_code=C1", headers=h)
    entries = (await r.json())["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["before"]["accelerators"] == []
    assert entries[0]["after"]["accelerators"] == [{"model": "H100-SXM", "count": 64}]
    assert entries[0]["request_id"] == r.headers["X-Request-Id"] or entries[0]["request_id"]


async def test_buyer_gets_404_on_another_units_objects_and_no_token_401(
    client: Any, admin_token: str, database_url: str
) -> None:
    h = bearer(admin_token)
    await client.post(
        "/api/v1/units",
        json=[unit("U1", CREDIT["U1"]), unit("B1", CREDIT["B1"], "university")],
        headers=h,
    )
    buyer = bearer(await make_token(database_url, "B1", "buyer"))
    # As for a unit that does not exist: a 403 would confirm that the code is registered.
    assert (await client.get("/api/v1/units/U1", headers=buyer)).status == 404
    assert (await client.get("/api/v1/units/B1", headers=buyer)).status == 200
    r = await client.get("/api/v1/units", headers=buyer)
    assert [u["code"] for u in (await r.json())["items"]] == ["B1"]
    assert (await client.get("/api/v1/units/U1")).status == 401
