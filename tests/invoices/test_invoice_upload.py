"""Invoice uploads end to end: every error at once, all or nothing, re-uploads change nothing."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from aiohttp import FormData

from tests.conftest import bearer
from tests.invoices.conftest import B1, B2, P1, P2, Tokens

HEADER_ZH = ",".join(
    (
        "发票号码",
        "购买方统一社会信用代码",
        "销售方统一社会信用代码",
        "开票日期",
        "价税合计",
        "发票类型",
        "被冲红发票号码",
    )
)
HEADER_EN = "number,buyer,seller,issued_on,amount,kind,reverses"


def csv(header: str, *lines: str) -> bytes:
    """A CSV file as a finance office exports it."""
    return ("\n".join([header, *lines]) + "\n").encode()


async def upload(
    client: Any, token: str, body: bytes, query: str = "", media: str = "text/csv"
) -> Any:
    """POST a file body to the invoice API."""
    headers = {**bearer(token), "Content-Type": media}
    return await client.post(f"/api/v1/invoices{query}", data=body, headers=headers)


async def invoices(client: Any, token: str, query: str = "") -> list[dict[str, Any]]:
    """The stored invoices as GET lists them."""
    r = await client.get(f"/api/v1/invoices{query}", headers=bearer(token))
    assert r.status == 200, await r.text()
    return (await r.json())["items"]  # type: ignore[no-any-return]


GOOD = csv(
    HEADER_ZH,
    f'25230000000000000001,{B1},{P1},2025-03-01,"1,200.50",蓝字,',
    f"25230000000000000002,{B1},{P1},2025/03/02,100,蓝字,",
    f"25230000000000000003,{B1},{P1},2025年3月3日,0.01,,",
)


async def test_a_finance_export_with_chinese_headers_is_stored_exactly(
    client: Any, tokens: Tokens
) -> None:
    r = await upload(client, tokens.b1, GOOD)
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["rows"] == 3 and body["stored"] == 3 and body["unchanged"] == 0
    assert isinstance(body["upload"], int)
    items = await invoices(client, tokens.b1)
    assert [(i["number"], i["issued_on"], i["amount"], i["row"]) for i in items] == [
        ("25230000000000000001", "2025-03-01", "1200.50", 2),
        ("25230000000000000002", "2025-03-02", "100.00", 3),
        ("25230000000000000003", "2025-03-03", "0.01", 4),
    ]
    assert {i["buyer"] for i in items} == {"B1"}
    assert {i["seller"] for i in items} == {"P1"}


async def test_every_bad_cell_is_reported_at_once_and_nothing_is_stored(
    client: Any, tokens: Tokens
) -> None:
    body = csv(
        HEADER_ZH,
        f"25230000000000000001,{B1},{P1},2025-03-01,100.00,蓝字,",  # good
        f"2523000000000000002,{B1},{P1},2025-03-01,100.00,蓝字,",  # 19 digits
        f"25230000000000000003,91230100MA1HRB003X,{P1},2025-03-01,100.00,蓝字,",
        f"25230000000000000004,{B1},{P1},2025-02-30,100.00,蓝字,",
        f"25230000000000000005,{B1},{P1},2025-03-01,100.001,蓝字,",
        f"25230000000000000006,{B1},{P1},2025-03-01,-5.00,蓝字,",
        f"25230000000000000007,{B1},{P1},2025-03-01,100.00,红字,",
        f"25230000000000000008,{B2},{P1},2025-03-01,100.00,蓝字,",
        f"25230000000000000009,{B1},91230100MA1HRB001U,2025-03-01,100.00,黑字,",
        f"24230000000000000010,{B1},{P1},2025-03-01,100.00,蓝字,",
        f"25230000000000000001,{B1},{P1},2025-03-01,100.00,蓝字,",
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 422
    assert r.content_type == "application/problem+json"
    problem = await r.json()
    assert problem["detail"] == "11 errors in the input; nothing was stored"
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [
        (3, "发票号码"),
        (4, "购买方统一社会信用代码"),
        (5, "开票日期"),
        (6, "价税合计"),
        (7, "价税合计"),
        (8, "被冲红发票号码"),
        (9, "购买方统一社会信用代码"),
        (10, "销售方统一社会信用代码"),
        (10, "发票类型"),
        (11, "发票号码"),
        (12, "发票号码"),
    ]
    messages = {(e["row"], e["field"]): e["message"] for e in problem["errors"]}
    assert "20 digits" in messages[(3, "发票号码")]
    assert messages[(4, "购买方统一社会信用代码")].endswith(
        "wrong check character 'X', expected '2'"
    )
    assert messages[(5, "开票日期")] == "'2025-02-30': no such day"
    assert messages[(6, "价税合计")] == "'100.001': at most two decimals (whole fen)"
    assert "positive" in messages[(7, "价税合计")]
    assert "red-letter" in messages[(8, "被冲红发票号码")]
    assert "your unit" in messages[(9, "购买方统一社会信用代码")]
    assert "no unit with credit code" in messages[(10, "销售方统一社会信用代码")]
    assert "year" in messages[(11, "发票号码")]
    assert messages[(12, "发票号码")] == "appears twice in this upload (first at row 2)"
    assert await invoices(client, tokens.admin) == []


async def test_re_uploading_the_same_file_changes_nothing(client: Any, tokens: Tokens) -> None:
    first = await upload(client, tokens.b1, GOOD)
    assert first.status == 201
    again = await upload(client, tokens.b1, GOOD)
    assert again.status == 200
    assert await again.json() == {
        "upload": None, "dry_run": False, "rows": 3, "stored": 0, "unchanged": 3,
        "duplicate_claims": 0, "would_store": None, "expected": None,
        "source": "invoice list", "sheet": None, "ignored_columns": [], "skipped": [],
        "warnings": [],
    }  # fmt: skip
    assert len(await invoices(client, tokens.b1)) == 3
    r = await client.get("/api/v1/audit?object_type=invoice_upload", headers=bearer(tokens.admin))
    assert r.status == 200, await r.text()
    [entry] = (await r.json())["items"]  # the re-upload wrote no second entry
    assert entry["after"]["stored"] == 3


async def test_the_same_number_with_other_values_is_an_error_naming_the_row(
    client: Any, tokens: Tokens
) -> None:
    assert (await upload(client, tokens.b1, GOOD)).status == 201
    changed = csv(
        HEADER_ZH,
        f"25230000000000000004,{B1},{P1},2025-03-05,50.00,蓝字,",
        f"25230000000000000002,{B1},{P1},2025-03-02,100.10,蓝字,",
    )
    r = await upload(client, tokens.b1, changed)
    assert r.status == 422
    assert (await r.json())["errors"] == [
        {
            "row": 3,
            "field": "价税合计",
            "message": "already uploaded with other values: stored 100.00",
        }
    ]
    assert len(await invoices(client, tokens.b1)) == 3  # the new row 2 was not stored either


async def test_a_number_claimed_by_another_buyer_is_kept_as_a_duplicate_claim(
    client: Any, tokens: Tokens
) -> None:
    assert (await upload(client, tokens.b1, GOOD)).status == 201
    claim = csv(HEADER_EN, f"25230000000000000001,{B2},{P1},2025-03-01,1200.50,blue,")
    r = await upload(client, tokens.b2, claim)
    assert r.status == 201
    assert (await r.json())["duplicate_claims"] == 1
    [item] = await invoices(client, tokens.b2)
    assert item["status"] == "duplicate_invoice"
    assert item["claimed_by_others"] is True
    first = await invoices(client, tokens.b1)
    assert {i["claimed_by_others"] for i in first} == {True, False}
    assert "first_claimed_by" not in item  # another buyer is never named
    assert all(i["status"] != "duplicate_invoice" for i in first)


async def test_a_dry_run_checks_and_stores_nothing(client: Any, tokens: Tokens) -> None:
    r = await upload(client, tokens.b1, GOOD, "?dry_run=true")
    assert r.status == 200
    body = await r.json()
    assert body["dry_run"] is True and body["would_store"] == 3 and body["stored"] == 0
    assert body["upload"] is None
    assert await invoices(client, tokens.b1) == []
    bad = csv(HEADER_EN, f"25230000000000000001,{B1},{P1},2025-13-01,1.00,blue,")
    r = await upload(client, tokens.b1, bad, "?dry_run=true")
    assert r.status == 422
    assert (await r.json())["errors"][0]["field"] == "issued_on"


async def test_a_file_without_a_buyer_column_is_the_uploaders_own(
    client: Any, tokens: Tokens
) -> None:
    body = csv("number,seller,issued_on,amount", f"25230000000000000001,{P1},2025-03-01,5.00")
    assert (await upload(client, tokens.b1, body)).status == 201
    assert [i["buyer"] for i in await invoices(client, tokens.admin)] == ["B1"]
    r = await upload(client, tokens.admin, body)
    assert r.status == 422
    assert (await r.json())["errors"][0] == {
        "row": 1,
        "field": "buyer",
        "message": "required column is missing (the file has: number, seller, issued_on, "
        "amount); or name the buyer (?buyer=UNIT, or --buyer on the command line)",
    }
    r = await upload(client, tokens.admin, body, "?buyer=B2")
    assert r.status == 201
    assert (await r.json())["duplicate_claims"] == 1


async def test_an_official_may_upload_for_several_buyers(client: Any, tokens: Tokens) -> None:
    body = csv(
        HEADER_EN,
        f"25230000000000000001,{B1},{P1},2025-03-01,5.00,blue,",
        f"25230000000000000001,{B2},{P1},2025-03-01,5.00,blue,",
    )
    r = await upload(client, tokens.admin, body)
    assert r.status == 201
    assert (await r.json())["duplicate_claims"] == 1
    items = await invoices(client, tokens.admin)
    assert sorted((i["buyer"], i["claimed_by_others"]) for i in items) == [
        ("B1", True),
        ("B2", True),
    ]


async def test_who_may_upload_and_see_invoices(client: Any, tokens: Tokens) -> None:
    assert (await upload(client, tokens.p1, GOOD)).status == 403
    assert (await upload(client, tokens.b1, GOOD, "?buyer=B2")).status == 403
    r = await client.get("/api/v1/invoices?buyer=B2", headers=bearer(tokens.b1))
    assert r.status == 403
    r = await client.get("/api/v1/invoices?buyer=NOPE", headers=bearer(tokens.admin))
    assert r.status == 404
    assert (await client.get("/api/v1/invoices")).status == 401


async def test_unsupported_and_empty_bodies_are_refused(client: Any, tokens: Tokens) -> None:
    r = await upload(client, tokens.b1, b"x", media="text/plain")
    assert r.status == 415
    r = await upload(client, tokens.b1, b"")
    assert r.status == 400
    r = await upload(client, tokens.b1, b"a,b\n1,2\n")
    assert r.status == 422
    fields = {e["field"] for e in (await r.json())["errors"]}
    assert fields == {"number", "seller", "issued_on", "amount", "buyer"} - {"buyer"}


async def test_a_workbook_keeps_exact_amounts_and_refuses_numbers_excel_rounded(
    client: Any, tokens: Tokens
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["发票号码", "销售方统一社会信用代码", "开票日期", "价税合计"])
    ws.append(["25230000000000000001", P1, "2025-03-01", 1234.5])
    ws.append([25230000000000000002, P1, "2025-03-02", 10])
    ws.append(["25230000000000000003", P1, "2025-03-03", 0.125])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = await upload(client, tokens.b1, buf.getvalue(), media=xlsx)
    assert r.status == 422
    errors = (await r.json())["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "发票号码"), (4, "价税合计")]
    assert "15 significant digits" in errors[0]["message"]
    ws.delete_rows(3, 2)
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(client, tokens.b1, buf.getvalue(), media=xlsx)
    assert r.status == 201, await r.text()
    [item] = await invoices(client, tokens.b1)
    assert item["amount"] == "1234.50"


async def test_json_items_are_named_by_index(client: Any, tokens: Tokens) -> None:
    good = {"number": "25230000000000000001", "seller": P1, "issued_on": "2025-03-01",
            "amount": "10.00"}  # fmt: skip
    bad = {"number": 25230000000000000002, "seller": P1, "issued_on": "2025-03-01",
           "amount": "1.5", "colour": "blue"}  # fmt: skip
    r = await client.post(
        "/api/v1/invoices", json={"invoices": [good, bad]}, headers=bearer(tokens.b1)
    )
    assert r.status == 422
    assert [(e["index"], e["field"]) for e in (await r.json())["errors"]] == [
        (1, "number"),
        (1, "colour"),
    ]
    r = await client.post("/api/v1/invoices", json={"invoices": [good]}, headers=bearer(tokens.b1))
    assert r.status == 201
    r = await client.post("/api/v1/invoices", json={"invoices": [good]}, headers=bearer(tokens.b1))
    assert (await r.json())["unchanged"] == 1


async def test_a_form_upload_and_a_gb18030_export_are_read(client: Any, tokens: Tokens) -> None:
    body = csv(HEADER_ZH, f"25230000000000000001,{B1},{P1},2025-03-01,7.00,蓝字,").decode()
    form = FormData()
    form.add_field("file", body.encode("gb18030"), filename="发票.csv", content_type="text/csv")
    r = await client.post("/api/v1/invoices", data=form, headers=bearer(tokens.b1))
    assert r.status == 201, await r.text()
    form = FormData()
    form.add_field("file", b"x", filename="notes.txt")
    r = await client.post("/api/v1/invoices", data=form, headers=bearer(tokens.b1))
    assert r.status == 415


async def test_older_vat_invoices_keep_their_code(client: Any, tokens: Tokens) -> None:
    body = csv(
        "发票代码,发票号码,销售方统一社会信用代码,开票日期,价税合计,发票类型,被冲红发票代码,被冲红发票号码",
        f"2300194130,01234567,{P1},2025-03-01,100.00,蓝字,,",
        f"2300194130,01234568,{P1},2025-03-02,40.00,红字,2300194130,01234567",
        f"230019413,01234569,{P1},2025-03-02,40.00,蓝字,,",
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 422
    assert (await r.json())["errors"] == [
        {"row": 4, "field": "发票代码", "message": "'230019413' is not an invoice code: it has 10 "
         "or 12 digits"},
    ]  # fmt: skip
    r = await upload(client, tokens.b1, body.rsplit(b"\n", 2)[0] + b"\n")
    assert r.status == 201, await r.text()
    items = await invoices(client, tokens.b1)
    assert [(i["number"], i["code"], i["reverses"]) for i in items] == [
        ("230019413001234567", "2300194130", None),
        ("230019413001234568", "2300194130", "230019413001234567"),
    ]


async def test_unknown_seller_of_the_right_shape_and_unlisted_seller(
    client: Any, tokens: Tokens
) -> None:
    body = csv(HEADER_EN, f"25230000000000000001,{B1},{P2},2025-03-01,5.00,blue,")
    assert (await upload(client, tokens.b1, body)).status == 201  # not an upload error
    [item] = await invoices(client, tokens.b1, "?year=2025")
    assert item["status"] == "seller_not_key_provider"
    assert await invoices(client, tokens.b1, "?year=2024") == []
