"""Where PostgreSQL's time goes when telemetry groups are stored, statement by statement.

Run: .venv/bin/python bench/profile_telemetry_pg.py [--groups 100] [--group 4000]
         [--prefill 2000000] [--path copy|set-based|both]

No HTTP and no JSON: groups of readings (1,000 series, one time per 1,000) go straight to
store_batches and a commit, in a scratch database, one writer. Each statement's wall time is
summed by kind (savepoint, COPY, roll-up upsert, the set-based statement, commit...), which
is the database's share of a group; the rest of a group's time is Python. `set-based` is the
statement every group used before COPY (INSERT ... ON CONFLICT DO NOTHING RETURNING with the
roll-ups in the same statement); `copy` is what a group uses now when nothing repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import event

from bench.bench_telemetry_json import (
    PG_ADMIN,
    _dsn,
    pg_database,
    prefill_service_postgresql,
    prepare,
    series_of,
)
from collectors.telemetry import store
from collectors.telemetry.samples import Reading
from registry.db import create_engine, session_factory

ZONE = ZoneInfo("Asia/Shanghai")


def kind(statement: str) -> str:
    """A short name for a statement."""
    words = statement.split()
    head = " ".join(words[:2]).upper()
    if "WITH GIVEN" in statement.upper():
        return "set-based insert + roll-ups (one statement)"
    if "telemetry_daily" in statement:
        return "roll-up upsert (unnest)"
    if "telemetry_series" in statement:
        return "series ids"
    return head


def groups(
    count: int, size: int, ids: dict[str, int], start: dt.datetime
) -> list[list[list[Reading]]]:
    """`count` groups of `size` samples in batches of 1,000, each batch one instant."""
    out = []
    for g in range(count):
        batches = []
        for b in range(size // 1000):
            at = start + dt.timedelta(milliseconds=10 * (g * 100 + b))
            batch = []
            for i in range(1000):
                code, metric, gpu = series_of(i)
                batch.append(Reading(ids[code], metric, f'{{"gpu":"{gpu}"}}', at, float(i)))
            batches.append(batch)
        out.append(batches)
    return out


async def profile(url: str, path: str, work: list[list[list[Reading]]]) -> None:
    """Store every group, timing each statement; print the sums."""
    engine = create_engine(url)
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        name = kind(statement)
        spent[name] += time.perf_counter() - conn.info.pop("started")
        calls[name] += 1

    copy = asyncpg.Connection.copy_records_to_table

    async def timed_copy(self: Any, *a: Any, **k: Any) -> Any:
        started = time.perf_counter()
        try:
            return await copy(self, *a, **k)
        finally:
            spent["COPY (binary)"] += time.perf_counter() - started
            calls["COPY (binary)"] += 1

    asyncpg.Connection.copy_records_to_table = timed_copy
    original = store._copy_new
    if path == "set-based":

        async def never(*a: Any) -> bool:
            return False

        store._copy_new = never  # type: ignore[assignment]
    sessions = session_factory(engine)
    total = 0.0
    try:
        for batches in work:
            started = time.perf_counter()
            async with sessions() as session:
                await store.store_batches(session, batches, ZONE)
                commit = time.perf_counter()
                await session.commit()
                spent["COMMIT"] += time.perf_counter() - commit
                calls["COMMIT"] += 1
            total += time.perf_counter() - started
    finally:
        store._copy_new = original
        asyncpg.Connection.copy_records_to_table = copy
        await engine.dispose()
    samples = sum(len(b) for g in work for b in g)
    rate, each = samples / total, total / len(work) * 1000
    print(f"  path {path}: {len(work)} groups, {samples:,} samples, {total:.2f} s, "
          f"{rate:,.0f} samples/s, {each:.1f} ms a group")  # fmt: skip
    database = sum(spent.values())
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"    {seconds:7.3f} s  {seconds / total:5.1%}  {calls[name]:6,}x  {name}")
    print(f"    {total - database:7.3f} s  {(total - database) / total:5.1%}          Python")


def main() -> None:
    """Parse options; profile each path in its own scratch database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--group", type=int, default=4000, help="samples a group")
    parser.add_argument("--prefill", type=int, default=0)
    parser.add_argument("--path", choices=["copy", "set-based", "both"], default="both")
    parser.add_argument("--pg-admin", default=PG_ADMIN)
    args = parser.parse_args()
    for path in ("set-based", "copy") if args.path == "both" else (args.path,):
        name = f"bench_telprof_{uuid.uuid4().hex[:8]}"
        url = asyncio.run(pg_database(args.pg_admin, "create", name))
        try:
            _, ids = asyncio.run(prepare(url))
            start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=20)
            if args.prefill:
                asyncio.run(prefill_service_postgresql(url, args.prefill, start, ids))
            print(f"[{path}] {args.prefill:,} samples stored before; dsn {_dsn(url)}")
            asyncio.run(profile(url, path, groups(args.groups, args.group, ids, start)))
        finally:
            asyncio.run(pg_database(args.pg_admin, "drop", name))


if __name__ == "__main__":
    main()
