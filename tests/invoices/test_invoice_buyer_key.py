"""On PostgreSQL the invoices' primary key is (buyer, id) and there is no index of ids alone
(migration 0018_invoice_buyer_key): every query that finds invoices by id names the buyer, so
none of them has to read the whole table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from collectors.invoices import claim_count, listing
from collectors.invoices.models import Invoice
from incentives.statements.queries import evidence_invoices
from registry.db import create_engine
from tests.conftest import load_registry
from tests.invoices.conftest import REGISTRY


def _sql(statement: Any) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def _plan(conn: AsyncConnection, sql: str, **params: Any) -> str:
    """The plan PostgreSQL picks when any index that can serve is taken over a full read."""
    await conn.execute(text("SET LOCAL enable_seqscan = off"))
    query = text("EXPLAIN " + sql)
    if "buyers" in params:
        query = query.bindparams(bindparam("buyers", expanding=True))
    rows = await conn.execute(query, params)
    return "\n".join(str(r[0]) for r in rows)


async def test_postgresql_finds_invoices_by_buyer_and_id_without_reading_the_table(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps its rowid and its buyer index")
    await load_registry(database_url, REGISTRY)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            units = dict((await conn.execute(text("SELECT code, id FROM units"))).tuples().all())
            upload = await conn.scalar(
                text(
                    "INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, stored_count, "
                    "created_at) VALUES ('test', '', 0, 0, now()) RETURNING id"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO invoices (number, buyer_unit_id, seller_unit_id, issued_on, "
                    'amount_fen, kind, upload_id, "row") '
                    "SELECT lpad(n::text, 20, '0'), "
                    "CASE WHEN n % 2 = 0 THEN CAST(:b1 AS integer) ELSE CAST(:b2 AS integer) END, "
                    "CAST(:p1 AS integer), DATE '2025-03-01', 100, 'blue', "
                    "CAST(:upload AS integer), n + 1 "
                    "FROM generate_series(1, 200) AS n"
                ),
                {"b1": units["B1"], "b2": units["B2"], "p1": units["P1"], "upload": upload},
            )
            await conn.execute(text("ANALYZE invoices"))
            indexes = {
                name: definition.split(" USING ", 1)[1]
                for name, definition in await conn.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'invoices'")
                )
            }
            assert indexes == {
                "pk_invoices": "btree (buyer_unit_id, id)",
                "uq_invoices_number_buyer_unit_id": "btree (number, buyer_unit_id)",
            }
            b1 = units["B1"]
            ids = [
                int(i)
                for i in await conn.scalars(
                    text("SELECT id FROM invoices WHERE buyer_unit_id = :b ORDER BY id LIMIT 5"),
                    {"b": b1},
                )
            ]
            by_buyer = Invoice.buyer_unit_id == b1
            plans = {
                "duplicate claims of an upload, probed": await _plan(
                    conn,
                    claim_count.PROBED.text,
                    buyers=[b1, units["B2"]],
                    floor=ids[0],
                    upload=upload,
                ),
                "a voucher line's invoices": await _plan(conn, _sql(evidence_invoices("B1", ids))),
                "a buyer's page": await _plan(
                    conn, _sql(listing._page_query([by_buyer]).limit(50))
                ),
                "a buyer's count": await _plan(
                    conn, _sql(select(func.count()).select_from(Invoice).where(by_buyer))
                ),
                "a buyer's numbers": await _plan(
                    conn, _sql(select(Invoice.number, Invoice.reverses).where(by_buyer))
                ),
            }
    finally:
        await engine.dispose()
    for what, plan in plans.items():
        assert "Seq Scan on invoices" not in plan, f"{what}:\n{plan}"
        assert "pk_invoices" in plan or "uq_invoices" in plan, f"{what}:\n{plan}"
