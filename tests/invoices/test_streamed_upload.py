"""Files of several chunks: on PostgreSQL a chunk is copied while the next is checked.

All or nothing still: an error in a later chunk stores nothing of the earlier ones, and two
uploads of the same invoices at once (in other orders) store each once, never a 500.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest

from collectors.invoices.tables import CHUNK_ROWS
from service.settings import Settings
from tests.conftest import bearer
from tests.invoices.conftest import B1, B2, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, upload

ROWS = 2 * CHUNK_ROWS + 5_000  # three chunks


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The test app with room for a body of some MiB."""
    return Settings(database_url=database_url, scheduler=False, max_body_mb=16)


def _line(i: int, amount: str | None = None) -> str:
    return f"2523{i:016d},{B1},{P1},2025-03-01,{amount or f'{i % 9000 + 1}.00'},blue,"


def _file(lines: list[str]) -> io.BytesIO:
    return io.BytesIO(csv(HEADER_EN, *lines))  # a stream: aiohttp warns of large bytes


async def _total(client: Any, token: str) -> int:
    r = await client.get("/api/v1/invoices?limit=1", headers=bearer(token))
    assert r.status == 200, await r.text()
    return int((await r.json())["total"])


async def test_an_error_in_the_last_chunk_stores_nothing_of_the_earlier_ones(
    client: Any, tokens: Tokens
) -> None:
    lines = [_line(i) for i in range(ROWS)]
    lines[ROWS - 10] = _line(ROWS - 10, "1.234")  # row ROWS - 8 (the header is row 1)
    lines[ROWS - 5] = lines[3]  # appears twice: first at row 5
    r = await upload(client, tokens.b1, _file(lines))
    assert r.status == 422, await r.text()
    errors = [(e["row"], e["field"]) for e in (await r.json())["errors"]]
    assert errors == [(ROWS - 8, "amount")]  # the file's own errors first, as on SQLite
    assert await _total(client, tokens.b1) == 0
    lines[ROWS - 10] = _line(ROWS - 10)
    r = await upload(client, tokens.b1, _file(lines))
    assert r.status == 422, await r.text()
    errors = [(e["row"], e["message"]) for e in (await r.json())["errors"]]
    assert errors == [(ROWS - 3, "appears twice in this upload (first at row 5)")]
    assert await _total(client, tokens.b1) == 0


async def test_changed_invoices_in_two_chunks_are_both_answered_and_nothing_is_stored(
    client: Any, tokens: Tokens
) -> None:
    lines = [_line(i) for i in range(ROWS)]
    r = await upload(client, tokens.b1, _file(lines[:3] + lines[-3:]))
    assert r.status == 201, await r.text()
    lines[1] = _line(1, "7.00")
    lines[-2] = _line(ROWS - 2, "7.00")
    r = await upload(client, tokens.b1, _file(lines))
    assert r.status == 422, await r.text()
    errors = [(e["row"], e["field"]) for e in (await r.json())["errors"]]
    assert errors == [(3, "amount"), (ROWS, "amount")]
    assert await _total(client, tokens.b1) == 6
    lines[1], lines[-2] = _line(1), _line(ROWS - 2)
    r = await upload(client, tokens.b1, _file(lines))
    assert r.status == 201, await r.text()
    answer = await r.json()
    assert (answer["stored"], answer["unchanged"]) == (ROWS - 6, 6)
    r = await upload(client, tokens.b1, _file(lines))
    assert r.status == 200, await r.text()
    assert ((await r.json())["stored"], await _total(client, tokens.b1)) == (0, ROWS)


async def test_one_buyers_uploads_of_the_same_invoices_in_other_orders_are_stored_once(
    client: Any, tokens: Tokens
) -> None:
    # Copied chunk by chunk, each would wait for a key the other holds: one buyer's uploads
    # queue for the write transaction instead, and the later one finds the rows stored.
    lines = [_line(i) for i in range(ROWS)]
    files = [_file(lines), _file(lines[::-1])]
    answers = await asyncio.gather(*(upload(client, tokens.b1, f) for f in files))
    statuses = sorted(r.status for r in answers)
    assert statuses == [200, 201], [(await r.text())[:2000] for r in answers]
    reports = [await r.json() for r in answers]
    assert sorted((r["stored"], r["unchanged"]) for r in reports) == [(0, ROWS), (ROWS, 0)]
    assert await _total(client, tokens.b1) == ROWS


async def test_an_officials_upload_against_a_buyers_own_never_fails_with_500(
    client: Any, tokens: Tokens
) -> None:
    # Not queued (several buyers): the official's copy may meet the buyer's keys (taken, or
    # deadlocked and aborted by PostgreSQL) at any chunk, also one whose new buyer (B2) is
    # looked up first; it then starts again on the careful path, or is told to send again.
    lines = [_line(i) for i in range(ROWS)]
    b2 = [f"2524{i:016d},{B2},{P1},2025-03-01,1.00,blue," for i in range(5_000)]
    official, own = _file(lines[::-1] + b2), _file(lines)
    answers = await asyncio.gather(
        upload(client, tokens.admin, official), upload(client, tokens.b1, own)
    )
    statuses = [r.status for r in answers]
    assert set(statuses) <= {200, 201, 409, 503}, [(await r.text())[:2000] for r in answers]
    assert 201 in statuses
    reports = [await r.json() for r in answers if r.status in (200, 201)]
    official_stored = answers[0].status in (200, 201)
    assert sum(r["stored"] for r in reports) == ROWS + (5_000 if official_stored else 0)
    assert await _total(client, tokens.b1) == ROWS
    assert await _total(client, tokens.admin) == ROWS + (5_000 if official_stored else 0)
