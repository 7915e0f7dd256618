"""Migration 0016 (code keys) over a registry of 100,000 5G sites; print how long it takes.

Usage: python bench/bench_code_keys.py [--rows 100000] [--database-url URL]
A PostgreSQL URL must name an empty database of its own (the script fills and leaves it).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.db import create_engine
from registry.migrate import downgrade, upgrade

PACKAGES = ("registry",)
SITES = sa.table(
    "five_g_sites",
    *(sa.column(n) for n in ("code", "unit_id", "division", "latitude", "longitude")),
    *(sa.column(n) for n in ("bands", "status", "created_at", "updated_at")),
)


async def fill(url: str, rows: int) -> None:
    """Store `rows` sites of the seeded GOV unit, as they were before the revision."""
    now = dt.datetime.now(dt.UTC)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            unit_id = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'GOV'"))
            batch = [
                {"code": f"S{i:07d}", "unit_id": unit_id, "division": "哈尔滨市",
                 "latitude": 45.8, "longitude": 126.5, "bands": "[]",
                 "status": "operational", "created_at": now, "updated_at": now}
                for i in range(rows)
            ]  # fmt: skip
            for start in range(0, rows, 10_000):
                await conn.execute(SITES.insert(), batch[start : start + 10_000])
    finally:
        await engine.dispose()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        upgrade(url, PACKAGES)
        downgrade(url, PACKAGES, "0016_code_keys@-1")
        asyncio.run(fill(url, args.rows))
        started = time.perf_counter()
        upgrade(url, PACKAGES, "0016_code_keys")
        seconds = time.perf_counter() - started
    print(f"database: {url.split(':')[0]}")
    print(f"migration 0016_code_keys over {args.rows:,} 5G sites: {seconds:.2f} s "
          f"({args.rows / seconds:,.0f} rows/s)")  # fmt: skip


if __name__ == "__main__":
    main()
