"""Providers' sales reports confirm buyers' invoices; reconciliation lists every mismatch."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.invoices.conftest import B1, B2, P1, P2, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, invoices, upload


def report(number: str, buyer: str, amount: str, day: str = "2025-03-01", **extra: Any) -> Any:
    """One sales report in the API's vocabulary."""
    return {"number": number, "buyer": buyer, "issued_on": day, "amount": amount,
            "accelerator_hours": "1200.5", **extra}  # fmt: skip


async def post_reports(client: Any, token: str, *reports: Any) -> Any:
    """POST a batch of sales reports."""
    return await client.post(
        "/api/v1/sales-reports", json={"reports": list(reports)}, headers=bearer(token)
    )


async def reconciliation(client: Any, token: str, query: str = "") -> Any:
    """The reconciliation as officials see it."""
    r = await client.get(f"/api/v1/reconciliation{query}", headers=bearer(token))
    assert r.status == 200, await r.text()
    return await r.json()


BUYER_FILE = csv(
    HEADER_EN,
    f"25230000000000000001,{B1},{P1},2025-03-01,500000.00,blue,",
    f"25230000000000000002,{B1},{P1},2025-03-02,1000.00,blue,",
    f"25230000000000000003,{B1},{P1},2025-03-03,200.00,red,25230000000000000001",
)


async def test_a_matching_report_confirms_the_invoice_and_it_counts(
    client: Any, tokens: Tokens
) -> None:
    assert (await upload(client, tokens.b1, BUYER_FILE)).status == 201
    before = {i["number"]: i["status"] for i in await invoices(client, tokens.b1)}
    assert before["25230000000000000001"] == "not_confirmed_by_provider"
    assert before["25230000000000000003"] == "reversal_without_original"
    r = await post_reports(
        client,
        tokens.p1,
        report("25230000000000000001", B1, "500000.00"),
        report("25230000000000000003", B1, "200", "2025-03-03"),
    )
    assert r.status == 201, await r.text()
    assert await r.json() == {"stored": 2, "unchanged": 0, "sheet": None, "ignored_columns": []}
    after = {i["number"]: (i["status"], i["confirmed"]) for i in await invoices(client, tokens.b1)}
    assert after == {
        "25230000000000000001": ("counted", True),
        "25230000000000000002": ("not_confirmed_by_provider", False),
        "25230000000000000003": ("counted", True),  # reduces its counted original
    }
    again = await post_reports(client, tokens.p1, report("25230000000000000001", B1, "500000.00"))
    assert again.status == 200
    assert (await again.json())["unchanged"] == 1


async def test_reconciliation_lists_every_mismatch(client: Any, tokens: Tokens) -> None:
    assert (await upload(client, tokens.b1, BUYER_FILE)).status == 201
    r = await post_reports(
        client,
        tokens.p1,
        report("25230000000000000001", B1, "500000.00"),
        report("25230000000000000002", B1, "1000.01"),
        report("25230000000000000009", B2, "30.00"),
    )
    assert r.status == 201, await r.text()
    r = await post_reports(client, tokens.p2, report("25230000000000000008", B1, "10.00"))
    assert r.status == 201, await r.text()
    out = await reconciliation(client, tokens.admin)
    assert out["reports"] == 4 and out["confirmed"] == 1
    found = sorted((m["kind"], m["number"], m["seller"]) for m in out["mismatches"])
    assert found == [
        ("amount_differs", "25230000000000000002", "P1"),
        ("invoice_unknown_to_buyer", "25230000000000000008", "P2"),
        ("invoice_unknown_to_buyer", "25230000000000000009", "P1"),
        ("seller_not_listed", "25230000000000000008", "P2"),
    ]
    differs = next(m for m in out["mismatches"] if m["kind"] == "amount_differs")
    assert (differs["reported_amount"], differs["invoiced_amount"]) == ("1000.01", "1000.00")
    only = await reconciliation(client, tokens.admin, "?seller=P2&kind=seller_not_listed")
    assert [m["number"] for m in only["mismatches"]] == ["25230000000000000008"]
    r = await client.get("/api/v1/reconciliation", headers=bearer(tokens.b1))
    assert r.status == 403


async def test_a_provider_reports_only_as_its_own_unit_and_every_error_at_once(
    client: Any, tokens: Tokens
) -> None:
    r = await post_reports(
        client,
        tokens.p1,
        report("25230000000000000001", B1, "5.00", seller=P2),
        report("2523000000000000000", B1, "5.00"),
        report("24230000000000000003", B1, "5.00"),
        report("25230000000000000004", B1, "0"),
        report("25230000000000000005", B1, "5.00", accelerator_hours="1.2345"),
    )
    assert r.status == 422
    errors = [(e["index"], e["field"]) for e in (await r.json())["errors"]]
    assert errors == [
        (0, "seller"),
        (1, "number"),
        (2, "number"),
        (3, "amount"),
        (4, "accelerator_hours"),
    ]
    assert (
        await post_reports(client, tokens.b1, report("25230000000000000001", B1, "5"))
    ).status == 403
    assert (await reconciliation(client, tokens.admin))["reports"] == 0


async def test_a_report_that_changes_a_stored_one_is_refused(client: Any, tokens: Tokens) -> None:
    assert (
        await post_reports(client, tokens.p1, report("25230000000000000001", B1, "5"))
    ).status == 201
    r = await post_reports(client, tokens.p1, report("25230000000000000001", B1, "6"))
    assert r.status == 422
    assert (await r.json())["errors"] == [
        {
            "index": 0,
            "field": "amount",
            "message": "already reported with other values: stored 5.00",
        }
    ]
