"""Fixtures of the workbench tests: a client that signs in through the real form."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def sign_in(client: TestClient[Any, Any], token: str, next_path: str = "") -> Any:
    """Open the sign-in page and post the token, as a browser does; the last answer."""
    page = await client.get("/login")
    form = {"csrf": csrf_of(await page.text()), "token": token, "next": next_path}
    return await client.post("/login", data=form, allow_redirects=False)
