"""In a real browser: two officials take a statement from a run to public notice, in Chinese."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from service.demo import load_demo
from tests.conftest import make_token
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


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """The demo registry (no statements yet) in a running service; two officials' own keys."""
    _, tokens = asyncio.run(load_demo(database_url, life=False))
    alice = next(token for role, _, token in tokens if role == "official")
    bob = asyncio.run(make_token(database_url, "GOV", "official"))
    server = ServerProcess(database_url, tmp_path / "service.log")
    server.start()
    try:
        yield server, {"alice": alice, "bob": bob}
    finally:
        server.stop()


async def test_two_officials_take_a_statement_from_a_run_to_the_public_notice(
    demo: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    server, people = demo
    async with chromium() as browser:
        # Alice runs statements from the page and opens the computing-centre statement.
        alice = await signed_in_page(browser, server.url, people["alice"])
        await alice.goto(f"{server.url}/statements")
        assert await alice.locator("h1").inner_text() == "结算单"
        await alice.click("section.run button[type=submit]")
        await alice.wait_for_load_state()
        assert "已完成结算运行" in await alice.locator("[role=status]").inner_text()
        row = alice.locator("table.statements tr", has_text="智算中心和超算中心建设奖励").first
        await row.locator("a").click()
        await alice.wait_for_load_state()
        assert "草稿" in await alice.locator("h1").inner_text()

        # She reads the first line's explanation (ordered steps, in Chinese) and submits.
        first = alice.locator("table.lines tbody tr").first
        await first.locator("details summary").click()
        steps = first.locator("ol.steps li")
        assert await steps.count() >= 2
        assert any("\u4e00" <= ch <= "\u9fff" for ch in await steps.first.inner_text())
        amount = (await first.locator("td.num").inner_text()).strip()
        subject = (await first.locator("td").nth(2).inner_text()).strip()
        line_id = int((await first.locator("td").first.inner_text()).strip())
        await screenshot(alice, "statement-desktop")
        statement_url = alice.url
        await alice.click("button[data-action=submit]")
        await alice.wait_for_load_state()
        assert "已提交审核" in await alice.locator("[role=status]").inner_text()
        # Her own approval is refused on the page (four eyes), not with a server error.
        assert await alice.locator("button[data-action=approve]").count() == 1
        await alice.click("button[data-action=approve]")
        await alice.wait_for_load_state()
        assert "四眼原则" in await alice.locator("[role=alert]").inner_text()

        # Bob approves, downloads the Excel file, and publishes.
        bob = await signed_in_page(browser, server.url, people["bob"])
        await bob.goto(statement_url)
        await bob.click("button[data-action=approve]")
        await bob.wait_for_load_state()
        assert "已审批" in await bob.locator("h1").inner_text()
        async with bob.expect_download() as info:
            await bob.click("a[href$='format=xlsx&lang=zh']")
        download = await info.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert saved.suffix == ".xlsx"
        book = openpyxl.load_workbook(saved)
        found = [
            row
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            if row and row[0] == line_id and subject in row
        ]
        assert found, "the line is in the file"
        assert Decimal(str(found[0][8])).quantize(Decimal("0.01")) == Decimal(
            amount.replace(",", "")
        )
        await bob.click("button[data-action=publish]")
        await bob.wait_for_load_state()
        assert "公示中" in await bob.locator("h1").inner_text()
        phone = await signed_in_page(browser, server.url, people["bob"], PHONE)
        await phone.goto(statement_url)
        await phone.locator("table.lines tbody tr").first.locator("details summary").click()
        await screenshot(phone, "statement-phone")

        # Anyone sees it on the public notice page, without signing in.
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = await browser.new_context(viewport=viewport, locale="zh-CN")
            public = await context.new_page()
            answer = await public.goto(f"{server.url}/notice")
            assert answer is not None and answer.status == 200
            assert await public.locator("h1").inner_text() == "奖补资金公示"
            notice_row = public.locator("table.notice tbody tr", has_text=subject)
            assert await notice_row.count() == 1
            assert amount in await notice_row.inner_text()
            assert await public.locator("a[href='/login']").count() == 1
            await screenshot(public, f"notice-{name}")
            await context.close()
