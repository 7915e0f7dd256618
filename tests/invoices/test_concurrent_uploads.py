"""Concurrent uploads queue for the write transaction: none fails with 500."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, invoices, upload

UPLOADS = 12
ROWS = 300


def _file(k: int) -> bytes:
    lines = [
        f"2523{k:04d}{i:012d},{B1},{P1},2025-03-01,{i}.{k:02d},blue," for i in range(1, ROWS + 1)
    ]
    return csv(HEADER_EN, *lines)


async def test_twelve_concurrent_uploads_are_all_stored_or_told_to_retry(
    client: Any, tokens: Tokens
) -> None:
    files = [_file(k) for k in range(UPLOADS)]
    answers = await asyncio.gather(*(upload(client, tokens.b1, f) for f in files))
    statuses = [r.status for r in answers]
    for r in answers:
        if r.status == 503:
            assert r.headers["Retry-After"].isdigit()
    assert set(statuses) <= {201, 503}, [await r.text() for r in answers]
    stored = sum(1 for s in statuses if s == 201)
    assert stored >= 1
    assert len(await invoices(client, tokens.b1, "?limit=1")) == 1
    page = await client.get(
        "/api/v1/invoices?limit=1", headers={"Authorization": f"Bearer {tokens.b1}"}
    )
    assert (await page.json())["total"] == stored * ROWS


async def test_the_same_file_sent_four_times_at_once_is_stored_once(
    client: Any, tokens: Tokens
) -> None:
    # Each upload may find the rows new before another stores them; the (buyer, number) key
    # then refuses the bulk insert and the upload compares again: stored once, then unchanged.
    body = _file(0)
    answers = await asyncio.gather(*(upload(client, tokens.b1, body) for _ in range(4)))
    statuses = [r.status for r in answers]
    assert set(statuses) <= {200, 201, 503}, [await r.text() for r in answers]
    reports = [await r.json() for r in answers if r.status in (200, 201)]
    assert sum(r["stored"] for r in reports) == ROWS
    assert statuses.count(201) == 1
    assert all(r["unchanged"] == ROWS for r in reports if r["stored"] == 0)
    page = await client.get(
        "/api/v1/invoices?limit=1", headers={"Authorization": f"Bearer {tokens.b1}"}
    )
    assert (await page.json())["total"] == ROWS
