"""Benchmark invoice upload through the real HTTP API against pandas + sqlite3 executemany.

Run: .venv/bin/python bench/bench_invoices.py [--rows 100000] [--memory-rows 1000000]
     (--rows 0: the memory figure only)
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]  (default: SQLite)
     [--repeat N]  (N interleaved rounds; each figure is its best round)
     [--profile FILE]  (py-spy samples of the server during the upload, all threads; the
                        top 25 functions by own and by total samples are written to FILE)

For each size it writes a CSV of that many invoices, starts `infra-incentives serve` on
127.0.0.1 as a child process, uploads the file (streamed from disk), and reports the rate and
the server's peak resident memory (VmHWM). The reference reads the same CSV with
`pandas.read_csv(dtype=str)` and stores it with `sqlite3.executemany` (SQLite) or asyncpg's
`copy_records_to_table` (PostgreSQL), in its own process, into a plain table a user would write
by hand and into the service's own migrated `invoices` table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade

BUYER = "91230100MA1HRB0032"
SELLER = "91230100MA1PRN0057"
PACKAGES = ("registry", "collectors", "incentives")
# The references read the CSV with pandas and store it in one transaction, timed from the
# read to the commit. "plain": the table a user would write by hand (text columns, no keys);
# "ours": the service's own migrated `invoices` table (unique key, indexes, foreign keys),
# with the credit codes mapped to unit ids and the amounts to fen by pandas.
REFERENCE = """
import asyncio, resource, sqlite3, sys, time
import pandas as pd
path, target, table = sys.argv[1], sys.argv[2], sys.argv[3]
PLAIN = ("CREATE TABLE invoices (number TEXT, buyer TEXT, seller TEXT, issued_on TEXT, "
         "amount TEXT, kind TEXT, reverses TEXT)")
OURS = ("number", "buyer_unit_id", "seller_unit_id", "issued_on", "amount_fen", "kind",
        "upload_id", "row")

def ours(frame, units, upload, day):
    parts = frame["amount"].str.partition(".")
    whole, cents = parts[0], parts[2]
    fen = whole.astype("int64") * 100 + cents.str.ljust(2, "0").astype("int64")
    return list(zip(frame["number"], frame["buyer"].map(units), frame["seller"].map(units),
                    frame["issued_on"].map(day), fen.tolist(), frame["kind"],
                    [upload] * len(frame), range(2, len(frame) + 2)))

def sqlite_reference():
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    con = sqlite3.connect(target)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    if table == "plain":
        con.execute(PLAIN)
        con.executemany("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)",
                        frame.itertuples(index=False, name=None))
    else:
        units = dict(con.execute("SELECT credit_code, id FROM units"))
        upload = con.execute("INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, "
                             "stored_count, created_at) VALUES ('ref', '', 0, 0, "
                             "'2026-01-01 00:00:00')").lastrowid
        marks = ", ".join("?" * len(OURS))
        con.executemany(f'INSERT INTO invoices ({", ".join(chr(34) + c + chr(34) for c in OURS)}) '
                        f"VALUES ({marks})", ours(frame, units, upload, str))
    con.commit()

async def postgresql_reference():
    import datetime as dt
    import asyncpg
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    con = await asyncpg.connect(target)
    try:
        async with con.transaction():
            if table == "plain":
                await con.execute(PLAIN)
                await con.copy_records_to_table(
                    "invoices", records=frame.itertuples(index=False, name=None))
            else:
                units = dict(await con.fetch("SELECT credit_code, id FROM units"))
                upload = await con.fetchval(
                    "INSERT INTO invoice_uploads (uploaded_by, sha256, row_count, stored_count, "
                    "created_at) VALUES ('ref', '', 0, 0, now()) RETURNING id")
                records = ours(frame, units, upload, dt.date.fromisoformat)
                await con.copy_records_to_table("invoices", records=records, columns=OURS)
    finally:
        await con.close()

start = time.perf_counter()
if target.startswith("postgresql://"):
    asyncio.run(postgresql_reference())
else:
    sqlite_reference()
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_csv(path: Path, rows: int) -> None:
    """Invoices of one buyer from one listed provider, numbered in 2025."""
    with path.open("w", encoding="utf-8") as f:
        f.write("number,buyer,seller,issued_on,amount,kind,reverses\n")
        for n in range(rows):
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            f.write(f"2523{n:016d},{BUYER},{SELLER},{day},{100 + n % 99991}.{n % 100:02d},blue,\n")


async def prepare(database_url: str) -> str:
    """Schema, a buyer and a listed provider, and the buyer's token."""
    upgrade(database_url, PACKAGES)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            sections = {
                "units": [
                    {"code": "B1", "name": "买方", "credit_code": BUYER, "kind": "enterprise"},
                    {
                        "code": "P1",
                        "name": "服务商",
                        "credit_code": SELLER,
                        "kind": "compute_provider",
                    },
                ],
                "key_providers": [{"unit": "P1", "listed_from": "2024-01-01"}],
            }
            await import_sections(session, sections, Actor.cli("bench"))
            _, token = await create_key(session, "B1", "buyer", Actor.cli("bench"))
    finally:
        await engine.dispose()
    return token


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve(database_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the service and wait until it is ready."""
    port = free_port()
    env = {**os.environ, "INCENTIVES_DATABASE_URL": database_url, "INCENTIVES_PORT": str(port),
           "INCENTIVES_HOST": "127.0.0.1", "INCENTIVES_SCHEDULER": "false",
           "INCENTIVES_MAX_BODY_MB": "1024"}  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def upload(url: str, token: str, path: Path) -> tuple[float, dict[str, object]]:
    """POST the file, streamed from disk; seconds taken and the answer."""
    with path.open("rb") as body:
        request = urllib.request.Request(
            url + "/api/v1/invoices",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "text/csv",
                "Content-Length": str(path.stat().st_size),
            },
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=3600) as r:
            answer = json.load(r)
        return time.perf_counter() - start, answer


def fresh_database(base: str | None, work: Path, rows: int) -> str:
    """A new empty database for one run."""
    if base is None:
        path = work / f"bench-{rows}.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)  # an earlier round's
        return f"sqlite+aiosqlite:///{path}"
    from sqlalchemy.engine.url import make_url

    name = f"bench_invoices_{rows}_{os.getpid()}"

    async def create() -> None:
        from sqlalchemy import text

        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()

    asyncio.run(create())
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(base: str | None, database_url: str) -> None:
    """Remove a benchmark's PostgreSQL database."""
    if base is None:
        return
    from sqlalchemy import text
    from sqlalchemy.engine.url import make_url

    name = make_url(database_url).database

    async def drop() -> None:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()

    asyncio.run(drop())


def start_sampling(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling every thread of the server (the event loop, aiosqlite's, to_thread's)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    sampler = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--threads", "--function", "--rate", "250",
         "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches before the upload starts
    return sampler


# Frames every sample shares (thread start-up, the event loop, the server's start): left out of
# the totals so the top entries are the work.
PLUMBING = ("(threading.py", "(<frozen runpy>", "(asyncio/", "(concurrent/futures/",
            "(service/cli.py", "(service/serving.py", "(aiohttp/web.py")  # fmt: skip


# A thread whose innermost frame is one of these is waiting (for the socket, the database or
# work), not working: such samples are counted apart.
WAITING = ("EpollSelector.select (", "_worker (concurrent/futures/thread.py")


def summarise(samples: Path, seconds: float, top: int = 25) -> str:
    """The busiest threads, and the top functions by own and by total samples."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    threads: dict[str, int] = {}
    count = waiting = 0
    for line in samples.read_text().splitlines():
        stack, _, weight_text = line.rpartition(" ")
        frames = stack.split(";")
        weight = int(weight_text)
        if frames[-1].startswith(WAITING):
            waiting += weight
            continue
        count += weight
        threads[frames[0]] = threads.get(frames[0], 0) + weight
        own[frames[-1]] = own.get(frames[-1], 0) + weight
        for frame in set(frames[1:]):
            if not any(p in frame for p in PLUMBING):
                total[frame] = total.get(frame, 0) + weight
    out = [f"py-spy, 250 samples/s, every thread; upload took {seconds:.2f} s; busy "
           f"{count / 250:.2f} s, waiting (epoll, idle workers) {waiting / 250:.2f} s",
           "", "busy threads:"]  # fmt: skip
    for name, n in sorted(threads.items(), key=lambda item: -item[1]):
        out.append(f"  {n / 250:7.2f} s  {name}")
    for title, table in (("own time", own), ("total time (own and callees)", total)):
        out += ["", f"top {top} by {title}:"]
        for name, n in sorted(table.items(), key=lambda item: -item[1])[:top]:
            out.append(f"  {n / 250:7.2f} s  {100 * n / max(count, 1):5.1f}%  {name}")
    return "\n".join(out) + "\n"


def run_service(
    rows: int, work: Path, base: str | None, profile: Path | None = None
) -> tuple[float, float, float]:
    """Seconds, peak server MB at idle and after the upload, for one size."""
    csv_path = work / f"invoices-{rows}.csv"
    write_csv(csv_path, rows)
    database_url = fresh_database(base, work, rows)
    token = asyncio.run(prepare(database_url))
    proc, url = serve(database_url, work / "server.log")
    try:
        idle = peak_rss_mb(proc.pid)
        sampler = None if profile is None else start_sampling(proc.pid, work / "samples.txt")
        seconds, answer = upload(url, token, csv_path)
        if sampler is not None and profile is not None:
            sampler.send_signal(signal.SIGINT)
            sampler.wait(timeout=60)
            profile.write_text(summarise(work / "samples.txt", seconds))
        peak = peak_rss_mb(proc.pid)
        assert answer["stored"] == rows, answer
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        drop_database(base, database_url)
    return seconds, idle, peak


def run_reference(rows: int, work: Path, base: str | None, table: str) -> tuple[float, float]:
    """Seconds and peak MB of pandas.read_csv + executemany (SQLite) or COPY (PostgreSQL)."""
    csv_path = work / f"invoices-{rows}.csv"
    if not csv_path.exists():
        write_csv(csv_path, rows)
    if base is None:
        database_url = f"sqlite+aiosqlite:///{work / f'reference-{table}-{rows}.sqlite3'}"
        Path(database_url.split("///", 1)[1]).unlink(missing_ok=True)
    else:
        database_url = fresh_database(base, work, rows)
    if table == "ours":
        asyncio.run(prepare(database_url))
    target = (
        database_url.split("///", 1)[1]
        if base is None
        else database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", REFERENCE, str(csv_path), target, table],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if done.returncode:
            raise SystemExit(f"the {table} reference failed: {done.stderr[-2000:]}")
        out = done.stdout.split()
    finally:
        drop_database(base, database_url)
        if base is None:
            Path(target).unlink(missing_ok=True)
    return float(out[0]), int(out[1]) / 1024


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the rate")
    parser.add_argument("--memory-rows", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy's profile of the server's upload here"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of service, plain and ours, interleaved; each figure is its best round "
        "(on a shared machine the best is the one least disturbed by others)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-invoices-") as tmp:
        work = Path(tmp)
        best: dict[str, tuple[float, float]] = {}
        for round_ in range(args.repeat if args.rows else 0):  # --rows 0: memory only
            profile = args.profile if round_ == 0 else None
            seconds, _, peak = run_service(args.rows, work, args.database_url, profile)
            runs = {"service": (seconds, peak)}
            for table in ("plain", "ours"):
                runs[table] = run_reference(args.rows, work, args.database_url, table)
            for name, run in runs.items():
                if name not in best or run[0] < best[name][0]:
                    best[name] = run
        backend = "PostgreSQL" if args.database_url else "SQLite"
        way = "asyncpg copy_records_to_table" if args.database_url else "sqlite3 executemany"
        rounds = f", best of {args.repeat} interleaved rounds" if args.repeat > 1 else ""
        if best:
            seconds, peak = best["service"]
            rate = args.rows / seconds
            print(f"invoice upload over HTTP ({backend}), {args.rows:,} rows{rounds}")
            print(f"  service:   {seconds:8.2f} s  {rate:10,.0f} rows/s  peak {peak:6.0f} MB")
        for table in ("plain", "ours") if best else ():
            ref_seconds, ref_peak = best[table]
            ref_rate = args.rows / ref_seconds
            print(
                f"  reference, {table} table (pandas.read_csv + {way}): {ref_seconds:8.2f} s  "
                f"{ref_rate:10,.0f} rows/s  peak {ref_peak:6.0f} MB"
            )
            print(f"    rate ratio service/reference: {rate / ref_rate:.2f} (aim: at least 0.50)")
        if args.memory_rows:
            seconds, idle, peak = run_service(args.memory_rows, work, args.database_url)
            print(f"invoice upload over HTTP ({backend}), {args.memory_rows:,} rows")
            print(
                f"  service:   {seconds:8.2f} s  {args.memory_rows / seconds:10,.0f} rows/s  "
                f"peak {peak:6.0f} MB (idle {idle:.0f} MB; aim: under 500 MB)"
            )
        if args.profile is not None:
            print(f"profile of the {args.rows:,}-row upload: {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
