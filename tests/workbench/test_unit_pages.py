"""In a real browser: a unit uploads invoices from its page; officials review and ask what if."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from service.demo import load_demo
from tests.server_process import ServerProcess
from tests.workbench.browser import (
    DESKTOP,
    PHONE,
    chromium,
    needs_chromium,
    screenshot,
    signed_in_page,
)

pytestmark = needs_chromium
HEADER = "发票号码,销售方统一社会信用代码,开票日期,价税合计\n"


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """The demo data in a running service, and one token per role."""
    _, tokens = asyncio.run(load_demo(database_url))
    server = ServerProcess(database_url, tmp_path / "service.log")
    server.start()
    try:
        yield server, {role: token for role, _, token in tokens}
    finally:
        server.stop()


async def api(server: ServerProcess, token: str, method: str, path: str, body: Any = None) -> Any:
    """One call to the service's JSON API, as another program would make it."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, server.url + path, json=body, headers=headers) as resp,
    ):
        assert resp.status < 300, await resp.text()
        return await resp.json()


async def test_a_unit_uploads_invoices_from_its_page_and_reads_their_statuses(
    demo: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = demo
    seller = (await api(server, tokens["official"], "GET", "/api/v1/units/KP-HRB"))["credit_code"]
    buyer = (await api(server, tokens["official"], "GET", "/api/v1/units/UNI-HRB"))["credit_code"]
    bad = tmp_path / "有错误的发票.csv"
    bad.write_text(
        HEADER + f"25230000000000009001,{seller},2025-04-01,120000.00\n"
        f"25230000000000009002,{seller},2025年13月1日,80000.00\n",
        encoding="utf-8",
    )
    good = tmp_path / "发票.csv"
    good.write_text(
        HEADER + f"25230000000000009001,{seller},2025-04-01,120000.00\n"
        f"25230000000000009002,{seller},2025-06-18,380000.00\n",
        encoding="utf-8",
    )
    async with chromium() as browser:
        page = await signed_in_page(browser, server.url, tokens["buyer"])
        await page.click("nav.menu a[href='/my/invoices']")
        await page.wait_for_load_state()
        assert await page.locator("h1").inner_text() == "本单位发票"

        await page.set_input_files("#file", str(bad))
        await page.click("form[enctype='multipart/form-data'] button[type=submit]")
        await page.wait_for_load_state()
        refusal = await page.locator(".refused").inner_text()
        assert "文件未被接受，未保存任何发票" in refusal
        row = page.locator("table.errors tbody tr")
        assert await row.count() == 1
        cells = await row.first.locator("td").all_inner_texts()
        assert cells[0] == "3" and cells[1] == "开票日期"
        assert "日期不存在" in cells[2]

        # The provider reports one of the two: that one counts, the other waits.
        report = {"number": "25230000000000009002", "buyer": buyer, "issued_on": "2025-06-18",
                  "amount": "380000.00", "accelerator_hours": "2000"}  # fmt: skip
        await api(server, tokens["provider"], "POST", "/api/v1/sales-reports",
                  {"reports": [report]})  # fmt: skip
        await page.select_option("select[name=year]", "2025")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_load_state()
        await page.set_input_files("#file", str(good))
        await page.click("form[enctype='multipart/form-data'] button[type=submit]")
        await page.wait_for_load_state()
        assert "已保存 2 张发票" in await page.locator("p.ok").inner_text()
        listed = await page.locator("table.cards").inner_text()
        assert "25230000000000009001" in listed and "25230000000000009002" in listed
        assert "计入奖补" in listed and "服务商尚未报送" in listed
        listing = await api(server, tokens["buyer"], "GET", "/api/v1/invoices?year=2025")
        counted = f"{Decimal(listing['counted_total']):,.2f}"  # 380,000.00 on the demo
        assert await page.locator(".figure .value").inner_text() == counted
        await screenshot(page, "my-invoices-desktop")
        await page.click("nav.menu a[href='/my']")
        await page.wait_for_load_state()
        awards = await page.locator("main").inner_text()
        assert "本单位奖补" in awards and "算力券" in awards  # 30% of 380,000 above 300,000
        await screenshot(page, "my-awards-desktop")
        await page.context.close()

        phone = await signed_in_page(browser, server.url, tokens["buyer"], PHONE)
        await phone.goto(f"{server.url}/my/invoices?year=2025")
        assert "计入奖补" in await phone.locator("main").inner_text()
        await screenshot(phone, "my-invoices-phone")
        wide = await phone.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], wide  # nothing wider than the phone
        await phone.context.close()


async def test_an_official_reviews_a_declaration_and_asks_what_if(
    demo: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, tokens = demo
    centres = await api(server, tokens["center"], "GET", "/api/v1/computing-centers")
    code = centres["items"][0]["code"]
    await api(server, tokens["center"], "PATCH", f"/api/v1/computing-centers/{code}",
              {"capacity_pflops": {"FP16": "999"}})  # fmt: skip
    async with chromium() as browser:
        page = await signed_in_page(browser, server.url, tokens["official"], DESKTOP)
        await page.click("nav.menu a[href='/reviews']")
        await page.wait_for_load_state()
        card = page.locator("article.review", has_text=code)
        assert "FP16 999" in await card.inner_text()
        await screenshot(page, "reviews-desktop")
        await card.locator("form[action$='/accept'] button").click()
        await page.wait_for_load_state()
        assert "已接受申报" in await page.locator("p.ok").inner_text()
        assert await page.locator("article.review", has_text=code).count() == 0

        await page.click("nav.menu a[href='/what-if']")
        await page.wait_for_load_state()
        await page.select_option("select[name=path]", "clauses.computing_center_build.rate")
        await page.fill("input[name=value]", "0.2")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_load_state()
        text = await page.locator("main").inner_text()
        assert "算力中心建设补贴" in text and "合计" in text
        await screenshot(page, "what-if-desktop")
        await page.fill("input[name=value]", "2")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_load_state()
        assert "must be between 0 and 1" in await page.locator(".refused").inner_text()
        await page.context.close()
