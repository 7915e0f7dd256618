"""Objections (异议): filed during the notice by a unit or the public, resolved by officials."""

from __future__ import annotations

from typing import Any

import pytest

from incentives.objections import PUBLIC_OPEN_PER_LINE
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.statements.workflow_helpers import audit_actions, end_notice, insert_statement, stored


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """Two officials and two units' tokens."""
    await load_registry(
        database_url, {"units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"])]}
    )
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "bob": await make_token(database_url, "GOV", "official"),
        "u1": await make_token(database_url, "U1", "center"),
        "u2": await make_token(database_url, "U2", "buyer"),
    }


async def published(
    client: Any, database_url: str, people: dict[str, str]
) -> tuple[int, list[int]]:
    sid, lines = await insert_statement(
        database_url, [("U1", "C1", 1_800_000_000), ("U2", "C2", 500_000_000)]
    )
    for who, action in (("alice", "submit"), ("bob", "approve"), ("bob", "publish")):
        r = await client.post(f"/api/v1/statements/{sid}/{action}", headers=bearer(people[who]))
        assert r.status == 200, await r.text()
    return sid, lines


def public(sid: int, line: int, **extra: Any) -> dict[str, Any]:
    return {"statement": sid, "line": line, "name": "张三", "contact": "138-0000-0000",
            "text": "该中心尚未投入运营"} | extra  # fmt: skip


async def test_a_unit_objects_to_its_own_line_only(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1, l2) = await published(client, database_url, people)
    r = await client.post(
        "/api/v1/objections", json={"statement": sid, "line": l1, "text": "软件费用漏计"},
        headers=bearer(people["u1"]),
    )  # fmt: skip
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["status"] == "open" and body["unit"] == "U1" and body["line"] == l1
    r = await client.post(
        "/api/v1/objections", json={"statement": sid, "line": l2, "text": "x"},
        headers=bearer(people["u1"]),
    )  # fmt: skip
    assert r.status == 403
    r = await client.post(
        "/api/v1/objections", json={"statement": sid, "line": l1, "text": "x"},
        headers=bearer(people["alice"]),
    )  # fmt: skip
    assert r.status == 403
    r = await client.post(
        "/api/v1/objections", json={"statement": sid, "line": 10**6, "text": "x"},
        headers=bearer(people["u1"]),
    )  # fmt: skip
    assert r.status == 422 and (await r.json())["errors"][0]["field"] == "line"


async def test_anyone_objects_on_the_public_page_without_a_token(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (_, l2) = await published(client, database_url, people)
    r = await client.post("/api/v1/public/objections", json=public(sid, l2))
    assert r.status == 201, await r.text()
    assert set(await r.json()) == {"id", "status"}
    r = await client.post("/api/v1/public/objections", json=public(sid, l2, name="x" * 101))
    assert r.status == 422 and (await r.json())["errors"][0]["field"] == "name"
    r = await client.post("/api/v1/public/objections", json=public(sid, l2, text=""))
    assert r.status == 422
    r = await client.post("/api/v1/public/objections", json=public(sid, l2, statement="1"))
    assert r.status == 422
    # Officials see it with the objector's contact; the units see only what they filed.
    r = await client.get("/api/v1/objections?status=open", headers=bearer(people["alice"]))
    items = (await r.json())["items"]
    assert [(o["filed_by"], o["contact"]) for o in items] == [("public", "138-0000-0000")]
    r = await client.get("/api/v1/objections", headers=bearer(people["u2"]))
    assert (await r.json())["total"] == 0


async def test_public_objections_per_line_are_bounded(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1, l2) = await published(client, database_url, people)
    for _ in range(PUBLIC_OPEN_PER_LINE):
        assert (await client.post("/api/v1/public/objections", json=public(sid, l1))).status == 201
    r = await client.post("/api/v1/public/objections", json=public(sid, l1))
    assert r.status == 429
    assert (await client.post("/api/v1/public/objections", json=public(sid, l2))).status == 201


async def test_no_objection_outside_the_notice_period(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    draft, (d1,) = await insert_statement(
        database_url, [("U1", "C9", 100)], clause="identifier_node"
    )
    r = await client.post("/api/v1/public/objections", json=public(draft, d1))
    assert r.status == 409 and "draft" in (await r.json())["detail"]
    sid, (l1, _) = await published(client, database_url, people)
    await end_notice(database_url, sid)
    r = await client.post("/api/v1/public/objections", json=public(sid, l1))
    assert r.status == 409 and "ended" in (await r.json())["detail"]


async def test_an_open_objection_blocks_finalising_until_dismissed_with_a_reason(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1, _) = await published(client, database_url, people)
    r = await client.post("/api/v1/public/objections", json=public(sid, l1))
    oid = (await r.json())["id"]
    await end_notice(database_url, sid)
    r = await client.post(f"/api/v1/statements/{sid}/finalise", headers=bearer(people["alice"]))
    assert r.status == 409 and "1 open objection" in (await r.json())["detail"]

    resolve = f"/api/v1/objections/{oid}/resolve"
    r = await client.post(resolve, json={"decision": "dismissed"}, headers=bearer(people["bob"]))
    assert r.status == 422 and (await r.json())["errors"][0]["field"] == "reason"
    r = await client.post(resolve, json={"decision": "dismissed"}, headers=bearer(people["u1"]))
    assert r.status == 403
    r = await client.post(
        resolve, json={"decision": "dismissed", "reason": "已核实运营记录"},
        headers=bearer(people["bob"]),
    )  # fmt: skip
    assert r.status == 200
    assert (await r.json())["status"] == "dismissed"
    r = await client.post(resolve, json={"decision": "upheld"}, headers=bearer(people["bob"]))
    assert r.status == 409 and "already dismissed" in (await r.json())["detail"]
    r = await client.post(f"/api/v1/statements/{sid}/finalise", headers=bearer(people["alice"]))
    assert r.status == 200
    actions = [e.action for e in await audit_actions(database_url, "objection", str(oid))]
    assert actions == ["file", "dismissed"]


async def test_an_upheld_objection_returns_the_statement_to_draft(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1, _) = await published(client, database_url, people)
    r = await client.post(
        "/api/v1/objections", json={"statement": sid, "line": l1, "text": "产能少算"},
        headers=bearer(people["u1"]),
    )  # fmt: skip
    oid = (await r.json())["id"]
    r = await client.post(
        f"/api/v1/objections/{oid}/resolve", json={"decision": "upheld", "reason": "属实"},
        headers=bearer(people["alice"]),
    )  # fmt: skip
    assert r.status == 200 and (await r.json())["unit"] == "U1"
    statement = await stored(database_url, sid)
    assert statement.status == "draft" and statement.published_at is None
    entries = await audit_actions(database_url, "statement", str(sid))
    assert entries[-1].action == "uphold" and entries[-1].after["status"] == "draft"
    r = await client.get("/api/v1/objections?status=upheld", headers=bearer(people["u1"]))
    assert [o["id"] for o in (await r.json())["items"]] == [oid]


async def test_a_run_refreshes_the_draft_an_upheld_objection_returned(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1, _) = await published(client, database_url, people)
    r = await client.post("/api/v1/public/objections", json=public(sid, l1))
    oid = (await r.json())["id"]
    r = await client.post(
        f"/api/v1/objections/{oid}/resolve", json={"decision": "upheld"},
        headers=bearer(people["alice"]),
    )  # fmt: skip
    assert r.status == 200
    r = await client.post(
        "/api/v1/statements/runs", json={"clause": "computing_center_build"},
        headers=bearer(people["alice"]),
    )  # fmt: skip
    assert r.status == 200, await r.text()
    assert [(i["statement"], i["action"]) for i in (await r.json())["items"]] == [
        (sid, "refreshed")
    ]
    r = await client.get(f"/api/v1/objections?statement={sid}", headers=bearer(people["bob"]))
    [objection] = (await r.json())["items"]
    assert (objection["status"], objection["line"], objection["statement"]) == ("upheld", None, sid)
