"""Runs settle against final statements: awards, adjustments that recover, caps across runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from incentives.models import Statement
from registry.db import create_engine, session_factory
from registry.models import AuditEntry
from tests.conftest import bearer, make_token
from tests.statements.helpers import SCENARIOS, import_file, set_status

RUNS = "/api/v1/statements/runs"


async def _run(client: Any, token: str, **body: Any) -> list[dict[str, Any]]:
    resp = await client.post(RUNS, json=body, headers=bearer(token))
    assert resp.status == 200, await resp.text()
    return [i for i in (await resp.json())["items"] if i["action"] != "nothing_to_settle"]


async def _statement(client: Any, token: str, statement_id: int) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/statements/{statement_id}", headers=bearer(token))
    assert resp.status == 200, await resp.text()
    return dict(await resp.json())


async def test_a_red_invoice_after_a_final_statement_opens_statement_2_with_a_recovery(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    official = await make_token(database_url, "GOV", "official")
    items = await _run(
        client, official, clause="compute_voucher", period="2025", as_of="2026-03-31"
    )
    assert [(i["action"], i["number"], i["status"]) for i in items] == [("created", 1, "draft")]
    first = await _statement(client, official, items[0]["statement"])
    assert first["lines"], first
    award = first["lines"][0]
    assert award["kind"] == "award" and award["corrects"] is None
    assert award["explanation"][-1].startswith("结算")
    # Refreshed while a draft: still one statement, same number.
    again = await _run(
        client, official, clause="compute_voucher", period="2025", as_of="2026-03-31"
    )
    assert [(i["action"], i["statement"]) for i in again] == [("refreshed", first["id"])]
    first = await _statement(client, official, first["id"])
    await set_status(database_url, first["id"], "final")
    # Nothing differs after the final statement: no statement 2.
    assert (
        await _run(client, official, clause="compute_voucher", period="2025", as_of="2026-03-31")
        == []
    )

    # The buyer reverses part of a counted invoice with a red-letter invoice.
    invoices = await client.get(
        "/api/v1/invoices?year=2025", headers=bearer(await make_token(database_url, "B1", "buyer"))
    )
    counted = next(i for i in (await invoices.json())["items"] if i["status"] == "counted")
    red = {
        "number": "25230000000000099901",
        "seller": counted["seller_credit_code"],
        "issued_on": "2025-12-01",
        "amount": "100000.00",
        "kind": "red",
        "reverses": counted["number"],
    }
    buyer = await make_token(database_url, counted["buyer"], "buyer")
    resp = await client.post("/api/v1/invoices", json={"invoices": [red]}, headers=bearer(buyer))
    assert resp.status == 201, await resp.text()

    items = await _run(
        client, official, clause="compute_voucher", period="2025", as_of="2026-03-31"
    )
    assert [(i["action"], i["number"]) for i in items] == [("created", 2)]
    second = await _statement(client, official, items[0]["statement"])
    line = next(x for x in second["lines"] if x["unit"] == counted["buyer"])
    original = next(x for x in first["lines"] if x["unit"] == counted["buyer"])
    assert line["kind"] == "adjustment"
    assert line["corrects"] == original["id"]
    assert line["amount"] == "-30000.00"  # 30% of the 100,000 reversed
    assert "追回" in line["explanation"][-1]

    # The red invoice is in the evidence of the adjustment.
    resp = await client.get(
        f"/api/v1/statements/{second['id']}/lines/{line['id']}/evidence", headers=bearer(official)
    )
    evidence = (await resp.json())["evidence"]
    assert any(i["number"] == red["number"] and i["kind"] == "red" for i in evidence["invoices"])

    # Under review, a run leaves it alone.
    await set_status(database_url, second["id"], "submitted")
    items = await _run(
        client, official, clause="compute_voucher", period="2025", as_of="2026-03-31"
    )
    assert [(i["action"], i["statement"]) for i in items] == [("under_review", second["id"])]

    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            statements = (await session.scalars(select(Statement))).all()
            actions = (
                await session.scalars(
                    select(AuditEntry.action).where(AuditEntry.object_type == "statement")
                )
            ).all()
    finally:
        await engine.dispose()
    assert len(statements) == 2
    assert sorted(actions) == ["create", "create", "refresh"]


async def test_the_yearly_cap_holds_across_statements(client: Any, database_url: str) -> None:
    await import_file(database_url, SCENARIOS / "voucher-cap-and-exclusions.yaml")
    official = await make_token(database_url, "GOV", "official")
    items = await _run(
        client, official, clause="compute_voucher", period="2025", as_of="2026-06-30"
    )
    statement = await _statement(client, official, items[0]["statement"])
    assert {(x["unit"], x["amount"]) for x in statement["lines"]} == {
        ("B1", "4000000.00"),
        ("B2", "120000.00"),
    }
    await set_status(database_url, statement["id"], "final")
    # B1, already at the yearly cap, buys one more million, confirmed by its seller.
    extra = {
        "number": "25230000000000001009",
        "seller": "91230100MA1PRN0057",
        "issued_on": "2025-10-01",
        "amount": "1000000.00",
    }
    buyer = await make_token(database_url, "B1", "buyer")
    resp = await client.post("/api/v1/invoices", json={"invoices": [extra]}, headers=bearer(buyer))
    assert resp.status == 201, await resp.text()
    provider = await make_token(database_url, "P1", "provider")
    report = {k: v for k, v in extra.items() if k != "seller"} | {
        "buyer": "91230100MA1HRB0032",
        "accelerator_hours": "10",
    }
    resp = await client.post(
        "/api/v1/sales-reports", json={"reports": [report]}, headers=bearer(provider)
    )
    assert resp.status == 201, await resp.text()
    invoices = await client.get("/api/v1/invoices?year=2025", headers=bearer(buyer))
    statuses = {i["number"]: i["status"] for i in (await invoices.json())["items"]}
    assert statuses[extra["number"]] == "counted"
    # Nothing differs for 2025: the cap holds across statements, no statement 2 opens.
    assert (
        await _run(client, official, clause="compute_voucher", period="2025", as_of="2026-06-30")
        == []
    )


async def test_a_bad_period_is_a_422_naming_the_field(client: Any, database_url: str) -> None:
    official = await make_token(database_url, "GOV", "official")
    resp = await client.post(
        RUNS,
        json={"clause": "compute_voucher", "period": "2027", "as_of": "2027-03-01"},
        headers=bearer(official),
    )
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "period"


async def test_a_buyer_may_not_run_statements(client: Any, database_url: str) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    buyer = await make_token(database_url, "B1", "buyer")
    resp = await client.post(RUNS, json={}, headers=bearer(buyer))
    assert resp.status == 403
