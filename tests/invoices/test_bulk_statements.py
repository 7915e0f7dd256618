"""Uploads written in several multi-row statements keep every value in its own row and column."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from collectors.invoices import bulk
from collectors.invoices.bulk import ROWS_PER_STATEMENT
from collectors.invoices.models import Invoice
from registry.db import create_engine, session_factory
from registry.models import Unit
from tests.invoices.conftest import B1, P1, P2, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, upload

ROWS = 2 * ROWS_PER_STATEMENT + 201  # two full statements and a short last one


def _line(n: int) -> tuple[str, tuple[Any, ...]]:
    """Row n of the file, and the invoice it should be stored as."""
    number = f"2523{n:016d}"
    seller = P2 if n % 3 else P1
    day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
    fen = 100 * (n + 1) + n % 100
    red = n % 7 == 6
    reverses = f"2523{n - 1:016d}" if red else ""
    kind = "red" if red else "blue"
    line = f"{number},{B1},{seller},{day},{fen // 100}.{fen % 100:02d},{kind},{reverses}"
    stored = (number, None, seller, day, fen, kind, reverses or None, n + 2)
    return line, stored


async def _stored(database_url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(
                    Invoice.number, Invoice.code, Unit.credit_code, Invoice.issued_on,
                    Invoice.amount_fen, Invoice.kind, Invoice.reverses, Invoice.row,
                )
                .join(Unit, Unit.id == Invoice.seller_unit_id)
                .order_by(Invoice.row)
            )  # fmt: skip
            return [(*r[:3], r[3].isoformat(), *r[4:]) for r in rows]
    finally:
        await engine.dispose()


async def upload_in_two(
    post: Callable[[Any, str, bytes], Awaitable[Any]],
    client: Any,
    token: str,
    database_url: str,
    rows: int,
    first: int,
) -> list[str]:
    """Upload the first rows of a file, then the whole: the second stores only the rest, each
    value where it belongs. Returns the file's lines."""
    lines, expected = zip(*(_line(n) for n in range(rows)), strict=True)
    r = await post(client, token, csv(HEADER_EN, *lines[:first]))
    assert r.status == 201, (await r.text())[:2000]
    r = await post(client, token, csv(HEADER_EN, *lines))
    assert r.status == 201, (await r.text())[:2000]
    body = await r.json()
    assert (body["rows"], body["stored"], body["unchanged"]) == (rows, rows - first, first)
    assert await _stored(database_url) == list(expected)
    return list(lines)


async def test_an_upload_of_several_statements_stores_each_value_where_it_belongs(
    client: Any, tokens: Tokens, database_url: str
) -> None:
    # The first 600 rows first: the second upload stores only the rows after them.
    await upload_in_two(upload, client, tokens.b1, database_url, ROWS, ROWS_PER_STATEMENT + 100)


async def test_an_older_sqlite_parameter_limit_makes_smaller_statements(
    client: Any, tokens: Tokens, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite before 3.32 allows 999 host parameters: 99 rows of 10 columns a statement.
    monkeypatch.setattr(bulk, "MAX_PARAMETERS", 999)
    lines, expected = zip(*(_line(n) for n in range(ROWS)), strict=True)
    r = await upload(client, tokens.b1, csv(HEADER_EN, *lines))
    assert r.status == 201, (await r.text())[:2000]
    assert (await r.json())["stored"] == ROWS
    assert await _stored(database_url) == list(expected)
