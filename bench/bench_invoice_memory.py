"""Where an invoice upload's memory goes: resident size at each phase of store_invoices.

Run: .venv/bin/python bench/bench_invoice_memory.py [--rows 1000000] [--top 12]
     (--top N: also tracemalloc's N largest allocation sites, by line, as the insert starts;
      slow: the snapshot of a million-row upload takes minutes)

bench_invoices.py gives the server's peak (VmHWM) over HTTP; this runs one upload of the
bench CSV in one process on SQLite, without HTTP, and prints the process's resident size
(VmRSS) and peak (VmHWM) as each phase of collectors.invoices.store starts and ends, so the
phase that sets the peak shows.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_invoices import BUYER, fresh_database, prepare, write_csv
from collectors.invoices import store
from collectors.invoices.parsing import read_file
from collectors.invoices.validation import Buyers
from registry.audit import Actor
from registry.db import create_engine, session_factory

# Phases of store.py, where this version has them.
PHASES = ("check_file", "compare_stored", "_write_new", "_write", "copy_columns",
          "_duplicate_claims", "duplicate_claims", "_finish")  # fmt: skip
SNAPSHOT_AT = "> copy_columns"


def resident_mb() -> str:
    """VmRSS and VmHWM of this process, in MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, kb = line.split()[:2]
            found[name[:-1]] = int(kb) // 1024
    return f"rss {found['VmRSS']:5d} MB  peak {found['VmHWM']:5d} MB"


class Marks:
    """Prints the resident size at each phase boundary."""

    def __init__(self, top: int) -> None:
        self.start = time.perf_counter()
        self.top = top

    def __call__(self, what: str) -> None:
        print(f"  {time.perf_counter() - self.start:7.2f} s  {what:<22} {resident_mb()}")
        if self.top and what == SNAPSHOT_AT and tracemalloc.is_tracing():
            snapshot = tracemalloc.take_snapshot()
            print(f"  tracemalloc, the {self.top} largest sites at {what}:")
            for stat in snapshot.statistics("lineno")[: self.top]:
                where = stat.traceback[0]
                print(f"    {stat.size / 2**20:7.1f} MB {stat.count:9d} blocks  {where}")

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """The phase, marked as it starts and ends."""

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            self(f"> {name}")
            try:
                return await func(*args, **kwargs)
            finally:
                self(f"< {name}")

        return wrapper


async def upload_once(database_url: str, csv_path: Path, marks: Marks) -> None:
    """One store_invoices of the file, from reading it to the commit."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            units, _ = await store.registered_units(session)
        buyer = units[BUYER]
        gc.collect()
        marks.start = time.perf_counter()
        if marks.top:
            tracemalloc.start()
        marks("start")
        rows = await asyncio.to_thread(read_file, csv_path, "csv")
        async with session_factory(engine)() as session:
            meta = store.UploadMeta(Actor.cli("bench"), "cli", csv_path.name, "0" * 64)
            report = await store.store_invoices(
                session, rows, Buyers(default=buyer, only=buyer), meta, dt.date.today(),
                write_lock=asyncio.Lock(),
            )  # fmt: skip
            await session.commit()
        marks("committed")
        assert report.stored == report.rows, report
    finally:
        await engine.dispose()


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=0, help="tracemalloc's largest sites")
    args = parser.parse_args()
    marks = Marks(args.top)
    for name in PHASES:
        if hasattr(store, name):
            setattr(store, name, marks.wrap(name, getattr(store, name)))
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        csv_path = work / "invoices.csv"
        write_csv(csv_path, args.rows)
        database_url = fresh_database(None, work, args.rows)
        asyncio.run(prepare(database_url))
        print(f"store_invoices on SQLite, {args.rows:,} rows: resident size by phase")
        asyncio.run(upload_once(database_url, csv_path, marks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
