"""The unit pages, the review queue, what-if and the awards chart, over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, center, unit
from tests.statements.helpers import SCENARIOS, import_file, set_status
from tests.workbench.conftest import csrf_of, sign_in

SELLER = CREDIT["P1"]
GOOD_ROW = f"25230000000000000777,{SELLER},2025-10-10,1000.00\n"
BAD_ROWS = f"25230000000000000778,{SELLER},2025-10-11,10.00\n1234,{SELLER},2025-13-40,abc\n"
HEADER = "number,seller,issued_on,amount\n"


def upload_form(csrf: str, text: str, dry_run: bool = False) -> aiohttp.FormData:
    """The page's upload form as a browser sends it: the token first, then the file."""
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    if dry_run:
        form.add_field("dry_run", "1")
    form.add_field("file", text.encode(), filename="发票.csv", content_type="text/csv")
    return form


async def switch_user(client: Any, token: str) -> None:
    """Forget the current session and sign in with another token."""
    client.session.cookie_jar.clear()
    answer = await sign_in(client, token)
    assert answer.status == 303


@pytest.fixture
async def vouchers(database_url: str) -> dict[str, str]:
    """The voucher-basic scenario (B1 and B2 buy from the key provider P1); tokens."""
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    return {
        "b1": await make_token(database_url, "B1", "buyer"),
        "b2": await make_token(database_url, "B2", "buyer"),
        "official": await make_token(database_url, "GOV", "official"),
    }


async def test_a_unit_sees_its_invoices_with_statuses_and_the_counted_total(
    client: Any, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["b1"])
    page = await client.get("/my/invoices?year=2025")
    assert page.status == 200
    html = await page.text()
    assert "25230000000000000101" in html and "25230000000000000102" in html
    assert "计入奖补" in html
    assert "500,000.00" in html  # the year's counted spend: 250,000 + 250,000
    assert "25230000000000000201" not in html  # B2's invoice
    none = await (await client.get("/my/invoices?year=2025&status=duplicate_invoice")).text()
    assert "25230000000000000101" not in none and "没有符合条件的发票" in none
    english = await (await client.get("/my/invoices?year=2025&lang=en")).text()
    assert "counted" in english and "Upload invoices" in english

    await switch_user(client, vouchers["b2"])
    html = await (await client.get("/my/invoices?year=2025")).text()
    assert "25230000000000000201" in html
    assert "25230000000000000101" not in html  # never another unit's invoices
    assert (await client.get("/my/invoices?year=20x5")).status == 400


async def test_only_buyer_accounts_have_the_invoice_page(
    client: Any, database_url: str, vouchers: dict[str, str]
) -> None:
    provider = await make_token(database_url, "P1", "provider")
    await switch_user(client, provider)
    answer = await client.get("/my/invoices")
    assert answer.status == 403
    assert "只有购买方账号可以查看和上传发票" in await answer.text()
    assert 'href="/my/invoices"' not in await (await client.get("/my")).text()
    client.session.cookie_jar.clear()
    answer = await client.get("/my/invoices", allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"].startswith("/login")


async def test_an_upload_with_a_bad_row_is_refused_in_chinese_and_stores_nothing(
    client: Any, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["b1"])
    csrf = csrf_of(await (await client.get("/my/invoices")).text())
    answer = await client.post("/my/invoices", data=upload_form(csrf, HEADER + BAD_ROWS))
    assert answer.status == 422  # the page again, with the API's status for a refused file
    html = await answer.text()
    assert "文件未被接受，未保存任何发票" in html
    rows = re.findall(r'data-label="行">([0-9]+)</td><td data-label="列">([^<]+)</td>', html)
    assert ("3", "number") in rows and ("3", "issued_on") in rows and ("3", "amount") in rows
    assert "2025-13-40" in html and "日期不存在" in html
    assert "不是以元为单位的金额" in html
    listed = await (await client.get("/my/invoices?year=2025")).text()
    assert "25230000000000000778" not in listed  # the good row of the refused file either

    checked = await client.post(
        "/my/invoices", data=upload_form(csrf, HEADER + GOOD_ROW, dry_run=True)
    )
    assert checked.status == 200
    assert "检查通过：1 张发票可以保存" in await checked.text()
    assert "25230000000000000777" not in await (await client.get("/my/invoices")).text()
    stored = await client.post("/my/invoices?year=2025", data=upload_form(csrf, HEADER + GOOD_ROW))
    html = await stored.text()
    assert "已保存 1 张发票" in html
    assert "25230000000000000777" in html  # listed below the answer, with its status
    again = await client.post("/my/invoices", data=upload_form(csrf, HEADER + GOOD_ROW))
    assert "均已上传过且内容相同" in await again.text()


async def test_an_upload_without_the_forms_token_is_refused(
    client: Any, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["b1"])
    answer = await client.post("/my/invoices", data=upload_form("forged", HEADER + GOOD_ROW))
    assert answer.status == 403
    assert "表单已过期" in await answer.text()
    resp = await client.get("/api/v1/invoices?year=2025", headers=bearer(vouchers["b1"]))
    numbers = [i["number"] for i in (await resp.json())["items"]]
    assert "25230000000000000777" not in numbers


async def test_the_unit_page_shows_expected_and_granted_awards(
    client: Any, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["b1"])
    html = await (await client.get("/my")).text()
    assert "本单位奖补" in html and "算力券" in html
    # 30% of 500,000 expected for 2025; nothing granted yet (no final statement).
    assert re.search(r"2025</td><td[^>]*>算力券</td><td[^>]*>150,000.00</td><td[^>]*>0.00<", html)
    assert 'href="/my/invoices"' in html


async def test_what_if_shows_the_difference_per_clause_and_unit(
    client: Any, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["b1"])
    assert (await client.get("/what-if")).status == 403
    await switch_user(client, vouchers["official"])
    form = await (await client.get("/what-if")).text()
    assert "clauses.compute_voucher.rate" in form and "算力券：补贴比例" in form
    html = await (await client.get("/what-if?path=clauses.compute_voucher.rate&value=0.20")).text()
    # B1: 150,000.00 at 30%, 100,000.00 at 20%; B3: 90,000.02 → 60,000.01.
    assert re.search(r"<code>B1</code>.*?150,000.00.*?100,000.00.*?-50,000.00", html, re.S)
    assert "240,000.02" in html and "160,000.01" in html  # the clause totals
    bad = await (await client.get("/what-if?path=clauses.compute_voucher.rate&value=1.5")).text()
    assert "参数值无效" in bad and "must be between 0 and 1" in bad
    odd = await (
        await client.get("/what-if?path=clauses.compute_voucher.rate&value=0.2&from=2025-02-30")
    ).text()
    assert "not a valid date" in odd
    unknown = await (await client.get("/what-if?path=valid_from&value=2020-01-01")).text()
    assert "参数值无效" in unknown


async def test_changes_since_the_last_statement_show_the_new_invoice_and_the_award_it_moves(
    client: Any, database_url: str, vouchers: dict[str, str]
) -> None:
    await switch_user(client, vouchers["official"])
    assert "尚未生成过结算单" in await (await client.get("/changes")).text()
    resp = await client.post(
        "/api/v1/statements/runs", json={"clause": "compute_voucher", "period": "2025"},
        headers=bearer(vouchers["official"]),
    )  # fmt: skip
    assert resp.status == 200, await resp.text()
    quiet = await (await client.get("/changes")).text()
    assert "没有金额发生变化" in quiet and "发票没有变化" in quiet

    # B2 (300,000.00 so far, not above the threshold) uploads one more 2025 invoice.
    await switch_user(client, vouchers["b2"])
    assert (await client.get("/changes")).status == 403
    body = HEADER + f"25230000000000000999,{SELLER},2025-11-11,100000.00\n"
    r = await client.post(
        "/api/v1/invoices", data=body.encode(),
        headers={**bearer(vouchers["b2"]), "Content-Type": "text/csv"},
    )  # fmt: skip
    assert r.status in (200, 201), await r.text()
    # The key provider confirms the sale: only then does it count.
    provider = await make_token(database_url, "P1", "provider")
    sale = {
        "number": "25230000000000000999",
        "buyer": "12230000MB0000011U",
        "issued_on": "2025-11-11",
        "amount": "100000.00",
        "accelerator_hours": "10",
    }
    r = await client.post(
        "/api/v1/sales-reports", json={"reports": [sale]}, headers=bearer(provider)
    )
    assert r.status in (200, 201), await r.text()

    await switch_user(client, vouchers["official"])
    html = await (await client.get("/changes")).text()
    # B2 now spends 400,000.00: 120,000.00 from nothing; one invoice added for 100,000.00.
    assert re.search(r"<code>B2</code>.*?0.00.*?120,000.00.*?\+120,000.00", html, re.S)
    assert re.search(r"<code>B2</code></td><td[^>]*>1</td><td[^>]*>100,000.00", html)
    english = await (await client.get("/changes?lang=en")).text()
    assert "Awards that would change" in english


async def test_a_final_statement_is_granted_on_the_unit_page_and_charted_on_the_dashboard(
    client: Any, database_url: str, vouchers: dict[str, str]
) -> None:
    resp = await client.post(
        "/api/v1/statements/runs", json={"as_of": "2026-03-31"},
        headers=bearer(vouchers["official"]),
    )  # fmt: skip
    [item] = [i for i in (await resp.json())["items"] if i["statement"]]
    await switch_user(client, vouchers["official"])
    drafted = await (await client.get("/dashboard")).text()
    chart = re.search(r"各条款奖补金额.*?</svg>", drafted, re.S)
    assert chart and "算力券: 24" in chart.group(0)  # 240,000.02 yuan as 万元, a forecast
    assert "测算草稿" in chart.group(0) and "已拨付" in chart.group(0)
    await set_status(database_url, item["statement"], "final")
    await switch_user(client, vouchers["b1"])
    html = await (await client.get("/my")).text()
    assert re.search(
        r"2025</td><td[^>]*>算力券</td><td[^>]*>150,000.00</td><td[^>]*>150,000.00<", html
    )
    await switch_user(client, vouchers["b2"])
    assert "150,000.00" not in await (await client.get("/my")).text()  # B1's, not B2's


@pytest.fixture
async def declared(client: Any, database_url: str) -> dict[str, str]:
    """U1's verified centre C1, whose unit declares more capacity; tokens."""
    await load_registry(
        database_url,
        {"units": [unit("U1", CREDIT["U1"])], "computing_centers": [center("C1", "U1")]},
    )
    tokens = {
        "center": await make_token(database_url, "U1", "center"),
        "official": await make_token(database_url, "GOV", "official"),
    }
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "100"}},
        headers=bearer(tokens["center"]),
    )
    assert r.status == 202, await r.text()
    return tokens


async def test_officials_accept_a_declaration_from_the_review_queue(
    client: Any, declared: dict[str, str]
) -> None:
    await switch_user(client, declared["center"])
    assert (await client.get("/reviews")).status == 403
    await switch_user(client, declared["official"])
    dashboard = await (await client.get("/dashboard")).text()
    assert re.search(r'class="value">1</span><span class="label">待审核申报', dashboard)
    assert "各条款奖补金额" in dashboard
    html = await (await client.get("/reviews")).text()
    assert "C1" in html and "FP16 100" in html and "FP16 60" in html
    entry = re.search(r'action="/reviews/([0-9]+)/accept"', html)
    assert entry
    path = f"/reviews/{entry.group(1)}/accept"
    refused = await client.post(path, data={"csrf": "forged"}, allow_redirects=False)
    assert refused.status == 403
    answer = await client.post(path, data={"csrf": csrf_of(html)}, allow_redirects=False)
    assert answer.status == 303
    after = await (await client.get(answer.headers["Location"])).text()
    assert f"已接受申报 {entry.group(1)}" in after and "没有待审核的申报" in after
    r = await client.get("/api/v1/computing-centers/C1", headers=bearer(declared["official"]))
    assert (await r.json())["capacity_pflops"] == {"FP16": "100"}
    audit = await client.get("/api/v1/audit?object_type=pending_change", headers=bearer(
        declared["official"]))  # fmt: skip
    assert "accept" in [e["action"] for e in (await audit.json())["items"]]
    twice = await client.post(path, data={"csrf": csrf_of(html)}, allow_redirects=False)
    assert twice.status == 409 and "未作改动" in await twice.text()


async def test_a_units_deletion_waits_in_the_queue_and_goes_when_accepted(
    client: Any, declared: dict[str, str]
) -> None:
    r = await client.delete("/api/v1/computing-centers/C1", headers=bearer(declared["center"]))
    assert r.status == 202, await r.text()
    await switch_user(client, declared["official"])
    html = await (await client.get("/reviews")).text()
    assert "申请删除（接受即删除）" in html and "FP16 60" in html
    entry = re.search(r'action="/reviews/([0-9]+)/accept"', html)
    assert entry
    answer = await client.post(
        f"/reviews/{entry.group(1)}/accept", data={"csrf": csrf_of(html)}, allow_redirects=False
    )
    assert answer.status == 303
    r = await client.get("/api/v1/computing-centers/C1", headers=bearer(declared["official"]))
    assert r.status == 404


async def test_a_rejection_needs_a_reason_and_keeps_the_verified_value(
    client: Any, declared: dict[str, str]
) -> None:
    await switch_user(client, declared["official"])
    html = await (await client.get("/reviews")).text()
    entry = re.search(r'action="/reviews/([0-9]+)/reject"', html)
    assert entry
    path = f"/reviews/{entry.group(1)}/reject"
    empty = await client.post(path, data={"csrf": csrf_of(html), "comment": " "})
    assert empty.status == 422 and "请填写驳回理由" in await empty.text()
    answer = await client.post(
        path, data={"csrf": csrf_of(html), "comment": "请提供测试报告"}, allow_redirects=False
    )
    assert answer.status == 303
    r = await client.get("/api/v1/reviews?status=rejected", headers=bearer(declared["center"]))
    items = (await r.json())["items"]
    assert [i["comment"] for i in items] == ["请提供测试报告"]
    r = await client.get("/api/v1/computing-centers/C1", headers=bearer(declared["official"]))
    assert (await r.json())["capacity_pflops"] == {"FP16": "60"}


async def test_a_stale_declaration_is_marked_and_offers_only_rejection(
    client: Any, declared: dict[str, str]
) -> None:
    r = await client.patch(
        "/api/v1/computing-centers/C1",
        json={"capacity_pflops": {"FP16": "70"}},
        headers=bearer(declared["official"]),
    )
    assert r.status == 200, await r.text()
    await switch_user(client, declared["official"])
    html = await (await client.get("/reviews?lang=en")).text()
    assert "object changed since; reject only" in html
    assert "/accept" not in html and "/reject" in html
