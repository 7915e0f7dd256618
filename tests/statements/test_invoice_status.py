"""The invoice list's statuses come from the engine's ledger: claim squatting, totals, filter."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer, make_token
from tests.statements.helpers import SCENARIOS, import_file

NUMBER = "25230000000000077001"


async def test_a_squatters_unconfirmed_claim_does_not_displace_the_confirmed_one(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    squatter = await make_token(database_url, "B2", "buyer")
    owner = await make_token(database_url, "B1", "buyer")
    provider = await make_token(database_url, "P1", "provider")
    seller = "91230100MA1PRN0057"
    first = {"number": NUMBER, "seller": seller, "issued_on": "2025-03-01", "amount": "0.01"}
    resp = await client.post(
        "/api/v1/invoices", json={"invoices": [first]}, headers=bearer(squatter)
    )
    assert resp.status == 201, await resp.text()
    real = first | {"amount": "800000.00"}
    resp = await client.post("/api/v1/invoices", json={"invoices": [real]}, headers=bearer(owner))
    assert resp.status == 201, await resp.text()

    async def status(token: str) -> str:
        resp = await client.get("/api/v1/invoices?year=2025", headers=bearer(token))
        body = await resp.json()
        return str(next(i["status"] for i in body["items"] if i["number"] == NUMBER))

    # Neither is confirmed yet: the first claim wins, and is not confirmed.
    assert await status(squatter) == "not_confirmed_by_provider"
    assert await status(owner) == "duplicate_invoice"
    report = {
        "number": NUMBER, "buyer": "12230100MB1000012A", "issued_on": "2025-03-01",
        "amount": "800000.00", "accelerator_hours": "100",
    }  # fmt: skip
    resp = await client.post(
        "/api/v1/sales-reports", json={"reports": [report]}, headers=bearer(provider)
    )
    assert resp.status == 201, await resp.text()
    assert await status(owner) == "counted"
    assert await status(squatter) == "duplicate_invoice"

    # The buyer's counted total for the year, and the status filter.
    resp = await client.get("/api/v1/invoices?year=2025", headers=bearer(owner))
    body = await resp.json()
    assert body["counted_total"] == "1300000.00"  # 250,000 + 250,000 + 800,000
    resp = await client.get(
        "/api/v1/invoices?year=2025&status=duplicate_invoice", headers=bearer(squatter)
    )
    body = await resp.json()
    assert [i["number"] for i in body["items"]] == [NUMBER] and body["total"] == 1
    assert body["counted_total"] == "300000.00"
    assert all("first_claimed_by" not in i for i in body["items"])

    # A statement agrees: B1's 2025 voucher counts the confirmed claim.
    official = await make_token(database_url, "GOV", "official")
    resp = await client.post(
        "/api/v1/statements/runs",
        json={"clause": "compute_voucher", "period": "2025", "as_of": "2026-03-31"},
        headers=bearer(official),
    )
    [item] = [i for i in (await resp.json())["items"] if i["statement"]]
    resp = await client.get(f"/api/v1/statements/{item['statement']}", headers=bearer(official))
    lines = {x["unit"]: x["amount"] for x in (await resp.json())["lines"]}
    assert lines["B1"] == "390000.00"


async def test_an_official_needs_a_buyer_to_filter_by_status(
    client: Any, database_url: str
) -> None:
    official = await make_token(database_url, "GOV", "official")
    resp = await client.get("/api/v1/invoices?status=counted", headers=bearer(official))
    assert resp.status == 400
