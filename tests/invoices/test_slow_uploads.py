"""A body that trickles in is cut off with 408 instead of holding a connection for ever."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from collectors.invoices import upload as upload_module
from tests.invoices.conftest import Tokens


async def trickle(client: Any, token: str, path: str) -> bytes:
    """Send the head of a large CSV upload and a few bytes, then the status line received."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\n"
        )
        writer.write(head.encode() + b"number,")
        await writer.drain()
        # The server must answer while the body is still 99,993 bytes short; the wait is a
        # guard against a hung test, not a timing assertion.
        return await asyncio.wait_for(reader.readline(), timeout=30)
    finally:
        writer.close()


@pytest.mark.parametrize("path", ["/api/v1/invoices", "/api/v1/sales-reports"])
async def test_a_trickling_upload_is_timed_out_with_408(
    client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setattr(upload_module, "GRACE_SECONDS", 0.2)
    monkeypatch.setattr(upload_module, "MIN_BYTES_PER_SECOND", 1000)
    token = tokens.b1 if path.endswith("invoices") else tokens.p1
    status = await trickle(client, token, path)
    assert status.startswith(b"HTTP/1.1 408"), status
