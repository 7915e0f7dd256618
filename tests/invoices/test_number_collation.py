"""Migration 0017_invoice_numbers_c: invoice numbers compare byte by byte, rows kept both ways."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from registry.db import create_engine
from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES
from tests.conftest import bearer
from tests.invoices.conftest import B1, B2, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv, upload

ROWS = (
    f"25230000000000000002,{B1},{P1},2025-03-01,5.00,blue,",
    f"25230000000000000001,{B1},{P1},2025-03-02,6.00,blue,",
    f"25230000000000000001,{B2},{P1},2025-03-02,6.00,blue,",
)
COLUMNS = (("invoices", "number"), ("sales_reports", "number"))


async def _state(url: str) -> tuple[list[Any], list[str | None]]:
    """Every invoice as stored, and the collation of each number column (PostgreSQL)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = list(
                await conn.execute(
                    text(
                        "SELECT id, number, buyer_unit_id, amount_fen, upload_id, row "
                        "FROM invoices ORDER BY id"
                    )
                )
            )
            collations: list[str | None] = []
            if conn.dialect.name == "postgresql":
                for table, column in COLUMNS:
                    collations.append(
                        await conn.scalar(
                            text(
                                "SELECT collation_name FROM information_schema.columns "
                                "WHERE table_name = :t AND column_name = :c"
                            ),
                            {"t": table, "c": column},
                        )
                    )
            return rows, collations
    finally:
        await engine.dispose()


async def test_down_and_up_again_keeps_every_invoice(
    client: Any, tokens: Tokens, database_url: str
) -> None:
    r = await upload(client, tokens.admin, csv(HEADER_EN, *ROWS))
    assert r.status == 201, await r.text()
    stored, collations = await _state(database_url)
    assert len(stored) == 3
    postgresql = database_url.startswith("postgresql")
    assert collations == (["C", "C"] if postgresql else [])
    downgrade(database_url, MIGRATING_PACKAGES, "0016_invoice_keys")
    rows, collations = await _state(database_url)
    assert rows == stored
    assert collations == ([None, None] if postgresql else [])  # the database's default
    upgrade(database_url, MIGRATING_PACKAGES)
    rows, collations = await _state(database_url)
    assert rows == stored
    assert collations == (["C", "C"] if postgresql else [])
    # The keys hold as before: the same file again changes nothing; the claims are found.
    r = await upload(client, tokens.admin, csv(HEADER_EN, *ROWS))
    assert r.status == 200, await r.text()
    assert (await r.json())["unchanged"] == 3
    page = await client.get("/api/v1/invoices", headers=bearer(tokens.admin))
    items = (await page.json())["items"]
    claimed = sorted((i["number"][-1], i["buyer"], i["claimed_by_others"]) for i in items)
    assert claimed == [("1", "B1", True), ("1", "B2", True), ("2", "B1", False)]
