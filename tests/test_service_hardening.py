"""Attacks on the service itself: request ids, disconnects, temp files, the unit file."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.helpers import CREDIT, unit


async def test_a_callers_request_id_never_becomes_the_audited_id(
    client: Any, admin_token: str
) -> None:
    h = bearer(admin_token)
    first = await client.post("/api/v1/units", json=unit("U1", CREDIT["U1"]), headers=h)
    assert first.status == 201
    victim_id = first.headers["X-Request-Id"]
    # A second caller reuses the first request's id to blur the audit trail.
    second = await client.post(
        "/api/v1/units", json=unit("U2", CREDIT["U2"]), headers={**h, "X-Request-Id": victim_id}
    )
    assert second.status == 201
    assert second.headers["X-Request-Id"] != victim_id
    assert second.headers["X-Client-Request-Id"] == victim_id
    r = await client.get(f"/api/v1/audit?request_id={victim_id}", headers=h)
    assert [e["object_code"] for e in (await r.json())["items"]] == ["U1"]
    r = await client.get("/api/v1/audit?object_code=U2", headers=h)
    assert [e["request_id"] for e in (await r.json())["items"]] == [second.headers["X-Request-Id"]]


async def test_an_insane_client_id_is_neither_used_nor_echoed(client: Any) -> None:
    r = await client.get("/healthz", headers={"X-Request-Id": "a b\tc"})
    assert len(r.headers["X-Request-Id"]) == 32
    assert "X-Client-Request-Id" not in r.headers
