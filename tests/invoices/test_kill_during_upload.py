"""Loss-free: SIGKILL in the middle of invoice uploads leaves each one whole or absent."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import time
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import text

from registry.db import create_engine
from tests.invoices.conftest import B1, B2, P1, Tokens
from tests.server_process import ServerProcess

ROWS = 60_000
STORING = b"checking and storing"


def invoice_file(buyer: str, first: int, count: int) -> bytes:
    """A CSV of `count` invoices numbered from `first`."""
    lines = ["number,buyer,seller,issued_on,amount,kind,reverses"]
    for n in range(first, first + count):
        day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        lines.append(f"2523{n:016d},{buyer},{P1},{day},{100 + n % 997}.{n % 100:02d},blue,")
    return ("\n".join(lines) + "\n").encode()


def post(server: ServerProcess, token: str, body: bytes) -> dict[str, Any]:
    """Upload a file; raises OSError when the server dies under it."""
    request = urllib.request.Request(
        server.url + "/api/v1/invoices",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.load(r)  # type: ignore[no-any-return]


def send_half(server: ServerProcess, token: str, body: bytes) -> http.client.HTTPConnection:
    """Start an upload and send only half of its body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/v1/invoices")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "text/csv")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    return conn


def wait_for_log(log: Path, marker: bytes, seen: int, timeout: float = 60) -> None:
    """Block until the server's log shows `marker` more than `seen` times."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_bytes().count(marker) > seen:
            return
        time.sleep(0.005)
    raise AssertionError(f"the server never logged {marker!r}")


async def stored_by_upload(database_url: str) -> tuple[dict[str, int], list[tuple[int, int, int]]]:
    """Invoices per buyer credit code, and (upload, stored_count, invoices found) per upload."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            per_buyer = await conn.execute(
                text(
                    "SELECT u.credit_code, count(*) FROM invoices i "
                    "JOIN units u ON u.id = i.buyer_unit_id GROUP BY u.credit_code"
                )
            )
            uploads = await conn.execute(
                text(
                    "SELECT up.id, up.stored_count, count(i.id) FROM invoice_uploads up "
                    "LEFT JOIN invoices i ON i.upload_id = up.id GROUP BY up.id, up.stored_count"
                )
            )
            return dict(per_buyer.tuples().all()), list(uploads.tuples().all())
    finally:
        await engine.dispose()


async def claims(database_url: str) -> tuple[int, int]:
    """First claims (the lowest id of each number), and distinct invoice numbers stored."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(
                text(
                    "SELECT count(*) FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoices o "
                    "WHERE o.number = i.number AND o.id < i.id)"
                )
            )
            numbers = await conn.scalar(text("SELECT count(DISTINCT number) FROM invoices"))
            return int(first or 0), int(numbers or 0)
    finally:
        await engine.dispose()


async def test_sigkill_mid_upload_then_retry_counts_every_invoice_once(
    database_url: str, tokens: Tokens, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    server = ServerProcess(database_url, log)
    small = invoice_file(B1, 0, 5_000)
    b1_file = invoice_file(B1, 100_000, ROWS)
    b2_file = invoice_file(B2, 100_000 + ROWS // 2, ROWS)  # half of its numbers are B1's too
    await asyncio.to_thread(server.start)
    try:
        # 1. Killed while the body is still arriving.
        conn = await asyncio.to_thread(send_half, server, tokens.b1, small)
        await asyncio.to_thread(server.kill)
        conn.close()
        # 2. Killed while two uploads are being checked and stored.
        await asyncio.to_thread(server.start)
        seen = log.read_bytes().count(STORING)
        with ThreadPoolExecutor(2) as pool:
            uploads: list[Future[dict[str, Any]]] = [
                pool.submit(post, server, tokens.b1, b1_file),
                pool.submit(post, server, tokens.b2, b2_file),
            ]
            await asyncio.to_thread(wait_for_log, log, STORING, seen)
            await asyncio.to_thread(server.kill)
            for upload in uploads:
                with contextlib.suppress(OSError):  # the server died under it, as meant
                    upload.result(timeout=60)

        per_buyer, per_upload = await stored_by_upload(database_url)
        assert per_buyer.get(B1, 0) in (0, ROWS)
        assert per_buyer.get(B2, 0) in (0, ROWS)
        assert all(stored == found for _, stored, found in per_upload)

        # 3. After restart every retry completes, and each invoice is stored exactly once.
        await asyncio.to_thread(server.start)
        results = [
            await asyncio.to_thread(post, server, token, body)
            for token, body in ((tokens.b1, small), (tokens.b1, b1_file), (tokens.b2, b2_file))
        ]
    finally:
        await asyncio.to_thread(server.stop)
    rows = [5_000, ROWS, ROWS]
    assert [r["stored"] + r["unchanged"] for r in results] == rows
    per_buyer, per_upload = await stored_by_upload(database_url)
    assert per_buyer == {B1: 5_000 + ROWS, B2: ROWS}
    assert all(stored == found for _, stored, found in per_upload)
    assert sum(stored for _, stored, _ in per_upload) == 5_000 + 2 * ROWS
    first, numbers = await claims(database_url)
    assert first == numbers == 5_000 + ROWS + ROWS // 2
