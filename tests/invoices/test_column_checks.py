"""Columns checked in one scan (plain ASCII, two-decimal amounts) give what cell checks give."""

from __future__ import annotations

from typing import Any

from tests.invoices.conftest import B1, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, invoices, upload


async def test_a_zero_amount_among_plain_amounts_is_named_by_row(
    client: Any, tokens: Tokens
) -> None:
    body = csv(
        HEADER_EN,
        f"25230000000000000001,{B1},{P1},2025-03-01,100.00,blue,",
        f"25230000000000000002,{B1},{P1},2025-03-01,0.00,blue,",
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 422, await r.text()
    errors = (await r.json())["errors"]
    assert [(e["row"], e["field"], e["message"]) for e in errors] == [
        (3, "amount", "must be more than 0.00")
    ]


async def test_padded_and_full_width_cells_beside_plain_ones_are_read_alike(
    client: Any, tokens: Tokens
) -> None:
    body = csv(
        HEADER_EN,
        f"25230000000000000001,{B1},{P1},2025-03-01,100.00,blue,",
        f" 25230000000000000002 ,{B1},{P1},2025-03-01, 1234.5 ,blue,",
        f"２５２３0000000000000003,{B1},{P1},2025-03-01,007.10,blue,",
    )
    r = await upload(client, tokens.b1, body)
    assert r.status == 201, await r.text()
    items = await invoices(client, tokens.b1)
    assert sorted((i["number"], i["amount"]) for i in items) == [
        ("25230000000000000001", "100.00"),
        ("25230000000000000002", "1234.50"),
        ("25230000000000000003", "7.10"),
    ]
