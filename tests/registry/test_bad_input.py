# ruff: noqa: E501 - the table of cases reads best one case a line
"""Bad input of every kind: a 4xx naming the field, and nothing stored."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.conftest import bearer
from tests.helpers import CREDIT, center, unit


@pytest.fixture
async def h(client: Any, admin_token: str) -> dict[str, str]:
    """Admin headers, with unit U1 registered."""
    headers = bearer(admin_token)
    r = await client.post("/api/v1/units", json=unit("U1", CREDIT["U1"]), headers=headers)
    assert r.status == 201
    return headers


async def stored_centres(client: Any, h: dict[str, str]) -> int:
    """How many centres are registered."""
    return int((await (await client.get("/api/v1/computing-centers", headers=h)).json())["total"])


async def audit_count(client: Any, h: dict[str, str]) -> int:
    """How many audit entries exist."""
    return int((await (await client.get("/api/v1/audit", headers=h)).json())["total"])


CASES: list[tuple[str, Any, str, str]] = [
    ("unknown reference", center("C1", "NOPE"), "unit", "unknown unit 'NOPE'"),
    ("bad date", center("C1", "U1", commissioned_on="2024-02-30"), "commissioned_on", "date"),
    ("wrong type", center("C1", "U1", capacity_pflops={"FP16": True}), "capacity_pflops.FP16", ""),
    ("unknown precision", center("C1", "U1", capacity_pflops={"FP8": "60"}), "capacity_pflops.FP8", ""),
    ("fraction of a fen", center("C1", "U1", costs={"equipment": "1.005"}), "costs.equipment", "two decimals"),
    ("negative money", center("C1", "U1", costs={"equipment": "-1"}), "costs.equipment", "negative"),
    ("unknown field", center("C1", "U1", colour="red"), "colour", "Extra inputs"),
    ("operational without date", center("C1", "U1", commissioned_on=None), "body", "commissioned_on"),
    ("unknown kind", center("C1", "U1", kind="quantum"), "kind", ""),
    ("unknown accelerator", center("C1", "U1", accelerators=[{"model": "X9", "count": 1}]), "accelerators.0.model", "unknown accelerator"),
    ("bad code", center("C 1", "U1"), "code", "pattern"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "field", "words"), CASES, ids=[c[0] for c in CASES])
async def test_bad_field_is_named_and_nothing_is_stored(
    client: Any, h: dict[str, str], case: str, body: Any, field: str, words: str
) -> None:
    before = await audit_count(client, h)
    r = await client.post("/api/v1/computing-centers", json=body, headers=h)
    assert r.status == 422, await r.text()
    assert r.content_type == "application/problem+json"
    errors = (await r.json())["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert await stored_centres(client, h) == 0
    assert await audit_count(client, h) == before


async def test_every_bad_item_of_a_list_is_reported_by_index(
    client: Any, h: dict[str, str]
) -> None:
    items = [
        center("C1", "U1"),
        center("C2", "NOPE"),
        center("C1", "U1"),
        center("C4", "U1", costs={"equipment": "abc"}),
    ]
    r = await client.post("/api/v1/computing-centers", json=items, headers=h)
    assert r.status == 422
    errors = {(e["index"], e["field"]) for e in (await r.json())["errors"]}
    assert errors == {(3, "costs.equipment")}  # shape errors first, then references
    items[3] = center("C4", "U1")
    r = await client.post("/api/v1/computing-centers", json=items, headers=h)
    errors = {(e["index"], e["field"]) for e in (await r.json())["errors"]}
    assert errors == {(1, "unit"), (2, "code")}
    assert await stored_centres(client, h) == 0


async def test_duplicate_code_against_the_store_is_409_naming_it(
    client: Any, h: dict[str, str]
) -> None:
    assert (
        await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    ).status == 201
    r = await client.post("/api/v1/computing-centers", json=center("C1", "U1"), headers=h)
    assert r.status == 409
    assert (await r.json())["errors"][0]["field"] == "code"
    r = await client.post("/api/v1/units", json=unit("U9", CREDIT["U1"]), headers=h)
    assert r.status == 409
    assert (await r.json())["errors"][0]["field"] == "credit_code"


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "words"),
    [
        (b'{"code": "C1", ', "application/json", 400, "malformed JSON"),
        (b"", "application/json", 400, "empty"),
        (b"\xff\xfe", "application/json", 400, "UTF-8"),
        (b"code=C1", "application/x-www-form-urlencoded", 415, "application/json"),
        (b"[]", "application/json", 422, "empty"),
        (b'"text"', "application/json", 422, ""),
    ],
)
async def test_unreadable_bodies(
    client: Any, h: dict[str, str], raw: bytes, content_type: str, status: int, words: str
) -> None:
    headers = {**h, "Content-Type": content_type}
    r = await client.post("/api/v1/computing-centers", data=raw, headers=headers)
    assert r.status == status, await r.text()
    problem = await r.json()
    assert words in problem.get("detail", "") + str(problem.get("errors", ""))
    assert "Traceback" not in await r.text()


async def test_oversized_body_is_413(client: Any, h: dict[str, str]) -> None:
    big = [
        center(f"C{i}", "U1", name="x" * 190) for i in range(12_000)
    ]  # over the 2 MiB test limit
    body = io.BytesIO(json.dumps(big).encode())
    headers = {**h, "Content-Type": "application/json"}
    r = await client.post("/api/v1/computing-centers", data=body, headers=headers)
    assert r.status == 413
    assert r.content_type == "application/problem+json"
    assert await stored_centres(client, h) == 0


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=abc", "offset=-1", "kind=quantum", "colour=red"]
)
async def test_bad_query_is_400_naming_the_parameter(
    client: Any, h: dict[str, str], query: str
) -> None:
    r = await client.get(f"/api/v1/computing-centers?{query}", headers=h)
    assert r.status == 400
    name = query.split("=")[0]
    assert (await r.json())["errors"][0]["field"] == f"query.{name}"


async def test_money_as_json_number_is_exact(client: Any, h: dict[str, str]) -> None:
    body = center("C1", "U1", costs={"equipment": 12345678.91})
    r = await client.post("/api/v1/computing-centers", json=body, headers=h)
    assert r.status == 201
    assert (await r.json())["costs"]["equipment"] == "12345678.91"


async def test_errors_never_leak_a_traceback_and_carry_the_request_id(
    client: Any, h: dict[str, str]
) -> None:
    r = await client.get("/api/v1/units/NOPE", headers={**h, "X-Request-Id": "trace-me-12345"})
    assert r.status == 404
    # The server's own id is answered; the caller's is echoed apart, never taken as ours.
    assert r.headers["X-Request-Id"] != "trace-me-12345"
    assert r.headers["X-Client-Request-Id"] == "trace-me-12345"
    assert (await r.json())["request_id"] == r.headers["X-Request-Id"]
