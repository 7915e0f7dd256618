"""Support from other policies: checked against the registry, money exact, audited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit
from tests.statements.workflow_helpers import audit_actions

NODE = {"code": "N1", "unit": "U2", "industry": "装备制造", "status": "operational",
        "connected_on": "2024-09-01"}  # fmt: skip


@pytest.fixture
async def people(database_url: str) -> dict[str, str]:
    """An official and a unit's token, over a registry with a centre and a node."""
    await load_registry(
        database_url,
        {
            "units": [unit("U1", CREDIT["U1"]), unit("U2", CREDIT["U2"]),
                      unit("B1", CREDIT["B1"], "university")],
            "computing_centers": [center("C1", "U1")],
            "identifier_nodes": [NODE],
        },
    )  # fmt: skip
    return {
        "alice": await make_token(database_url, "GOV", "official"),
        "u1": await make_token(database_url, "U1", "center"),
    }


def item(**extra: Any) -> dict[str, Any]:
    return {"clause": "computing_center_build", "unit": "U1", "subject": "C1",
            "amount": "10000000", "source": "某市算力补贴"} | extra  # fmt: skip


async def test_an_official_records_lists_and_deletes_support(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    r = await client.post("/api/v1/other-support", json=item(), headers=bearer(people["alice"]))
    assert r.status == 201, await r.text()
    [created] = await r.json()
    assert created["amount"] == "10000000.00" and created["unit"] == "U1"
    r = await client.post(
        "/api/v1/other-support",
        json=[item(clause="identifier_node", unit="U2", subject="N1", amount="1234.5"),
              item(clause="compute_voucher", unit="B1", subject="2025", amount=300000)],
        headers=bearer(people["alice"]),
    )  # fmt: skip
    assert r.status == 201, await r.text()
    assert [x["amount"] for x in await r.json()] == ["1234.50", "300000.00"]

    r = await client.get(
        "/api/v1/other-support?clause=compute_voucher", headers=bearer(people["alice"])
    )
    assert [(x["unit"], x["subject"]) for x in (await r.json())["items"]] == [("B1", "2025")]
    r = await client.get("/api/v1/other-support", headers=bearer(people["u1"]))
    assert [x["subject"] for x in (await r.json())["items"]] == ["C1"]

    sid = created["id"]
    r = await client.delete(f"/api/v1/other-support/{sid}", headers=bearer(people["u1"]))
    assert r.status == 403
    r = await client.delete(f"/api/v1/other-support/{sid}", headers=bearer(people["alice"]))
    assert r.status == 204
    r = await client.delete(f"/api/v1/other-support/{sid}", headers=bearer(people["alice"]))
    assert r.status == 404
    actions = [e.action for e in await audit_actions(database_url, "other_support", str(sid))]
    assert actions == ["create", "delete"]


async def test_every_bad_item_is_reported_and_nothing_is_stored(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    bad = [
        item(unit="NOPE"),
        item(subject="C9"),
        item(unit="U2"),  # C1 was built by U1
        item(clause="compute_voucher", subject="2031"),
        item(clause="identifier_node", subject="N1"),  # N1 was built by U2
        item(),  # a good one: stored only if all are
    ]
    r = await client.post("/api/v1/other-support", json=bad, headers=bearer(people["alice"]))
    assert r.status == 422
    errors = [(e["index"], e["field"]) for e in (await r.json())["errors"]]
    assert errors == [(0, "unit"), (1, "subject"), (2, "subject"), (3, "subject"), (4, "subject")]
    r = await client.get("/api/v1/other-support", headers=bearer(people["alice"]))
    assert (await r.json())["total"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", "-1"), ("amount", "1.234"), ("amount", "abc"), ("clause", "other"),
     ("subject", "")],
)  # fmt: skip
async def test_bad_values_are_refused(
    client: Any, people: dict[str, str], field: str, value: str
) -> None:
    r = await client.post(
        "/api/v1/other-support", json=item(**{field: value}), headers=bearer(people["alice"])
    )
    assert r.status == 422
    assert (await r.json())["errors"][0]["field"] == field


async def test_only_officials_record(client: Any, people: dict[str, str]) -> None:
    r = await client.post("/api/v1/other-support", json=item(), headers=bearer(people["u1"]))
    assert r.status == 403


async def test_a_units_token_is_refused_before_its_body_is_read(
    client: Any, people: dict[str, str]
) -> None:
    for body in ({"unit": "NOPE"}, []):
        r = await client.post("/api/v1/other-support", json=body, headers=bearer(people["u1"]))
        assert r.status == 403


async def test_an_empty_list_is_refused(client: Any, people: dict[str, str]) -> None:
    r = await client.post("/api/v1/other-support", json=[], headers=bearer(people["alice"]))
    assert r.status == 422
    assert (await r.json())["errors"][0]["field"] == "body"


async def test_the_list_filters_by_unit_and_subject(client: Any, people: dict[str, str]) -> None:
    given = [item(), item(clause="identifier_node", unit="U2", subject="N1", amount="5")]
    r = await client.post("/api/v1/other-support", json=given, headers=bearer(people["alice"]))
    assert r.status == 201, await r.text()
    official = bearer(people["alice"])
    r = await client.get("/api/v1/other-support?unit=U2", headers=official)
    assert [(x["unit"], x["subject"]) for x in (await r.json())["items"]] == [("U2", "N1")]
    r = await client.get("/api/v1/other-support?subject=C1", headers=official)
    assert [x["unit"] for x in (await r.json())["items"]] == ["U1"]
    r = await client.get("/api/v1/other-support?unit=U1&limit=1&offset=1", headers=official)
    page = await r.json()
    assert (page["items"], page["total"], page["limit"], page["offset"]) == ([], 1, 1, 1)


async def test_a_unit_names_no_other_unit_and_an_official_no_unknown_one(
    client: Any, people: dict[str, str]
) -> None:
    r = await client.get("/api/v1/other-support?unit=U1", headers=bearer(people["u1"]))
    assert r.status == 200
    r = await client.get("/api/v1/other-support?unit=U2", headers=bearer(people["u1"]))
    assert r.status == 403
    r = await client.get("/api/v1/other-support?unit=NOPE", headers=bearer(people["alice"]))
    assert r.status == 404


@pytest.mark.parametrize("sid", ["abc", "0", "-1", "99999999999999999999", "１２"])
async def test_an_id_not_of_a_stored_form_is_not_found(
    client: Any, people: dict[str, str], sid: str
) -> None:
    r = await client.delete(f"/api/v1/other-support/{sid}", headers=bearer(people["alice"]))
    assert r.status == 404


async def test_the_delete_is_audited_with_what_the_record_was(
    client: Any, database_url: str, people: dict[str, str]
) -> None:
    r = await client.post("/api/v1/other-support", json=item(), headers=bearer(people["alice"]))
    [created] = await r.json()
    r = await client.delete(
        f"/api/v1/other-support/{created['id']}", headers=bearer(people["alice"])
    )
    assert r.status == 204
    [create, delete] = await audit_actions(database_url, "other_support", str(created["id"]))
    assert (create.before, create.after) == (None, created)
    assert (delete.before, delete.after) == (created, None)
