"""Where an invoice upload's time goes: each phase of store_invoices, timed in one process.

Run: .venv/bin/python bench/bench_invoice_phases.py [--rows 100000] [--repeat 3]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]  (default: SQLite)

A py-spy profile (bench_invoices.py --profile) sees the server's Python only; on PostgreSQL
most of an upload is the database's own work while the event loop waits. This wraps the
phases of collectors.invoices.store (those it has: the list is not fixed between versions)
and prints the wall time of each around one upload of the bench CSV, without HTTP: the read
and check of the file, the comparison with stored invoices, and each step of the write
transaction. The database is created for the run and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_invoices import drop_database, fresh_database, prepare, write_csv
from collectors.invoices import bulk, store
from collectors.invoices.parsing import read_file
from collectors.invoices.validation import Buyers
from registry.audit import Actor
from registry.db import create_engine, session_factory

# Phases of store.py (module functions and _Upload methods) and bulk.py, where they exist.
PHASES = ("registered_units", "check_file", "compare_stored", "_write_new", "_write",
          "_duplicate_claims", "duplicate_claims", "_finish", "_id_floor", "_stream_new",
          "_copy_new")  # fmt: skip
UPLOAD_PHASES = ("claim_numbers", "_claim_numbers", "_inserted")
BULK_PHASES = ("copy_rows", "copy_columns", "insert_rows")


def _timed(
    name: str, func: Callable[..., Awaitable[Any]], spent: dict[str, float]
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await func(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def instrument(spent: dict[str, float]) -> None:
    """Wrap every phase that this version of the code has."""
    for name in PHASES:
        if hasattr(store, name):
            setattr(store, name, _timed(name, getattr(store, name), spent))
    for name in UPLOAD_PHASES:
        if hasattr(store._Upload, name):
            setattr(store._Upload, name, _timed(name, getattr(store._Upload, name), spent))
    for name in BULK_PHASES:
        if hasattr(bulk, name):
            timed = _timed(name, getattr(bulk, name), spent)
            setattr(bulk, name, timed)
            if hasattr(store, name):
                setattr(store, name, timed)


async def upload_once(database_url: str, csv_path: Path) -> float:
    """Seconds of one store_invoices of the file, from reading it to the commit."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            units, _ = await store.registered_units(session)
        buyer = units["91230100MA1HRB0032"]  # the bench's buyer
        start = time.perf_counter()
        rows = await asyncio.to_thread(read_file, csv_path, "csv")
        async with session_factory(engine)() as session:
            meta = store.UploadMeta(Actor.cli("bench"), "cli", csv_path.name, "0" * 64)
            report = await store.store_invoices(
                session, rows, Buyers(default=buyer, only=buyer), meta, dt.date.today(),
                write_lock=asyncio.Lock(),
            )  # fmt: skip
        assert report.stored == report.rows, report
        return time.perf_counter() - start
    finally:
        await engine.dispose()


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="uploads; the best is shown")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default SQLite")
    args = parser.parse_args()
    best: tuple[float, dict[str, float]] | None = None
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as tmp:
        work = Path(tmp)
        csv_path = work / "invoices.csv"
        write_csv(csv_path, args.rows)
        for _ in range(args.repeat):
            database_url = fresh_database(args.database_url, work, args.rows)
            try:
                asyncio.run(prepare(database_url))
                spent: dict[str, float] = {}
                instrument(spent)
                seconds = asyncio.run(upload_once(database_url, csv_path))
            finally:
                importlib_reload()
                drop_database(args.database_url, database_url)
            if best is None or seconds < best[0]:
                best = (seconds, spent)
    assert best is not None
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"store_invoices phases ({backend}), {args.rows:,} rows, best of {args.repeat}")
    print(f"  total (read, check, compare, write, commit): {best[0]:6.3f} s")
    for name, seconds in best[1].items():
        print(f"  {name:<20} {seconds:6.3f} s")
    return 0


def importlib_reload() -> None:
    """Undo the wrappers, so the next round wraps the originals once."""
    import importlib

    importlib.reload(bulk)
    importlib.reload(store)


if __name__ == "__main__":
    sys.exit(main())
