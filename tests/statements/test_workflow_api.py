"""The review workflow over HTTP: four eyes, notice period, 409s naming both statuses, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.keys import create_key
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.statements.workflow_helpers import (
    audit_actions,
    end_notice,
    insert_statement,
    stored,
)

C18M = 1_800_000_000


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """Two officials, an admin and a unit's token."""
    await load_registry(
        database_url, {"units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"])]}
    )
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "bob": await make_token(database_url, "GOV", "official"),
        "admin": await make_token(database_url, "GOV", "admin"),
        "u1": await make_token(database_url, "U1", "center"),
    }


async def act(client: Any, token: str, sid: int, action: str, **body: Any) -> Any:
    return await client.post(
        f"/api/v1/statements/{sid}/{action}", json=body or None, headers=bearer(token)
    )


async def test_a_statement_goes_from_draft_to_disbursed_with_four_eyes(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", C18M)])
    r = await act(client, people["alice"], sid, "submit", comment="请审核")
    assert r.status == 200, await r.text()
    assert (await r.json())["status"] == "submitted"

    r = await act(client, people["alice"], sid, "approve")
    assert r.status == 403
    assert "four eyes" in (await r.json())["detail"]
    assert (await stored(database_url, sid)).status == "submitted"

    r = await act(client, people["bob"], sid, "approve")
    assert r.status == 200
    assert (await r.json())["next_actions"] == ["reject", "publish"]

    r = await act(client, people["bob"], sid, "publish")
    body = await r.json()
    published = dt.datetime.fromisoformat(body["published_at"])
    assert dt.datetime.fromisoformat(body["notice_ends_at"]) - published == dt.timedelta(days=5)

    r = await act(client, people["admin"], sid, "finalise")
    assert r.status == 409
    assert "notice runs until" in (await r.json())["detail"]
    await end_notice(database_url, sid)
    r = await act(client, people["admin"], sid, "finalise")
    assert r.status == 200, await r.text()
    final = await stored(database_url, sid)
    assert final.status == "final" and final.open_key is None

    r = await act(client, people["admin"], sid, "disburse", reference="HLJ-2026-001")
    assert r.status == 422
    assert [e["field"] for e in (await r.json())["errors"]] == ["paid_on"]
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    for day in (today - dt.timedelta(days=1), today + dt.timedelta(days=1)):
        r = await act(
            client, people["admin"], sid, "disburse", reference="HLJ-1", paid_on=day.isoformat()
        )
        assert r.status == 422, day
    r = await act(
        client, people["admin"], sid, "disburse", reference="HLJ-2026-001", paid_on=str(today)
    )
    body = await r.json()
    assert body["status"] == "disbursed" and body["paid_on"] == str(today)
    assert body["payment_reference"] == "HLJ-2026-001"

    entries = await audit_actions(database_url, "statement", str(sid))
    assert [e.action for e in entries] == ["submit", "approve", "publish", "finalise", "disburse"]
    assert entries[0].actor_key != entries[1].actor_key
    assert entries[1].before["status"] == "submitted" and entries[1].after["status"] == "approved"
    assert entries[0].note == "请审核"


async def test_an_action_not_allowed_is_a_409_naming_both_statuses(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", C18M)])
    r = await act(client, people["bob"], sid, "approve")
    assert r.status == 409
    detail = (await r.json())["detail"]
    assert "draft" in detail and "submitted" in detail
    r = await act(client, people["bob"], sid, "disburse", reference="x", paid_on="2026-12-01")
    assert r.status == 409
    assert "draft" in (await r.json())["detail"] and "final" in (await r.json())["detail"]
    assert await audit_actions(database_url, "statement", str(sid)) == []


async def test_reject_needs_a_comment_and_returns_to_draft(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", C18M)])
    await act(client, people["alice"], sid, "submit")
    await act(client, people["bob"], sid, "approve")
    r = await act(client, people["bob"], sid, "reject")
    assert r.status == 422
    assert (await r.json())["errors"][0]["field"] == "comment"
    r = await act(client, people["bob"], sid, "reject", comment="C1 的软件费用需复核")
    body = await r.json()
    assert body["status"] == "draft" and body["comment"] == "C1 的软件费用需复核"
    assert body["submitted_by"] is None and body["approved_by"] is None
    # After a rejection the same official may submit again, and the other one approve.
    assert (await act(client, people["bob"], sid, "submit")).status == 200
    assert (await act(client, people["bob"], sid, "approve")).status == 403
    assert (await act(client, people["alice"], sid, "approve")).status == 200


async def test_a_voucher_statement_is_submitted_only_after_its_year_and_grace(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    this_year = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year
    sid, _ = await insert_statement(
        database_url, [("U1", str(this_year), 120_000_00)], "compute_voucher", str(this_year)
    )
    r = await act(client, people["alice"], sid, "submit")
    assert r.status == 409
    assert f"submitted only from {this_year + 1}-04-01" in (await r.json())["detail"]
    assert (await stored(database_url, sid)).status == "draft"

    old, _ = await insert_statement(
        database_url, [("U1", "2024", 120_000_00)], "compute_voucher", "2024"
    )
    assert (await act(client, people["alice"], old, "submit")).status == 200


async def test_only_officials_act_and_unknown_statements_are_404(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    sid, _ = await insert_statement(database_url, [("U1", "C1", C18M)])
    r = await act(client, people["u1"], sid, "submit")
    assert r.status == 403
    assert (await act(client, people["alice"], 999999, "submit")).status == 404
    assert (await act(client, people["alice"], 99999999999, "submit")).status == 404
    r = await client.post(
        f"/api/v1/statements/{sid}/submit", json={"comment": 5}, headers=bearer(people["alice"])
    )
    assert r.status == 422
    r = await client.post(
        f"/api/v1/statements/{sid}/submit", json={"extra": 1}, headers=bearer(people["alice"])
    )
    assert r.status == 422


async def test_two_keys_of_one_holder_are_one_pair_of_eyes(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            _, first = await create_key(session, "GOV", "official", Actor.cli("t"), "王 芳")
            _, second = await create_key(session, "GOV", "official", Actor.cli("t"), "王芳")
            _, other = await create_key(session, "GOV", "official", Actor.cli("t"), "李强")
    finally:
        await engine.dispose()
    sid, _ = await insert_statement(database_url, [("U1", "C1", C18M)])
    assert (await act(client, first, sid, "submit")).status == 200
    r = await act(client, second, sid, "approve")
    assert r.status == 403
    assert "王芳 submitted statement" in (await r.json())["detail"]
    zh = await client.post(
        f"/api/v1/statements/{sid}/approve", headers={**bearer(second), "Accept-Language": "zh"}
    )
    assert "由 王芳 用另一把密钥提交" in (await zh.json())["detail"]
    assert (await stored(database_url, sid)).status == "submitted"
    assert (await act(client, other, sid, "approve")).status == 200
