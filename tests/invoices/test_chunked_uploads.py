"""A file of several read chunks: each chunk's new rows are stored, stored ones left as they are."""

from __future__ import annotations

import io
from typing import Any

import pytest

from collectors.invoices.tables import CHUNK_ROWS
from service.settings import Settings
from tests.conftest import bearer
from tests.invoices.conftest import Tokens
from tests.invoices.test_bulk_statements import upload_in_two
from tests.invoices.test_invoice_upload import HEADER_EN, csv

ROWS = 2 * CHUNK_ROWS + 500  # two whole chunks and a short third


async def upload(client: Any, token: str, body: bytes) -> Any:
    """POST a large CSV body as a stream."""
    headers = {**bearer(token), "Content-Type": "text/csv"}
    return await client.post("/api/v1/invoices", data=io.BytesIO(body), headers=headers)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The test app with room for a body of some MiB."""
    return Settings(database_url=database_url, scheduler=False, max_body_mb=16)


async def test_a_re_upload_stores_the_new_rows_of_every_chunk_once(
    client: Any, tokens: Tokens, database_url: str
) -> None:
    # The first chunk and part of the second are stored first: the re-upload finds one chunk
    # with nothing new, one with some rows new and one with every row new.
    lines = await upload_in_two(upload, client, tokens.b1, database_url, ROWS, CHUNK_ROWS + 300)
    r = await upload(client, tokens.b1, csv(HEADER_EN, *lines))
    assert r.status == 200, (await r.text())[:2000]
    body = await r.json()
    assert (body["upload"], body["stored"], body["unchanged"]) == (None, 0, ROWS)
