"""The public notice (公示): what anyone may see without a token, and nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.statements.workflow_helpers import insert_statement

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """Two officials; one unit with a name that must never run as HTML."""
    await load_registry(
        database_url,
        {"units": [unit("U1", CREDIT["U1"], name=f"示例{SCRIPT}公司"), unit("U2", CREDIT["U2"])]},
    )
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "bob": await make_token(database_url, "GOV", "official"),
    }


async def publish(client: Any, people: dict[str, str], sid: int) -> None:
    for who, action in (("alice", "submit"), ("bob", "approve"), ("bob", "publish")):
        r = await client.post(f"/api/v1/statements/{sid}/{action}", headers=bearer(people[who]))
        assert r.status == 200, await r.text()


async def test_only_published_lines_are_shown_and_only_the_public_fields(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    draft, _ = await insert_statement(database_url, [("U2", "C2", 100)], clause="identifier_node")
    sid, (l1,) = await insert_statement(database_url, [("U1", "C1", 1_800_000_000)])
    await publish(client, people, sid)
    r = await client.get("/api/v1/public/notices")
    assert r.status == 200
    body = await r.json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["statement"] == sid and item["line"] == l1 and item["statement"] != draft
    assert item["unit"] == f"示例{SCRIPT}公司" and item["amount"] == "18000000.00"
    assert item["clause_title"] and item["objections_open"] is True
    text = await r.text()
    for private in (CREDIT["U1"], "secret-invoice", "explanation", "evidence", "奖励 "):
        assert private not in text


async def test_the_page_escapes_everything_and_takes_an_objection(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, (l1,) = await insert_statement(database_url, [("U1", "C1", 1_800_000_000)])
    await publish(client, people, sid)
    r = await client.get("/notice")
    assert r.status == 200 and r.content_type == "text/html"
    page = await r.text()
    assert "奖补资金公示" in page and "18,000,000.00" in page
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert CREDIT["U1"] not in page

    form = {"statement": str(sid), "line": str(l1), "name": SCRIPT, "contact": "x@example.cn",
            "text": "异议"}  # fmt: skip
    r = await client.post("/notice", data=form)
    assert r.status == 200
    assert "已收到您的异议" in await r.text()
    r = await client.get("/api/v1/objections", headers=bearer(people["alice"]))
    assert [o["name"] for o in (await r.json())["items"]] == [SCRIPT]

    r = await client.post("/notice", data=form | {"line": "abc", "text": SCRIPT})
    page = await r.text()
    assert r.status == 422 and "明细行" in page
    assert SCRIPT not in page and "&lt;script&gt;" in page
