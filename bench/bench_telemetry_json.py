"""Benchmark JSON telemetry ingest against a plain-driver reference, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_telemetry_json.py [--db sqlite|postgresql|both]
         [--samples 1000000] [--batch 1000] [--clients 4] [--retry-every 50]

The service runs as `infra-incentives serve` in a child process on 127.0.0.1; the clients
post pre-built batches over HTTP with a `center` token. Every --retry-every'th batch is sent
a second time, and the script checks that it counts as duplicates and that the table holds
each sample exactly once. The reference inserts the same rows into the same schema in the
same run: sqlite3 executemany with a commit per batch, or asyncpg copy_records_to_table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade
from service.cli import MIGRATING_PACKAGES
from tests.helpers import CREDIT, center, unit
from tests.server_process import ServerProcess

FACILITIES = 20
METRICS = ("gpu_util", "gpu_mem_used", "gpu_power", "gpu_temp", "sm_clock",
           "mem_clock", "pcie_tx", "pcie_rx", "nvlink_tx", "nvlink_rx")  # fmt: skip
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Workload:
    """Batches as JSON bodies, and the same rows as tuples for the reference."""

    bodies: list[bytes]
    rows: list[list[tuple[int, str, str, dt.datetime, float]]]


def workload(samples: int, batch: int, center_ids: dict[str, int]) -> Workload:
    """Distinct series per batch (centre x metric x GPU), one timestamp per batch."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=20)
    bodies: list[bytes] = []
    rows: list[list[tuple[int, str, str, dt.datetime, float]]] = []
    for b in range(samples // batch):
        at = start + dt.timedelta(milliseconds=10 * b)
        stamp = at.isoformat().replace("+00:00", "Z")
        items: list[dict[str, Any]] = []
        batch_rows = []
        for i in range(batch):
            code = f"C{i % FACILITIES:02d}"
            metric = METRICS[(i // FACILITIES) % len(METRICS)]
            gpu = str(i // (FACILITIES * len(METRICS)))
            value = (b * 7 + i) % 1000 / 10
            items.append({"facility": code, "metric": metric, "value": value,
                          "time": stamp, "labels": {"gpu": gpu}})  # fmt: skip
            labels = json.dumps({"gpu": gpu}, separators=(",", ":"))
            batch_rows.append((center_ids[code], metric, labels, at, value))
        bodies.append(json.dumps({"samples": items}).encode())
        rows.append(batch_rows)
    return Workload(bodies, rows)


async def prepare(url: str) -> tuple[str, dict[str, int]]:
    """Migrate, register one unit with the centres, and make a centre token."""
    upgrade(url, MIGRATING_PACKAGES)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            sections = {
                "units": [unit("U1", CREDIT["U1"])],
                "computing_centers": [center(f"C{i:02d}", "U1") for i in range(FACILITIES)],
            }
            await import_sections(session, sections, Actor.cli("bench"))
            _, token = await create_key(session, "U1", "center", Actor.cli("bench"))
        async with engine.connect() as conn:
            ids = dict((await conn.execute(text("SELECT code, id FROM computing_centers"))).all())
    finally:
        await engine.dispose()
    return token, ids


async def count_stored(url: str) -> tuple[int, int]:
    """Raw samples stored, and the sum of the roll-ups' counts."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            raw = (await conn.execute(text("SELECT count(*) FROM telemetry_samples"))).scalar()
            rolled = (await conn.execute(text("SELECT sum(count) FROM telemetry_daily"))).scalar()
    finally:
        await engine.dispose()
    return int(raw or 0), int(rolled or 0)


async def post_all(
    base: str, token: str, bodies: list[bytes], clients: int, retry_every: int
) -> tuple[float, int, int, int]:
    """Send every batch from `clients` concurrent clients; return seconds and the answers."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(bodies)):
        queue.put_nowait(i)
    totals = {"accepted": 0, "duplicates": 0, "retried": 0}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def send(session: aiohttp.ClientSession, body: bytes) -> dict[str, int]:
        async with session.post(base + "/api/v1/telemetry", data=body, headers=headers) as r:
            if r.status != 200:
                raise RuntimeError(f"{r.status}: {(await r.text())[:500]}")
            return await r.json()  # type: ignore[no-any-return]

    async def client() -> None:
        timeout = aiohttp.ClientTimeout(total=300)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not queue.empty():
                i = queue.get_nowait()
                answer = await send(session, bodies[i])
                totals["accepted"] += answer["accepted"]
                totals["duplicates"] += answer["duplicates"]
                if retry_every and i % retry_every == 0:
                    again = await send(session, bodies[i])
                    if again != {"accepted": 0, "duplicates": answer["accepted"]}:
                        raise RuntimeError(f"batch {i} retried: {again} after {answer}")
                    totals["retried"] += again["duplicates"]

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return (
        time.perf_counter() - started,
        totals["accepted"],
        totals["duplicates"],
        totals["retried"],
    )


def reference_sqlite(schema_url: str, rows: list[list[tuple[Any, ...]]]) -> float:
    """Plain sqlite3: executemany per batch with a commit, into the same schema."""
    path = make_url(schema_url).database or ""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    stamped = [
        [(c, m, lab, at.strftime("%Y-%m-%d %H:%M:%S.%f"), v) for c, m, lab, at, v in batch]
        for batch in rows
    ]
    sql = (
        "INSERT INTO telemetry_samples (center_id, metric, labels, sampled_at, value) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    started = time.perf_counter()
    for batch in stamped:
        con.executemany(sql, batch)
        con.commit()
    seconds = time.perf_counter() - started
    con.close()
    return seconds


async def reference_postgresql(url: str, rows: list[list[tuple[Any, ...]]]) -> float:
    """asyncpg copy_records_to_table per batch, into the same schema."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    con = await asyncpg.connect(dsn)
    try:
        columns = ["center_id", "metric", "labels", "sampled_at", "value"]
        started = time.perf_counter()
        for batch in rows:
            await con.copy_records_to_table("telemetry_samples", records=batch, columns=columns)
        return time.perf_counter() - started
    finally:
        await con.close()


async def pg_database(admin: str, action: str, name: str) -> str:
    """Create or drop a scratch PostgreSQL database; returns its URL."""
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            if action == "create":
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def run(db: str, args: argparse.Namespace, scratch: Path) -> None:
    """One database: the service's rate, the reference's rate, their ratio, the checks."""
    tag = uuid.uuid4().hex[:8]
    if db == "sqlite":
        url = f"sqlite+aiosqlite:///{scratch / f'service-{tag}.sqlite3'}"
        ref_url = f"sqlite+aiosqlite:///{scratch / f'reference-{tag}.sqlite3'}"
    else:
        url = asyncio.run(pg_database(args.pg_admin, "create", f"bench_tel_{tag}"))
        ref_url = asyncio.run(pg_database(args.pg_admin, "create", f"bench_tel_ref_{tag}"))
    try:
        token, ids = asyncio.run(prepare(url))
        _, ref_ids = asyncio.run(prepare(ref_url))
        assert ids == ref_ids
        load = workload(args.samples, args.batch, ids)
        total = sum(len(b) for b in load.rows)
        server = ServerProcess(url, scratch / f"server-{tag}.log")
        server.start()
        try:
            seconds, accepted, dups, retried = asyncio.run(
                post_all(server.url, token, load.bodies, args.clients, args.retry_every)
            )
        finally:
            server.stop()
        raw, rolled = asyncio.run(count_stored(url))
        if db == "sqlite":
            ref_seconds = reference_sqlite(ref_url, load.rows)
        else:
            ref_seconds = asyncio.run(reference_postgresql(ref_url, load.rows))
        ref_raw, _ = asyncio.run(count_stored(ref_url))
    finally:
        if db == "postgresql":
            asyncio.run(pg_database(args.pg_admin, "drop", f"bench_tel_{tag}"))
            asyncio.run(pg_database(args.pg_admin, "drop", f"bench_tel_ref_{tag}"))
    rate, ref_rate = total / seconds, total / ref_seconds
    ok = accepted == total and dups == 0 and raw == total and rolled == total and ref_raw == total
    print(f"[{db}] {total:,} samples in batches of {args.batch} from {args.clients} clients")
    print(f"  service:   {seconds:8.2f} s  {rate:>10,.0f} samples/s (HTTP, JSON, auth, roll-ups)")
    print(f"  reference: {ref_seconds:8.2f} s  {ref_rate:>10,.0f} rows/s ({REFERENCE[db]})")
    print(f"  ratio service/reference: {rate / ref_rate:.2f} (aim: at least 0.50)")
    print(f"  retried batches: {retried:,} samples re-sent, all answered as duplicates")
    print(f"  stored once each: raw={raw:,} roll-up count={rolled:,} accepted={accepted:,} "
          f"-> {'OK' if ok else 'MISMATCH'}")  # fmt: skip
    if not ok:
        raise SystemExit(1)


REFERENCE = {
    "sqlite": "sqlite3 executemany, commit per batch",
    "postgresql": "asyncpg copy_records_to_table per batch",
}


def main() -> None:
    """Parse options and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--retry-every", type=int, default=50, help="0: no retries")
    parser.add_argument("--pg-admin", default=os.environ.get("BENCH_PG_ADMIN", PG_ADMIN))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-telemetry-") as scratch:
        for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            run(db, args, Path(scratch))


if __name__ == "__main__":
    main()
