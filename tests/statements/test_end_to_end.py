"""Issue 7 §4 through the API: registry, evidence, a run, review, the file, a correction."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from tests.conftest import bearer, make_token
from tests.helpers import CREDIT
from tests.statements.workflow_helpers import end_notice

SELLER = CREDIT["P1"]
BUYER = CREDIT["B1"]
INVOICES = [
    {"number": "25230000000000000101", "seller": SELLER, "issued_on": "2025-03-10",
     "amount": "800000.00"},
    {"number": "25230000000000000102", "seller": SELLER, "issued_on": "2025-06-01",
     "amount": "400000.00"},
]  # fmt: skip


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def run_vouchers(client: Any, token: str) -> list[dict[str, Any]]:
    body = {"clause": "compute_voucher", "period": "2025", "as_of": "2026-03-31"}
    out = await ok(await client.post("/api/v1/statements/runs", json=body, headers=bearer(token)))
    return [i for i in out["items"] if i["action"] != "nothing_to_settle"]


async def test_from_evidence_to_a_final_statement_and_a_correction(
    client: Any, database_url: str, admin_token: str
) -> None:
    admin = bearer(admin_token)
    # The registry, through the API.
    units = [
        {"code": "B1", "name": "哈尔滨示例大学", "credit_code": BUYER, "kind": "university"},
        {"code": "P1", "name": "示例算力服务有限公司", "credit_code": SELLER,
         "kind": "compute_provider"},
    ]  # fmt: skip
    await ok(await client.post("/api/v1/units", json=units, headers=admin), 201)
    listing = {"unit": "P1", "listed_from": "2024-01-01"}
    await ok(await client.post("/api/v1/key-providers", json=listing, headers=admin), 201)
    alice_token = await make_token(database_url, "GOV", "official")
    alice = bearer(alice_token)
    bob = bearer(await make_token(database_url, "GOV", "official"))
    buyer = bearer(await make_token(database_url, "B1", "buyer"))
    provider = bearer(await make_token(database_url, "P1", "provider"))

    # Evidence: the buyer uploads its invoices, the provider confirms them.
    await ok(await client.post("/api/v1/invoices", json={"invoices": INVOICES}, headers=buyer), 201)
    reports = [
        {k: v for k, v in i.items() if k != "seller"} | {"buyer": BUYER, "accelerator_hours": "100"}
        for i in INVOICES
    ]
    await ok(
        await client.post("/api/v1/sales-reports", json={"reports": reports}, headers=provider),
        201,
    )

    # A run drafts statement 1: 30% of 1,200,000.
    [item] = await run_vouchers(client, admin_token)
    assert (item["action"], item["number"]) == ("created", 1)
    sid = item["statement"]
    first = await ok(await client.get(f"/api/v1/statements/{sid}", headers=alice))
    [line] = first["lines"]
    assert (line["unit"], line["amount"], line["kind"]) == ("B1", "360000.00", "award")

    # Review: submit, a refused self-approval, approval by a second official, publish.
    await ok(await client.post(f"/api/v1/statements/{sid}/submit", headers=alice))
    refused = await client.post(f"/api/v1/statements/{sid}/approve", headers=alice)
    assert refused.status == 403 and "four eyes" in (await refused.json())["detail"]
    await ok(await client.post(f"/api/v1/statements/{sid}/approve", headers=bob))
    published = await ok(await client.post(f"/api/v1/statements/{sid}/publish", headers=bob))
    assert published["status"] == "published"

    # The buyer objects during the notice; an official dismisses it with a reason.
    objection = {"statement": sid, "line": line["id"], "text": "第三张发票未计入"}
    filed = await ok(await client.post("/api/v1/objections", json=objection, headers=buyer), 201)
    early = await client.post(f"/api/v1/statements/{sid}/finalise", headers=alice)
    assert early.status == 409
    decision = {"decision": "dismissed", "reason": "第三张发票不在 2025 年度"}
    await ok(
        await client.post(f"/api/v1/objections/{filed['id']}/resolve", json=decision, headers=bob)
    )
    await end_notice(database_url, sid)
    final = await ok(await client.post(f"/api/v1/statements/{sid}/finalise", headers=alice))
    assert final["status"] == "final"

    # The Excel file.
    xlsx = await client.get(f"/api/v1/statements/{sid}/export?format=xlsx", headers=alice)
    assert xlsx.status == 200
    kept = await xlsx.read()
    book = openpyxl.load_workbook(io.BytesIO(kept))
    summary = {row[0]: row[1] for row in book["结算单"].iter_rows(values_only=True)}
    assert Decimal(str(summary["合计(元)"])) == Decimal("360000")
    assert summary["状态"] == "已定稿" and summary["期间"] == "2025"
    sheet = book["明细"]
    header = [c.value for c in sheet[1]]
    assert header[2:4] == ["单位代码", "单位名称"] and header[-1] == "本次金额(元)"
    assert sheet.cell(2, 3).value == "B1" and sheet.cell(2, 4).value == "哈尔滨示例大学"
    assert sheet.cell(2, 9).value == 360000 and sheet.cell(2, 9).number_format == "#,##0.00"
    assert book["说明"].max_row > 2
    kept_csv = await (
        await client.get(f"/api/v1/statements/{sid}/export?format=csv", headers=bob)
    ).read()

    # A red-letter invoice reverses 100,000 of a counted one: statement 2 recovers 30,000.
    red = {"number": "25230000000000099901", "seller": SELLER, "issued_on": "2025-12-01",
           "amount": "100000.00", "kind": "red", "reverses": INVOICES[0]["number"]}  # fmt: skip
    await ok(await client.post("/api/v1/invoices", json={"invoices": [red]}, headers=buyer), 201)
    [item] = await run_vouchers(client, alice_token)
    assert (item["action"], item["number"]) == ("created", 2)
    second = await ok(await client.get(f"/api/v1/statements/{item['statement']}", headers=alice))
    [adjustment] = second["lines"]
    assert adjustment["kind"] == "adjustment" and adjustment["corrects"] == line["id"]
    assert adjustment["amount"] == "-30000.00"

    # The final statement's files did not change, nor after its payment is recorded.
    again = await client.get(f"/api/v1/statements/{sid}/export?format=xlsx", headers=bob)
    assert await again.read() == kept
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    paid = {"reference": "HLJ-CZ-2026-0001", "paid_on": today.isoformat()}
    await ok(await client.post(f"/api/v1/statements/{sid}/disburse", json=paid, headers=alice))
    csv_again = await client.get(f"/api/v1/statements/{sid}/export?format=csv", headers=alice)
    assert await csv_again.read() == kept_csv
    xlsx_again = await client.get(f"/api/v1/statements/{sid}/export", headers=alice)
    assert await xlsx_again.read() == kept
