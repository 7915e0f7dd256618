"""Evidence that decides money: a unit's own declarations wait for an official's review."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.keys import create_key
from registry.models import ComputingCenter, IdentifierNode
from tests.conftest import bearer, load_registry
from tests.helpers import CREDIT, center, unit


async def named_token(database_url: str, unit_code: str, role: str, name: str) -> dict[str, str]:
    """The Authorization header of a new key issued to a named holder."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            _, token = await create_key(session, unit_code, role, Actor.cli("test"), name)
    finally:
        await engine.dispose()
    return bearer(token)


async def stored_center(database_url: str, code: str) -> ComputingCenter:
    """The centre's row as the rules read it, straight from the database."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            row = await session.scalar(select(ComputingCenter).where(ComputingCenter.code == code))
    finally:
        await engine.dispose()
    assert row is not None
    return row


@pytest.fixture
async def world(database_url: str) -> dict[str, dict[str, str]]:
    """U1 with the verified centre C1 and node N1 (imported), U2 beside it; tokens by holder."""
    await load_registry(
        database_url,
        {
            "units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"])],
            "computing_centers": [center("C1", "U1")],
            "identifier_nodes": [
                {"code": "N1", "unit": "U1", "industry": "食品", "status": "under_construction"}
            ],
        },
    )
    return {
        "center": await named_token(database_url, "U1", "center", "张三"),
        "node": await named_token(database_url, "U1", "node", "赵六"),
        "other": await named_token(database_url, "U2", "center", "孙七"),
        "official": await named_token(database_url, "GOV", "official", "李四"),
    }


async def reviews(client: Any, h: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/reviews{query}", headers=h)
    assert r.status == 200, await r.text()
    return (await r.json())["items"]  # type: ignore[no-any-return]


async def test_a_centres_own_capacity_raise_waits_and_the_column_keeps_the_verified_value(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "100"}, "name": "新名字"},
        headers=world["center"],
    )
    assert r.status == 202, await r.text()
    body = await r.json()
    assert body["capacity_pflops"] == {"FP16": "60"}
    assert body["name"] == "新名字"  # not money-deciding: applied at once
    assert body["verified"] is True
    assert body["pending"]["declared"] == {"capacity_pflops": {"FP16": "100"}}
    assert body["pending"]["submitted_by_name"] == "张三"
    row = await stored_center(database_url, "C1")
    assert row.capacity_pflops == {"FP16": "60"}
    assert row.name == "新名字"

    queue = await reviews(client, world["official"], "?status=pending&object_type=computing_center")
    assert len(queue) == 1
    entry = queue[0]
    assert entry["declared"] == {"capacity_pflops": {"FP16": "100"}}
    assert entry["verified"] == {"capacity_pflops": {"FP16": "60"}}
    assert (entry["kind"], entry["unit"], entry["stale"]) == ("update", "U1", False)
    assert [e["id"] for e in await reviews(client, world["center"])] == [entry["id"]]
    assert await reviews(client, world["other"]) == []
    r = await client.get(f"/api/v1/reviews/{entry['id']}", headers=world["other"])
    absent = await client.get("/api/v1/reviews/999999", headers=world["other"])
    # Another unit's declaration reads as one that does not exist.
    assert (r.status, absent.status) == (404, 404)
    assert (await r.json())["detail"] == f"no review with code '{entry['id']}'"
    assert (await absent.json())["detail"] == "no review with code '999999'"

    r = await client.post(f"/api/v1/reviews/{entry['id']}/accept", headers=world["official"])
    assert r.status == 200, await r.text()
    decided = await r.json()
    assert (decided["status"], decided["decided_by_name"]) == ("accepted", "李四")
    row = await stored_center(database_url, "C1")
    assert row.capacity_pflops == {"FP16": "100"}
    got = await (await client.get("/api/v1/computing-centers/C1", headers=world["center"])).json()
    assert (got["capacity_pflops"], got["pending"]) == ({"FP16": "100"}, None)

    r = await client.get("/api/v1/audit?object_code=C1", headers=world["official"])
    accepted = (await r.json())["items"][0]
    assert (accepted["action"], accepted["actor_name"]) == ("update", "李四")
    assert accepted["before"]["capacity_pflops"] == {"FP16": "60"}
    assert accepted["after"]["capacity_pflops"] == {"FP16": "100"}
    r = await client.get(
        f"/api/v1/audit?object_type=pending_change&object_code={entry['id']}",
        headers=world["official"],
    )
    trail = [(e["action"], e["actor_name"]) for e in (await r.json())["items"]]
    assert trail == [("accept", "李四"), ("declare", "张三")]
    again = await client.post(f"/api/v1/reviews/{entry['id']}/accept", headers=world["official"])
    assert again.status == 409


async def test_an_officials_own_change_applies_at_once(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "80"}, "status": "decommissioned"},
        headers=world["official"],
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["pending"] is None
    row = await stored_center(database_url, "C1")
    assert (row.capacity_pflops, row.status) == ({"FP16": "80"}, "decommissioned")
    assert await reviews(client, world["official"]) == []


async def test_a_centre_its_unit_registers_is_unverified_until_an_official_accepts_it(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    r = await client.post(
        "/api/v1/computing-centers", json=center("C9", "U1"), headers=world["center"]
    )
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["verified"] is False
    assert body["pending"]["kind"] == "create"
    assert set(body["pending"]["declared"]) == {
        "kind", "capacity_pflops", "status", "commissioned_on", "costs"
    }  # fmt: skip
    assert (await stored_center(database_url, "C9")).verified is False
    r = await client.get("/api/v1/computing-centers?verified=false", headers=world["official"])
    assert [c["code"] for c in (await r.json())["items"]] == ["C9"]
    (entry,) = await reviews(client, world["official"], "?status=pending")
    assert entry["verified"] is None  # nothing verified yet to show beside the declaration

    # A later declaration of the unverified centre still covers every money-deciding field.
    r = await client.patch(
        "/api/v1/computing-centers/C9",
        json={"costs": {"equipment": "40000000"}},
        headers=world["center"],
    )
    assert r.status == 202, await r.text()
    (entry,) = await reviews(client, world["official"], "?status=pending")
    assert entry["declared"]["costs"] == {"equipment": "40000000.00", "software": "10000000.00"}
    assert entry["declared"]["capacity_pflops"] == {"FP16": "60"}

    r = await client.post(f"/api/v1/reviews/{entry['id']}/accept", headers=world["official"])
    assert r.status == 200, await r.text()
    row = await stored_center(database_url, "C9")
    assert row.verified is True
    assert row.costs_fen == {"equipment": 4_000_000_000, "software": 1_000_000_000}


async def test_a_rejection_needs_a_comment_and_leaves_the_object_as_verified(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    await client.patch(
        "/api/v1/computing-centers/C1", json={"kind": "supercomputing"}, headers=world["center"]
    )
    (entry,) = await reviews(client, world["official"], "?status=pending")
    url = f"/api/v1/reviews/{entry['id']}/reject"
    assert (await client.post(url, json={}, headers=world["official"])).status == 422
    assert (await client.post(url, json={"comment": "x"}, headers=world["center"])).status == 403
    r = await client.post(url, json={"comment": "无验收报告"}, headers=world["official"])
    assert r.status == 200, await r.text()
    assert ((await r.json())["status"], (await r.json())["comment"]) == ("rejected", "无验收报告")
    assert (await stored_center(database_url, "C1")).kind == "intelligent"
    assert (await client.post(url, json={"comment": "再"}, headers=world["official"])).status == 409
    accept = f"/api/v1/reviews/{entry['id']}/accept"
    assert (await client.post(accept, headers=world["center"])).status == 403


async def test_a_second_declaration_supersedes_the_first_and_keeps_its_other_fields(
    client: Any, world: dict[str, dict[str, str]]
) -> None:
    h = world["center"]
    await client.patch(
        "/api/v1/computing-centers/C1", json={"capacity_pflops": {"FP16": "100"}}, headers=h
    )
    await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "90"}, "costs": {"other": "5"}},
        headers=h,
    )
    latest, first = await reviews(client, world["official"])
    assert first["status"] == "superseded"
    assert latest["status"] == "pending"
    assert latest["declared"] == {
        "capacity_pflops": {"FP16": "90"},
        "costs": {"equipment": "50000000.00", "software": "10000000.00", "other": "5.00"},
    }
    await client.patch("/api/v1/computing-centers/C1", json={"status": "decommissioned"}, headers=h)
    newest = (await reviews(client, world["official"], "?status=pending"))[0]
    assert set(newest["declared"]) == {"capacity_pflops", "costs", "status"}
    # Declaring the verified values again withdraws what was pending.
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={
            "capacity_pflops": {"FP16": "60.0"},
            "costs": {"other": None},
            "status": "operational",
        },
        headers=h,
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["pending"] is None
    assert await reviews(client, world["official"], "?status=pending") == []


async def test_accepting_a_declaration_the_object_has_moved_past_is_409(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "100"}},
        headers=world["center"],
    )
    await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "70"}},
        headers=world["official"],
    )
    (entry,) = await reviews(client, world["official"], "?status=pending")
    assert entry["stale"] is True
    r = await client.post(f"/api/v1/reviews/{entry['id']}/accept", headers=world["official"])
    assert r.status == 409
    assert "capacity_pflops" in (await r.json())["detail"]
    assert (await stored_center(database_url, "C1")).capacity_pflops == {"FP16": "70"}
    (still,) = await reviews(client, world["official"], "?status=pending")
    assert still["id"] == entry["id"]


async def test_a_nodes_own_status_change_waits_while_its_industry_applies(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    r = await client.patch(
        "/api/v1/identifier-nodes/N1",
        json={"status": "operational", "connected_on": "2024-05-01", "industry": "化工"},
        headers=world["node"],
    )
    assert r.status == 202, await r.text()
    body = await r.json()
    assert (body["status"], body["connected_on"], body["industry"]) == (
        "under_construction", None, "化工"
    )  # fmt: skip
    assert body["pending"]["declared"] == {"status": "operational", "connected_on": "2024-05-01"}
    r = await client.post(
        f"/api/v1/reviews/{body['pending']['id']}/accept", headers=world["official"]
    )
    assert r.status == 200, await r.text()
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            node = await session.scalar(select(IdentifierNode).where(IdentifierNode.code == "N1"))
    finally:
        await engine.dispose()
    assert node is not None
    assert (node.status, str(node.connected_on)) == ("operational", "2024-05-01")


async def test_deleting_an_object_withdraws_its_pending_declaration(
    client: Any, world: dict[str, dict[str, str]]
) -> None:
    await client.post("/api/v1/computing-centers", json=center("C8", "U1"), headers=world["center"])
    r = await client.delete("/api/v1/computing-centers/C8", headers=world["center"])
    assert r.status == 204
    (entry,) = await reviews(client, world["official"])
    assert entry["status"] == "withdrawn"
    assert entry["verified"] is None


async def test_a_units_deletion_of_its_verified_centre_waits_for_an_official(
    client: Any, world: dict[str, dict[str, str]], database_url: str
) -> None:
    # A pending raise is superseded by the deletion; the centre stays until accepted.
    await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "100"}},
        headers=world["center"],
    )
    r = await client.delete("/api/v1/computing-centers/C1", headers=world["center"])
    assert r.status == 202, await r.text()
    assert (await r.json())["pending"] is not None
    assert (await stored_center(database_url, "C1")).verified is True
    again = await client.delete("/api/v1/computing-centers/C1", headers=world["center"])
    assert again.status == 202
    entries = await reviews(client, world["official"])
    assert sorted(e["status"] for e in entries) == ["pending", "superseded"]
    (entry,) = [e for e in entries if e["status"] == "pending"]
    assert entry["kind"] == "delete" and entry["previous"]["capacity_pflops"] == {"FP16": "60"}
    # Another unit neither deletes it nor sees that a deletion waits.
    r = await client.delete("/api/v1/computing-centers/C1", headers=world["other"])
    assert r.status in (403, 404)

    reject = await client.post(
        f"/api/v1/reviews/{entry['id']}/reject", json={"comment": "仍在运行"},
        headers=world["official"],
    )  # fmt: skip
    assert reject.status == 200, await reject.text()
    assert (await client.get("/api/v1/computing-centers/C1", headers=world["center"])).status == 200

    r = await client.delete("/api/v1/computing-centers/C1", headers=world["center"])
    (entry,) = [e for e in await reviews(client, world["official"]) if e["status"] == "pending"]
    accept = await client.post(f"/api/v1/reviews/{entry['id']}/accept", headers=world["official"])
    assert accept.status == 200, await accept.text()
    assert (await client.get("/api/v1/computing-centers/C1", headers=world["center"])).status == 404
    audit = await client.get(
        "/api/v1/audit?object_type=computing_center&object_code=C1", headers=world["official"]
    )
    actions = [e["action"] for e in (await audit.json())["items"]]
    assert "delete" in actions


async def test_an_officials_deletion_applies_at_once(
    client: Any, world: dict[str, dict[str, str]]
) -> None:
    r = await client.delete("/api/v1/identifier-nodes/N1", headers=world["official"])
    assert r.status == 204
    assert await reviews(client, world["official"]) == []


async def test_a_map_patch_merges_keys_and_null_removes_one(
    client: Any, world: dict[str, dict[str, str]]
) -> None:
    h = world["official"]
    url = "/api/v1/computing-centers/C1"
    r = await client.patch(url, json={"costs": {"equipment": "45000000"}}, headers=h)
    assert r.status == 200, await r.text()
    assert (await r.json())["costs"] == {"equipment": "45000000.00", "software": "10000000.00"}
    r = await client.patch(url, json={"costs": {"software": None}}, headers=h)
    assert (await r.json())["costs"] == {"equipment": "45000000.00"}
    r = await client.patch(url, json={"capacity_pflops": {"FP32": "12.5"}}, headers=h)
    assert (await r.json())["capacity_pflops"] == {"FP16": "60", "FP32": "12.5"}
    r = await client.patch(url, json={"capacity_pflops": {"FP16": None}}, headers=h)
    assert (await r.json())["capacity_pflops"] == {"FP32": "12.5"}
    r = await client.patch(url, json={"costs": {"land": "1"}}, headers=h)
    assert r.status == 422
    # Removing a key that is not there is not an error (RFC 7396).
    r = await client.patch(url, json={"costs": {"other": None}}, headers=h)
    assert (await r.json())["costs"] == {"equipment": "45000000.00"}
