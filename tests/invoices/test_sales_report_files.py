"""Sales reports as CSV and XLSX files: Chinese or English headers, every error at once."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from collectors.invoices import tables
from tests.conftest import bearer
from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import csv, invoices, upload
from tests.invoices.test_sales_reports import BUYER_FILE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def post_file(client: Any, token: str, body: bytes, media: str = "text/csv") -> Any:
    """POST a sales-report file."""
    headers = {**bearer(token), "Content-Type": media}
    return await client.post("/api/v1/sales-reports", data=body, headers=headers)


def xlsx(rows: list[list[Any]], hidden: list[list[Any]] | None = None) -> bytes:
    """A workbook of text cells; an optional hidden first sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if hidden is not None:
        ws.title = "old"
        ws.sheet_state = "veryHidden"
        for row in hidden:
            ws.append(row)
        ws = wb.create_sheet("reports")
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_a_chinese_csv_ledger_confirms_the_buyers_invoices(
    client: Any, tokens: Tokens
) -> None:
    assert (await upload(client, tokens.b1, BUYER_FILE)).status == 201
    body = csv(
        "发票号码,购买方统一社会信用代码,开票日期,价税合计,交付卡时,购买方名称",
        f'25230000000000000001,{B1},2025-03-01 10:00:00,"500,000.00",1200.5,哈尔滨智能制造',
        f"25230000000000000002,{B1},2025/03/02,1000.00,10,哈尔滨智能制造",
    )
    r = await post_file(client, tokens.p1, body)
    assert r.status == 201, await r.text()
    assert await r.json() == {
        "stored": 2, "unchanged": 0, "sheet": None, "ignored_columns": ["购买方名称"],
    }  # fmt: skip
    confirmed = {i["number"]: i["confirmed"] for i in await invoices(client, tokens.b1)}
    assert confirmed["25230000000000000001"] and confirmed["25230000000000000002"]
    again = await post_file(client, tokens.p1, body)
    assert again.status == 200 and (await again.json())["unchanged"] == 2


async def test_an_xlsx_report_names_every_bad_row_and_column_and_stores_nothing(
    client: Any, tokens: Tokens
) -> None:
    header = ["number", "buyer", "issued_on", "amount", "accelerator_hours"]
    rows = [
        header,
        ["25230000000000000001", B1, "2025-03-01", "10.00", "5"],
        ["25230000000000000002", B1, "2025-02-30", "10.00", "5"],
        ["25230000000000000003", B1, "2025-03-01", "10.00", "-1"],
    ]
    r = await post_file(client, tokens.p1, xlsx(rows), XLSX)
    assert r.status == 422, await r.text()
    where = {(e["row"], e["field"]) for e in (await r.json())["errors"]}
    assert where == {(3, "issued_on"), (4, "accelerator_hours")}
    ok = await post_file(client, tokens.p1, xlsx(rows[:2], hidden=[header, rows[2]]), XLSX)
    assert ok.status == 201, await ok.text()
    assert (await ok.json())["sheet"] == "reports"


async def test_a_missing_column_is_named_with_the_columns_found(
    client: Any, tokens: Tokens
) -> None:
    r = await post_file(
        client, tokens.p1, csv("发票号码,开票日期", "25230000000000000001,2025-03-01")
    )
    assert r.status == 422
    errors = {e["field"]: e["message"] for e in (await r.json())["errors"]}
    assert set(errors) == {"buyer", "amount", "accelerator_hours"}
    assert "the file has: 发票号码, 开票日期" in errors["amount"]


async def test_sales_report_files_meet_the_same_limits(client: Any, tokens: Tokens) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["number", "buyer", "issued_on", "amount", "accelerator_hours"])
    ws.cell(row=20_000, column=16_384, value="x")
    out = io.BytesIO()
    wb.save(out)
    r = await post_file(client, tokens.p1, out.getvalue(), XLSX)
    assert r.status == 422
    assert f"beyond column {tables.MAX_COLUMNS}" in (await r.json())["detail"]
    header = ",".join(f"c{i}" for i in range(tables.MAX_COLUMNS + 1))
    r = await post_file(client, tokens.p1, csv(header, "1"))
    assert r.status == 422
    assert f"at most {tables.MAX_COLUMNS}" in (await r.json())["detail"]
    r = await post_file(client, tokens.p1, csv("number", P1), "text/plain")
    assert r.status == 415
