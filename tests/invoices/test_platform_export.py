"""The national e-invoice platform's export (全量发票查询), line items and all, end to end."""

from __future__ import annotations

import csv as csvlib
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl

from collectors.invoices.platform import day_text, reversed_number
from tests.invoices.conftest import B1, B2, P1, P2, Tokens
from tests.invoices.test_invoice_upload import invoices, upload

SAMPLE = Path(__file__).parent / "files" / "platform_export.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sample_rows() -> list[list[str]]:
    """The sample export's rows, header first."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csvlib.reader(f))


def as_csv(rows: list[list[str]]) -> bytes:
    """Rows as a CSV body."""
    out = io.StringIO()
    csvlib.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    """Rows as a workbook of text cells, as the platform's download is."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发票基础信息"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_the_sample_export_is_summed_per_invoice_and_voided_ones_skipped(
    client: Any, tokens: Tokens
) -> None:
    r = await upload(client, tokens.b1, SAMPLE.read_bytes())
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["source"] == "e-invoice platform export"
    assert body["rows"] == 4 and body["stored"] == 4  # invoices, voided ones aside
    assert body["ignored_columns"] == []
    assert [(s["row"], s["number"]) for s in body["skipped"]] == [(6, "25232000000000000104")]
    assert "作废" in body["skipped"][0]["message"]
    # 0105 is marked 已红冲, but its red-letter invoice is not in the file.
    assert [(w["row"], w["number"]) for w in body["warnings"]] == [(7, "25232000000000000105")]
    stored = {i["number"]: i for i in await invoices(client, tokens.b1)}
    assert {n: (i["amount"], i["kind"], i["reverses"]) for n, i in stored.items()} == {
        "25232000000000000101": ("116600.00", "blue", None),  # two line items
        "25232000000000000102": ("53000.00", "blue", None),
        "25232000000000000103": ("10600.00", "red", "25232000000000000102"),
        "25232000000000000105": ("30740.00", "blue", None),  # less its discount line
    }
    assert stored["25232000000000000101"]["issued_on"] == "2025-03-05"
    assert stored["25232000000000000101"]["row"] == 2
    assert stored["25232000000000000105"]["seller_credit_code"] == P2
    assert stored["25232000000000000101"]["buyer_credit_code"] == B1
    # The same export downloaded as a workbook changes nothing.
    r = await upload(client, tokens.b1, as_xlsx(sample_rows()), media=XLSX)
    assert r.status == 200, await r.text()
    again = await r.json()
    assert again["stored"] == 0 and again["unchanged"] == 4 and again["sheet"] == "发票基础信息"


async def test_a_red_invoice_without_its_original_in_the_remark_is_kept_and_warned_about(
    client: Any, tokens: Tokens
) -> None:
    rows = sample_rows()
    red = next(r for r in rows if r[23] == "否")
    red[26] = ""  # no 备注
    rows.append(["99", "", "", "25232000000000000199", P1, "", B1, "", "2025-06-01"] + [""] * 18)
    rows[-1][19] = "5.00"  # 价税合计 of a blue invoice with only the columns that matter
    rows[0].append("购买方地址")
    r = await upload(client, tokens.b1, as_csv(rows))
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["ignored_columns"] == ["购买方地址"]
    warned = {w["number"]: w["message"] for w in body["warnings"]}
    assert "reversal_without_original" in warned["25232000000000000103"]
    # 0102 (部分红冲) lost its red-letter invoice's link, so it is flagged too.
    assert "25232000000000000102" in warned
    stored = {i["number"]: i for i in await invoices(client, tokens.b1)}
    assert stored["25232000000000000103"]["reverses"] is None
    assert stored["25232000000000000103"]["status"] == "reversal_without_original"
    assert stored["25232000000000000199"]["amount"] == "5.00"


async def test_line_items_that_disagree_and_missing_columns_are_named(
    client: Any, tokens: Tokens
) -> None:
    rows = sample_rows()
    rows[2][4] = P2  # the second line item of 0101 names another seller
    rows[3][19] = "53,000.0x"
    r = await upload(client, tokens.b1, as_csv(rows))
    assert r.status == 422
    errors = {(e["row"], e["field"]): e["message"] for e in (await r.json())["errors"]}
    assert "differs from row 2 of the same invoice" in errors[(3, "销方识别号")]
    assert "not an amount" in errors[(4, "价税合计")]
    assert await invoices(client, tokens.b1) == []
    header = [h for h in sample_rows()[0] if h not in ("销方识别号", "价税合计")]
    r = await upload(client, tokens.b1, as_csv([header]))
    assert r.status == 422
    messages = {e["field"]: e["message"] for e in (await r.json())["errors"]}
    assert set(messages) == {"销方识别号", "价税合计"}
    assert "the file has: 序号, 发票代码, 发票号码, 数电发票号码" in messages["价税合计"]


def test_issue_times_are_china_time_and_remarks_name_the_reversed_invoice() -> None:
    assert day_text("2025-03-31 23:59:59") == "2025-03-31"
    assert day_text("2025-03-31T16:00:00Z") == "2025-04-01"
    assert day_text("2025/3/1") == "2025-03-01"
    assert day_text("yesterday") == "yesterday"
    remark = "被红冲蓝字数电发票号码：25232000000000000102 红字发票信息确认单编号：1"
    assert reversed_number(remark) == ("", "25232000000000000102")
    assert reversed_number("对应正数发票代码:2300000000号码:00012345") == ("2300000000", "00012345")
    assert reversed_number("折扣行") == ("", "")


async def test_a_workbook_with_number_and_date_cells_reads_the_same(
    client: Any, tokens: Tokens
) -> None:
    rows: list[list[Any]] = [list(r) for r in sample_rows()]
    for row in rows[1:]:
        row[8] = dt.datetime.fromisoformat(row[8])  # 开票日期 as a date-time cell
        for i in (16, 18, 19):  # 金额, 税额, 价税合计 as number cells
            row[i] = float(row[i])
    r = await upload(client, tokens.b1, as_xlsx(rows), media=XLSX)
    assert r.status == 201, await r.text()
    stored = {i["number"]: (i["amount"], i["issued_on"]) for i in await invoices(client, tokens.b1)}
    assert stored["25232000000000000101"] == ("116600.00", "2025-03-05")
    assert stored["25232000000000000105"] == ("30740.00", "2025-05-06")


async def test_a_dry_run_tells_new_from_unchanged_and_nothing_of_other_buyers(
    client: Any, tokens: Tokens
) -> None:
    r = await upload(client, tokens.b1, SAMPLE.read_bytes(), "?dry_run=true")
    assert r.status == 200, await r.text()
    body = await r.json()
    assert body["would_store"] == 4 and body["stored"] == 0 and body["upload"] is None
    assert {e["status"] for e in body["expected"]} == {"new"}
    assert (await upload(client, tokens.b1, SAMPLE.read_bytes())).status == 201
    again = await (await upload(client, tokens.b1, SAMPLE.read_bytes(), "?dry_run=true")).json()
    assert again["would_store"] == 0
    assert [(e["row"], e["status"]) for e in again["expected"]] == [
        (2, "unchanged"), (4, "unchanged"), (5, "unchanged"), (7, "unchanged"),
    ]  # fmt: skip
    # Another buyer's check of the same numbers looks as if nobody had claimed them.
    theirs = SAMPLE.read_bytes().replace(B1.encode(), B2.encode())
    other = await (await upload(client, tokens.b2, theirs, "?dry_run=true")).json()
    assert other["would_store"] == 4 and {e["status"] for e in other["expected"]} == {"new"}
    assert other["duplicate_claims"] == 0
