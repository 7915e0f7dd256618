"""In a real browser: officials and units do their work through the pages, in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """The demo data in a running service, and one token per role."""
    import asyncio

    _, tokens = asyncio.run(load_demo(database_url))
    server = ServerProcess(database_url, tmp_path / "service.log")
    server.start()
    try:
        yield server, {role: token for role, _, token in tokens}
    finally:
        server.stop()


async def test_an_official_reads_the_dashboard_charts(
    demo: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, tokens = demo
    async with chromium() as browser:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = await signed_in_page(browser, server.url, tokens["official"], viewport)
            assert page.url.endswith("/dashboard")
            assert await page.locator("h1").inner_text() == "总览"
            # The demo's 5G sites are drawn per division: 13 divisions, one bar each.
            sites = page.locator("figure", has_text="各地市 5G 基站").locator("svg rect")
            assert await sites.count() == 13
            assert await page.locator("svg.chart").count() >= 3
            path = await screenshot(page, f"dashboard-{name}")
            assert path.stat().st_size > 10_000
            await page.context.close()


async def test_a_unit_sees_its_own_centres_and_not_the_dashboard(
    demo: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, tokens = demo
    async with chromium() as browser:
        page = await signed_in_page(browser, server.url, tokens["center"])
        assert page.url.endswith("/my")
        text = await page.locator("main").inner_text()
        assert "哈尔滨人工智能计算中心一期" in text
        answer = await page.goto(f"{server.url}/dashboard")
        assert answer is not None and answer.status == 403
        await screenshot(page, "unit-forbidden-desktop")


async def test_an_official_sees_what_changed_since_the_last_statement(
    demo: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, tokens = demo
    async with chromium() as browser:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = await signed_in_page(browser, server.url, tokens["official"], viewport)
            await page.goto(f"{server.url}/reviews")
            await page.click("a[href='/changes']")
            assert await page.locator("h1").inner_text() == "自上次核算以来的变化"
            headings = await page.locator("main h2").all_inner_texts()
            assert [h.split()[0] for h in headings] == [
                "金额影响",
                "登记信息变化",
                "发票变化（按购买方）",
            ]
            await screenshot(page, f"changes-{name}")
            await page.context.close()
