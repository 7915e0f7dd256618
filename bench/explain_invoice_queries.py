"""The plans PostgreSQL picks for the queries that read invoices, on a table of some size.

Run: .venv/bin/python bench/explain_invoice_queries.py [--invoices 200000]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

A fresh database is migrated and filled with invoices of 20 buyers from 5 sellers (one number
in 50 claimed by two buyers) in two uploads (the second holds the newest tenth) and a sales
report for one invoice in 10, analysed, and each
query is compiled from the code that runs it and EXPLAINed (plans only, no timing). Each line
says which index the plan reads, or "SEQ SCAN" when it reads the whole table. The database is
dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import exists, func, select, text
from sqlalchemy.dialects import postgresql

from bench.bench_invoices import PACKAGES, drop_database, fresh_database
from collectors.invoices import claim_count, listing, store
from collectors.invoices.models import Invoice, SalesReport
from incentives.evidence import ALL_INVOICES, invoice_query
from incentives.statements.queries import evidence_invoices
from registry.db import create_engine
from registry.migrate import upgrade
from registry.models import Unit

BUYERS, SELLERS = 20, 5


def _sql(statement: Any) -> str:
    compiled = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


async def fill(url: str, invoices: int) -> dict[str, Any]:
    """Units, one upload, the invoices and some sales reports; ANALYZE."""
    driver_url = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    import asyncpg

    con = await asyncpg.connect(driver_url)
    try:
        units = [
            await con.fetchval(
                "INSERT INTO units (code, name, credit_code, kind, in_province, dishonest, "
                "created_at, updated_at, code_key) "
                "VALUES ($1, $1, $2, 'enterprise', true, false, now(), now(), $1) RETURNING id",
                f"U{k}",
                f"91230100MA1X{k:05d}Z",
            )
            for k in range(BUYERS + SELLERS)
        ]
        buyers, sellers = units[:BUYERS], units[BUYERS:]
        uploads = [
            await con.fetchval(
                "INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, stored_count, "
                "created_at) VALUES ('bench', '', 0, 0, now()) RETURNING id"
            )
            for _ in range(2)
        ]
        rows = []
        last = invoices * 9 // 10  # the last upload: the newest tenth of the invoices
        for n in range(invoices):
            upload = uploads[n >= last]
            number = f"2523{(n * 7919) % invoices:016d}"  # not in order of the key
            buyer = buyers[n % BUYERS]
            rows.append((number, None, buyer, sellers[n % SELLERS], dt.date(2025, 1 + n % 12, 1),
                         100 + n % 9000, "blue", None, upload, n + 2))  # fmt: skip
            if n % 50 == 0:
                rows.append((number, None, buyers[(n + 1) % BUYERS], sellers[n % SELLERS],
                             dt.date(2025, 1 + n % 12, 1), 100 + n % 9000, "blue", None,
                             upload, n + 2))  # fmt: skip
        await con.copy_records_to_table(
            "invoices", records=rows, columns=[name for name, _ in store.INSERTED]
        )
        reports = [
            (r[3], r[0], "x", r[4], r[5], 1, "bench") for r in rows[:: 10]
        ]  # fmt: skip
        await con.executemany(
            "INSERT INTO sales_reports (seller_unit_id, number, buyer_credit_code, issued_on, "
            "amount_fen, accelerator_hours, reported_by, reported_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT DO NOTHING",
            reports,
        )
        await con.execute("ANALYZE")
        floor = await con.fetchval("SELECT min(id) FROM invoices WHERE upload_id = $1", upload)
        ids = [
            r["id"]
            for r in await con.fetch(
                "SELECT id FROM invoices WHERE buyer_unit_id = $1 ORDER BY random() LIMIT 50",
                buyers[3],
            )
        ]
        upload_buyers = [
            r[0]
            for r in await con.fetch(
                "SELECT DISTINCT buyer_unit_id FROM invoices WHERE upload_id = $1", upload
            )
        ]
        return {"buyer": buyers[3], "buyer_code": "U3", "seller": sellers[1], "upload": upload,
                "ids": ids, "numbers": [r[0] for r in rows[1000:1050]], "floor": floor,
                "upload_buyers": upload_buyers}  # fmt: skip
    finally:
        await con.close()


def queries(k: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, SQL) of each query, compiled from the code that runs it."""
    buyer, ids, numbers = k["buyer"], k["ids"], k["numbers"]
    page = listing._page_query([Invoice.buyer_unit_id == buyer]).limit(50).offset(0)
    count = select(func.count()).select_from(Invoice).where(Invoice.buyer_unit_id == buyer)
    stored = store._STORED.params(buyers=[buyer], numbers=numbers)
    has_stored = select(Unit.id).where(
        Unit.id.in_([buyer]), exists().where(Invoice.buyer_unit_id == Unit.id)
    )
    statement_invoices = evidence_invoices(k["buyer_code"], ids)
    buyers = f"({', '.join(map(str, k['upload_buyers']))})"

    def counted(query: Any) -> str:
        return (
            str(query)
            .replace(":floor", str(k["floor"]))
            .replace("(__[POSTCOMPILE_buyers])", buyers)
            .replace(":upload", str(k["upload"]))
        )

    return [
        ("buyer listing, one page (collectors/invoices/listing.py)", _sql(page)),
        ("buyer listing, its count", _sql(count)),
        ("claims of a page's numbers, confirmed or not (invoice_judge._ledger)",
         _sql(invoice_query().where(Invoice.number.in_(numbers)))),
        ("a buyer's numbers for its counted total (invoice_judge.counted_total)",
         _sql(select(Invoice.number, Invoice.reverses).where(Invoice.buyer_unit_id == buyer))),
        ("statement facts: a voucher line's invoices by id (statements/queries.py)",
         _sql(statement_invoices)),
        ("upload: does a buyer have invoices stored (store._Comparer)", _sql(has_stored)),
        ("upload: the buyer's stored invoices of a chunk's numbers (store._STORED)",
         _sql(stored)),
        ("upload: duplicate claims of the upload, probed (claim_count.PROBED)",
         counted(claim_count.PROBED)),
        ("upload: duplicate claims of the upload, hashed (claim_count.HASHED; when the upload "
         "is most of the table)", counted(claim_count.HASHED)),
        ("live facts: every invoice in claim order (incentives/evidence.py)", ALL_INVOICES),
        ("sales report confirmations of a number (SalesReport by number)",
         _sql(select(SalesReport.id).where(SalesReport.number.in_(numbers)))),
    ]  # fmt: skip


def _index(line: str) -> str:
    """The index a plan line reads, if any."""
    if " using " in line:
        return line.split(" using ")[1].split(" on ")[0].split()[0]
    if "Bitmap Index Scan on " in line:
        return line.split("Bitmap Index Scan on ")[1].split()[0]
    return ""


async def explain(url: str, items: list[tuple[str, str]]) -> None:
    """Print each query's plan, and which indexes it reads."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            for what, sql in items:
                plan = [r[0] for r in await conn.execute(text("EXPLAIN " + sql))]
                used = sorted({_index(line) for line in plan if _index(line)})
                seq = [line.strip() for line in plan if "Seq Scan on invoices" in line]
                print(f"== {what}: {', '.join(used) or '-'}{'  SEQ SCAN' if seq else ''}")
                for line in plan:
                    print("   " + line)
    finally:
        await engine.dispose()


def main() -> int:
    """Fill, explain, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    url = fresh_database(args.database_url, Path("."), args.invoices)
    try:
        upgrade(url, PACKAGES)
        keys = asyncio.run(fill(url, args.invoices))
        print(f"{args.invoices:,} invoices of {BUYERS} buyers (one number in 50 claimed twice), "
              "a sales report for one in 10, analysed")  # fmt: skip
        asyncio.run(explain(url, queries(keys)))
    finally:
        drop_database(args.database_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
