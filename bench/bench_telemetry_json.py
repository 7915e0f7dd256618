"""Benchmark JSON telemetry ingest against a plain-driver reference, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_telemetry_json.py [--db sqlite|postgresql|both]
         [--samples 1000000] [--batch 1000] [--clients 4] [--retry-every 50]
         [--prefill 10000000] [--profile PATH]

The service runs as `infra-incentives serve` in a child process on 127.0.0.1; the clients
post pre-built batches over HTTP with a `center` token. Every --retry-every'th batch is sent
a second time, and the script checks that it counts as duplicates and that the table holds
each sample exactly once. The references insert the same rows in the same run, with the plain
driver (sqlite3 executemany with a commit per batch, or asyncpg copy_records_to_table per
batch), into two tables of their own database:

- plain: the table a user would write by hand, five columns and one unique index;
- old: the service's own sample table before series (migration 0002), for continuity.

--prefill stores that many samples (older than the workload's) first, with executemany or
COPY, in the service's tables and in both references, so the rates show whether ingest slows
as the tables grow. --profile runs the service under cProfile and prints where time goes.
Storage is reported in bytes a sample: the tables and indexes (SQLite dbstat, PostgreSQL
pg_total_relation_size).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import pstats
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from collectors.telemetry.partitions import create_sql, day_number
from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade
from service.demo import MIGRATING_PACKAGES
from tests.helpers import CREDIT, center, unit
from tests.server_process import ServerProcess

FACILITIES = 20
METRICS = ("gpu_util", "gpu_mem_used", "gpu_power", "gpu_temp", "sm_clock",
           "mem_clock", "pcie_tx", "pcie_rx", "nvlink_tx", "nvlink_rx")  # fmt: skip
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


Row = tuple[int, str, str, dt.datetime, float]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PLAIN_SQLITE = (
    "CREATE TABLE samples (center_id INTEGER NOT NULL, metric TEXT NOT NULL, "
    "labels TEXT NOT NULL, sampled_at TEXT NOT NULL, value REAL)",
    "CREATE UNIQUE INDEX samples_key ON samples (center_id, metric, labels, sampled_at)",
)
PLAIN_POSTGRESQL = (
    "CREATE TABLE samples (center_id INTEGER NOT NULL, metric TEXT NOT NULL, "
    "labels TEXT NOT NULL, sampled_at TIMESTAMPTZ NOT NULL, value DOUBLE PRECISION)",
    "CREATE UNIQUE INDEX samples_key ON samples (center_id, metric, labels, sampled_at)",
)
OLD = (  # telemetry_samples as migration 0002 made it, without the centres' foreign key
    "CREATE TABLE old_samples (id {id} PRIMARY KEY, center_id INTEGER NOT NULL, "
    "metric VARCHAR(200) NOT NULL, labels TEXT NOT NULL, sampled_at {time} NOT NULL, "
    "value {real}, UNIQUE (center_id, metric, labels, sampled_at))",
    "CREATE INDEX ix_old_samples_sampled_at ON old_samples (sampled_at)",
)
OLD_SQLITE = tuple(q.format(id="INTEGER", time="DATETIME", real="FLOAT") for q in OLD)
OLD_POSTGRESQL = tuple(
    q.format(id="BIGSERIAL", time="TIMESTAMPTZ", real="DOUBLE PRECISION") for q in OLD
)
COLUMNS = ["center_id", "metric", "labels", "sampled_at", "value"]


@dataclass
class Workload:
    """Batches as JSON bodies, and the same rows as tuples for the reference."""

    start: dt.datetime
    bodies: list[bytes]
    rows: list[list[Row]]


def series_of(i: int) -> tuple[str, str, str]:
    """The centre code, metric and GPU of the i-th sample of a batch: 1,000 series in all."""
    return (
        f"C{i % FACILITIES:02d}",
        METRICS[(i // FACILITIES) % len(METRICS)],
        str(i // (FACILITIES * len(METRICS))),
    )


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
            code, metric, gpu = series_of(i)
            value = (b * 7 + i) % 1000 / 10
            items.append({"facility": code, "metric": metric, "value": value,
                          "time": stamp, "labels": {"gpu": gpu}})  # fmt: skip
            labels = json.dumps({"gpu": gpu}, separators=(",", ":"))
            batch_rows.append((center_ids[code], metric, labels, at, value))
        bodies.append(json.dumps({"samples": items}).encode())
        rows.append(batch_rows)
    return Workload(start, bodies, rows)


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
            rows = await conn.execute(text("SELECT code, id FROM computing_centers"))
            ids: dict[str, int] = dict(rows.tuples().all())
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


def prefill_rows(count: int, start: dt.datetime, ids: dict[str, int]) -> Iterator[Row]:
    """`count` samples of the workload's 1,000 series at times before the workload's."""
    series = [series_of(i) for i in range(1000)]
    for t in range(-(-count // 1000)):
        at = start - dt.timedelta(milliseconds=5 * (t + 1))
        for i, (code, metric, gpu) in enumerate(series[: count - t * 1000]):
            yield ids[code], metric, f'{{"gpu":"{gpu}"}}', at, float(i)


def chunks(rows: Iterator[Row], size: int = 200_000) -> Iterator[list[Row]]:
    """Rows in lists of `size`, so a large prefill never sits in memory whole."""
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def sqlite_time(at: dt.datetime) -> str:
    """A time as the old schema stored it in SQLite (SQLAlchemy's format)."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _micros(at: dt.datetime) -> int:
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def prefill_narrow(count: int, start: dt.datetime, series: list[int]) -> Iterator[list[Any]]:
    """`count` narrow rows (series id, microseconds, value) in key order, in lists of 200,000."""
    times = -(-count // len(series))
    if times == 0:
        return
    first = _micros(start) - 5000 * times  # 5 ms apart, ending before the workload's
    per_chunk = max(1, 200_000 // times)
    for s in range(0, len(series), per_chunk):
        chunk = [
            (sid, first + 5000 * t, float(t % 1000))
            for sid in series[s : s + per_chunk]
            for t in range(times)
        ]
        yield chunk[: max(0, count - s * times)]


def _bench_series(ids: dict[str, int]) -> list[tuple[int, str, str]]:
    return [
        (ids[code], metric, f'{{"gpu":"{gpu}"}}')
        for code, metric, gpu in (series_of(i) for i in range(1000))
    ]


def prefill_service_sqlite(path: str, count: int, start: dt.datetime, ids: dict[str, int]) -> None:
    """Series and narrow samples straight into the service's tables, executemany."""
    con = sqlite3.connect(path)
    series = []
    for key in _bench_series(ids):
        sql = "INSERT INTO telemetry_series (center_id, metric, labels) VALUES (?, ?, ?)"
        series.append(int(con.execute(sql, key).lastrowid or 0))
    for chunk in prefill_narrow(count, start, series):
        con.executemany("INSERT INTO telemetry_samples VALUES (?, ?, ?)", chunk)
        con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the prefill's pages are not the ingest's
    con.close()


async def prefill_service_postgresql(
    url: str, count: int, start: dt.datetime, ids: dict[str, int]
) -> None:
    """Series and narrow samples straight into the service's tables, COPY."""
    con = await asyncpg.connect(_dsn(url))
    try:
        series = []
        for key in _bench_series(ids):
            sql = "INSERT INTO telemetry_series (center_id, metric, labels) VALUES ($1, $2, $3)"
            series.append(await con.fetchval(sql + " RETURNING id", *key))
        for chunk in prefill_narrow(count, start, series):
            # The service makes its daily partitions on demand; the prefill goes around it.
            for day in {day_number(chunk[0][1]), day_number(chunk[-1][1])}:
                await con.execute(create_sql(day))
            await con.copy_records_to_table("telemetry_samples", records=chunk)
        await con.execute("VACUUM ANALYZE telemetry_samples")
        await con.execute("CHECKPOINT")  # the prefill's dirty pages are not the ingest's cost
    finally:
        await con.close()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def reference_sqlite(
    path: str, ddl: tuple[str, ...], table: str, rows: list[list[Row]], prefill: Iterator[Row]
) -> float:
    """Plain sqlite3 into a table of its own: executemany per batch with a commit."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        con.execute(statement)
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
    for chunk in chunks(prefill):
        con.executemany(sql, [(c, m, lab, sqlite_time(at), v) for c, m, lab, at, v in chunk])
        con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stamped = [[(c, m, lab, sqlite_time(at), v) for c, m, lab, at, v in batch] for batch in rows]
    started = time.perf_counter()
    for batch in stamped:
        con.executemany(sql, batch)
        con.commit()
    seconds = time.perf_counter() - started
    con.close()
    return seconds


async def reference_postgresql(
    url: str, ddl: tuple[str, ...], table: str, rows: list[list[Row]], prefill: Iterator[Row]
) -> tuple[float, float]:
    """asyncpg copy_records_to_table per batch, into a table of its own; seconds, and the CPU
    seconds of its PostgreSQL backend meanwhile."""
    con = await asyncpg.connect(_dsn(url))
    try:
        for statement in ddl:
            await con.execute(statement)
        for chunk in chunks(prefill):
            await con.copy_records_to_table(table, records=chunk, columns=COLUMNS)
        await con.execute(f"VACUUM ANALYZE {table}")
        await con.execute("CHECKPOINT")
        backend = await con.fetchval("SELECT pg_backend_pid()")
        cpu = sum(cpu_split(backend))
        started = time.perf_counter()
        for batch in rows:
            await con.copy_records_to_table(table, records=batch, columns=COLUMNS)
        return time.perf_counter() - started, sum(cpu_split(backend)) - cpu
    finally:
        await con.close()


def sqlite_bytes(path: str, tables: tuple[str, ...]) -> int:
    """Bytes of the pages of some tables and their indexes."""
    con = sqlite3.connect(path)
    try:
        marks = ",".join("?" * len(tables))
        names = [
            name
            for (name,) in con.execute(
                f"SELECT name FROM sqlite_master WHERE tbl_name IN ({marks})", tables
            )
        ]
        marks = ",".join("?" * len(names))
        query = f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})"
        return int(con.execute(query, names).fetchone()[0] or 0)
    finally:
        con.close()


async def postgresql_bytes(url: str, tables: tuple[str, ...]) -> int:
    """Bytes of some tables with their indexes and TOAST."""
    con = await asyncpg.connect(_dsn(url))
    try:
        total = 0
        for table in tables:
            # A partitioned table holds nothing itself: its partitions are counted.
            total += await con.fetchval(
                "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) "
                "FROM pg_partition_tree($1)), pg_total_relation_size($1))",
                table,
            )
        return total
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


def backends_cpu(admin: str, database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to a database (Linux /proc)."""

    async def pids() -> list[int]:
        con = await asyncpg.connect(_dsn(admin))
        try:
            sql = "SELECT pid FROM pg_stat_activity WHERE datname = $1"
            return [pid for (pid,) in await con.fetch(sql, database)]
        finally:
            await con.close()

    return {pid: sum(cpu_split(pid)) for pid in asyncio.run(pids())}


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the backends spent between two readings (new backends counted whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def cpu_split(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process so far, apart (Linux /proc), or 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def sampler(command: str, pid: int) -> subprocess.Popen[bytes]:
    """py-spy (the executable named) sampling the service; collapsed stacks to py-spy-PID.txt."""
    out = f"py-spy-{pid}.txt"
    print(f"  py-spy samples of the service in {out}")
    spy = subprocess.Popen(
        [command, "record", "--pid", str(pid), "--format", "raw", "--rate", "500",
         "--output", out, "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1)  # py-spy attaches before the clients start
    return spy


def print_profile(path: Path) -> None:
    """The functions where the service spent its time, by their own time and cumulated."""
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats("collectors|json|registry|sqlite|asyncpg", 25)


def run(db: str, args: argparse.Namespace, scratch: Path) -> None:
    """One database: the service's rate, the references' rates, the ratios, the checks."""
    tag = uuid.uuid4().hex[:8]
    if db == "sqlite":
        url = f"sqlite+aiosqlite:///{scratch / f'service-{tag}.sqlite3'}"
        plain = str(scratch / f"plain-{tag}.sqlite3")
        old = str(scratch / f"old-{tag}.sqlite3")
    else:
        url = asyncio.run(pg_database(args.pg_admin, "create", f"bench_tel_{tag}"))
        ref_url = asyncio.run(pg_database(args.pg_admin, "create", f"bench_tel_ref_{tag}"))
    try:
        token, ids = asyncio.run(prepare(url))
        load = workload(args.samples, args.batch, ids)
        total = sum(len(b) for b in load.rows)
        started = time.perf_counter()
        path = make_url(url).database or ""
        if args.prefill and db == "sqlite":
            prefill_service_sqlite(path, args.prefill, load.start, ids)
        elif args.prefill:
            asyncio.run(prefill_service_postgresql(url, args.prefill, load.start, ids))
        prefill_seconds = time.perf_counter() - started
        profile = scratch / f"service-{tag}.prof"
        server = ServerProcess(
            url,
            scratch / f"server-{tag}.log",
            python_args=("-m", "cProfile", "-o", str(profile)) if args.profile else (),
        )
        server.start()
        try:
            pid = server.process.pid if server.process else 0
            spy = sampler(args.py_spy, pid) if args.py_spy else None
            user_before, system_before = cpu_split(pid)
            pg_before = (
                backends_cpu(args.pg_admin, make_url(url).database or "")
                if db == "postgresql"
                else {}
            )
            seconds, accepted, dups, retried = asyncio.run(
                post_all(server.url, token, load.bodies, args.clients, args.retry_every)
            )
            user_after, system_after = cpu_split(pid)
            pg_cpu = 0.0
            if db == "postgresql":
                pg_cpu = cpu_since(
                    pg_before, backends_cpu(args.pg_admin, make_url(url).database or "")
                )
            user, system = user_after - user_before, system_after - system_before
            cpu = user + system
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
        finally:
            server.stop()
        raw, rolled = asyncio.run(count_stored(url))
        raw -= args.prefill
        references: dict[str, float] = {}
        ref_cpu: dict[str, float] = {}
        for name, table in (("plain", "samples"), ("old", "old_samples")):
            # The references are prefilled only when asked: it takes long, and an empty
            # reference table is the harder comparison for the service.
            filled = name == "plain" and args.prefill_references
            fill = prefill_rows(args.prefill if filled else 0, load.start, ids)
            if db == "sqlite":
                ddl = PLAIN_SQLITE if name == "plain" else OLD_SQLITE
                ref = plain if name == "plain" else old
                references[name] = reference_sqlite(ref, ddl, table, load.rows, fill)
            else:
                ddl = PLAIN_POSTGRESQL if name == "plain" else OLD_POSTGRESQL
                coro = reference_postgresql(ref_url, ddl, table, load.rows, fill)
                references[name], ref_cpu[name] = asyncio.run(coro)
        stored = args.prefill + total
        ref_stored = (args.prefill if args.prefill_references else 0) + total
        ours = ("telemetry_series", "telemetry_samples")
        if db == "sqlite":
            sizes = {
                "service": sqlite_bytes(path, ours),
                "plain": sqlite_bytes(plain, ("samples",)),
                "old": sqlite_bytes(old, ("old_samples",)),
            }
        else:
            sizes = {
                "service": asyncio.run(postgresql_bytes(url, ours)),
                "plain": asyncio.run(postgresql_bytes(ref_url, ("samples",))),
                "old": asyncio.run(postgresql_bytes(ref_url, ("old_samples",))),
            }
    finally:
        if db == "postgresql":
            asyncio.run(pg_database(args.pg_admin, "drop", f"bench_tel_{tag}"))
            asyncio.run(pg_database(args.pg_admin, "drop", f"bench_tel_ref_{tag}"))
    rate = total / seconds
    ok = accepted == total and dups == 0 and raw == total and rolled == total
    print(f"[{db}] {total:,} samples in batches of {args.batch} from {args.clients} clients, "
          f"{args.prefill:,} stored before ({prefill_seconds:.1f} s to prefill)")  # fmt: skip
    print(f"  service:   {seconds:8.2f} s  {rate:>10,.0f} samples/s (HTTP, JSON, auth, roll-ups)")
    print(f"  service CPU (its own process): {cpu:.2f} s, {cpu / total * 1e6:.1f} µs a sample "
          f"(user {user:.2f} s, system {system:.2f} s)")  # fmt: skip
    if db == "postgresql":
        spent = ", ".join(f"{k} reference's backend {v:.2f} s" for k, v in ref_cpu.items())
        print(f"  PostgreSQL CPU meanwhile: the service's backends {pg_cpu:.2f} s; {spent}")
    for name, ref_seconds in references.items():
        ref_rate = total / ref_seconds
        print(f"  {name + ':':10} {ref_seconds:8.2f} s  {ref_rate:>10,.0f} rows/s "
              f"({REFERENCE[db]}, {TABLES[name]})  ratio service/{name}: "
              f"{rate / ref_rate:.2f}")  # fmt: skip
    print(f"  aim: service/plain at least {AIM[db]:.2f}")
    for name, size in sizes.items():
        count = {"service": stored, "plain": ref_stored}.get(name, total)
        print(
            f"  storage {name + ':':9} {size / 2**20:8.1f} MiB  {size / count:6.1f} bytes a sample"
        )
    print(f"  retried batches: {retried:,} samples re-sent, all answered as duplicates")
    print(f"  stored once each: raw={raw:,} roll-up count={rolled:,} accepted={accepted:,} "
          f"-> {'OK' if ok else 'MISMATCH'}")  # fmt: skip
    if args.profile:
        print_profile(profile)
    if not ok:
        raise SystemExit(1)


REFERENCE = {
    "sqlite": "sqlite3 executemany, commit per batch",
    "postgresql": "asyncpg copy_records_to_table per batch",
}
TABLES = {
    "plain": "5 columns, 1 unique index",
    "old": "the service's table before series",
}
AIM = {"sqlite": 0.5, "postgresql": 1.0}


def main() -> None:
    """Parse options and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--retry-every", type=int, default=50, help="0: no retries")
    parser.add_argument("--prefill", type=int, default=0, help="samples stored beforehand")
    parser.add_argument(
        "--prefill-references", action="store_true", help="prefill the plain reference's table too"
    )
    parser.add_argument("--profile", action="store_true", help="profile the service")
    parser.add_argument("--py-spy", metavar="PY_SPY", help="sample the service with py-spy")
    parser.add_argument("--pg-admin", default=os.environ.get("BENCH_PG_ADMIN", PG_ADMIN))
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; load {load}")
    with tempfile.TemporaryDirectory(prefix="bench-telemetry-") as scratch:
        for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            run(db, args, Path(scratch))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end: {load}")


if __name__ == "__main__":
    main()
