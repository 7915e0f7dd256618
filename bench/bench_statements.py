"""Benchmark one statement run over 10,000 buyers and 1,000,000 invoices stored in the database.

Run: .venv/bin/python bench/bench_statements.py [--db sqlite|postgresql] [--invoices N]
     [--buyers N] [--pg-admin postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

The data (bench_policy's generator: duplicates, red-letter invoices, unlisted sellers, a few
unconfirmed) is stored with the drivers' bulk inserts, with a sales report for each confirmed
invoice. Then a child process runs every clause's statements once (facts read from the
database, the rules, the facts kept, the lines written) and reports each phase's seconds and
its own peak resident memory, so generating the data does not count.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.engine.url import make_url

from bench.bench_policy import AS_OF, voucher_facts
from collectors.invoices.bulk import day_value, insert_rows
from registry.audit import Actor
from registry.credit_code import check_character
from registry.db import create_engine, session_factory
from registry.migrate import upgrade
from registry.models import KeyProviderListing, Unit

PACKAGES = ("registry", "collectors", "incentives")
INVOICE_COLUMNS = (
    ("number", "varchar"), ("code", "varchar"), ("buyer_unit_id", "integer"),
    ("seller_unit_id", "integer"), ("issued_on", "date"), ("amount_fen", "bigint"),
    ("kind", "varchar"), ("reverses", "varchar"), ("upload_id", "integer"), ("row", "integer"),
)  # fmt: skip
REPORT_COLUMNS = (
    ("seller_unit_id", "integer"), ("number", "varchar"), ("buyer_credit_code", "varchar"),
    ("issued_on", "date"), ("amount_fen", "bigint"), ("accelerator_hours", "numeric"),
    ("reported_by", "varchar"), ("reported_at", "timestamptz"),
)  # fmt: skip
BATCH = 50_000


def credit_code(i: int) -> str:
    """A valid unified social credit code of Harbin, one per i."""
    first = f"91230100{i:09d}"
    return first + check_character(first)


async def load(url: str, invoices: int, buyers: int) -> dict[str, Any]:
    """Store the generated units, listings, invoices and sales reports."""
    start = time.perf_counter()
    facts = voucher_facts(invoices, buyers)
    generated = time.perf_counter() - start
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            dialect = (await session.connection()).dialect.name
            rows = [
                {
                    "code": u.code,
                    "name": f"单位 {u.code}",
                    "credit_code": credit_code(n),
                    "kind": u.kind,
                    "in_province": u.in_province,
                    "dishonest": u.dishonest,
                }
                for n, u in enumerate(facts.units)
            ]
            await session.execute(insert(Unit), rows)
            ids = {
                code: (uid, credit)
                for code, uid, credit in (
                    await session.execute(text("SELECT code, id, credit_code FROM units"))
                ).tuples()
            }
            await session.execute(
                insert(KeyProviderListing),
                [
                    {"code": f"{k.unit}-L", "unit_id": ids[k.unit][0],
                     "listed_from": k.listed_from, "listed_until": k.listed_until}
                    for k in facts.key_providers
                ],
            )  # fmt: skip
            upload = (
                await session.execute(
                    text(
                        "INSERT INTO invoice_uploads (uploaded_by, filename, sha256, row_count, "
                        "stored_count, created_at) VALUES ('bench', 'bench', :sha, :n, :n, "
                        ":at) RETURNING id"
                    ),
                    {"sha": "0" * 64, "n": len(facts.invoices), "at": dt.datetime.now(dt.UTC)},
                )
            ).scalar_one()
            now = dt.datetime.now(dt.UTC)
            at = now if dialect == "postgresql" else now.isoformat()
            reported: set[tuple[str, str]] = set()
            for begin in range(0, len(facts.invoices), BATCH):
                chunk = facts.invoices[begin : begin + BATCH]
                inv_rows = []
                report_rows = []
                for n, inv in enumerate(chunk, begin):
                    day = day_value(dialect, inv.issued_on)
                    fen = int(inv.amount.scaleb(2))
                    inv_rows.append(
                        (inv.number, None, ids[inv.buyer][0], ids[inv.seller][0], day, fen,
                         inv.kind, inv.reverses, upload, n)
                    )  # fmt: skip
                    key = (inv.seller, inv.number)
                    if inv.confirmed and key not in reported:
                        reported.add(key)
                        report_rows.append(
                            (ids[inv.seller][0], inv.number, ids[inv.buyer][1], day, fen,
                             0, "bench", at)
                        )  # fmt: skip
                await insert_rows(session, "invoices", INVOICE_COLUMNS, inv_rows, True)
                await insert_rows(session, "sales_reports", REPORT_COLUMNS, report_rows, True)
    finally:
        await engine.dispose()
    return {
        "generate_seconds": round(generated, 1),
        "store_seconds": round(time.perf_counter() - start - generated, 1),
    }


async def run_once(url: str) -> dict[str, Any]:
    """One statement run of every clause as of bench_policy's day, timed by phase."""
    from incentives.policy import load_policy
    from incentives.statements.run import run_statements

    policy = load_policy()
    timings: dict[str, float] = {}
    engine = create_engine(url)
    start = time.perf_counter()
    try:
        async with session_factory(engine)() as session, session.begin():
            results = await run_statements(
                session, policy, AS_OF, Actor.cli("bench"), timings=timings
            )
    finally:
        await engine.dispose()
    total = time.perf_counter() - start
    return {
        "run_seconds": round(total, 2),
        **{f"{k}_seconds": round(v, 2) for k, v in timings.items()},
        "statements": sum(1 for r in results if r.statement_id),
        "lines": sum(r.lines for r in results),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


async def _pg(admin: str, sql: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--buyers", type=int, default=10_000)
    parser.add_argument(
        "--pg-admin", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--run-only", help=argparse.SUPPRESS)  # the child: a database URL
    args = parser.parse_args()
    if args.run_only:
        print(json.dumps(asyncio.run(run_once(args.run_only))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        name = f"bench_statements_{uuid.uuid4().hex[:8]}"
        if args.db == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        else:
            asyncio.run(_pg(args.pg_admin, f'CREATE DATABASE "{name}"'))
            url = make_url(args.pg_admin).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url, PACKAGES)
            loaded = asyncio.run(load(url, args.invoices, args.buyers))
            child = subprocess.run(
                [sys.executable, __file__, "--run-only", url],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            figures = {"db": args.db, "invoices": args.invoices, "buyers": args.buyers}
            figures |= loaded | json.loads(child.stdout.strip().splitlines()[-1])
            print(" ".join(f"{k}={v}" for k, v in figures.items()))
        finally:
            if args.db == "postgresql":
                asyncio.run(_pg(args.pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
