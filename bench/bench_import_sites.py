"""Import 100,000 5G sites from CSV, as `import registry sites.csv` does; print rows/s and memory.

Usage: python bench/bench_import_sites.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.demo import DIVISION_CENTRES
from registry.importer import import_sections, sections_of_file
from registry.migrate import upgrade


def write_csv(path: Path, rows: int) -> None:
    """A CSV of sites in the operators' Chinese headers."""
    rng = random.Random(7)
    divisions = list(DIVISION_CENTRES)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["站点编码", "运营商", "地市", "纬度", "经度", "频段", "状态", "开通日期"])
        for i in range(rows):
            division = divisions[i % len(divisions)]
            lat, lon = DIVISION_CENTRES[division]
            w.writerow([
                f"S{i:07d}", "GOV", division, f"{lat + rng.uniform(-0.3, 0.3):.6f}",
                f"{lon + rng.uniform(-0.3, 0.3):.6f}", "n41;n78", "operational", "2024-05-01",
            ])  # fmt: skip


async def run_import(url: str, path: Path) -> int:
    """Read, validate and store the file in one transaction; return rows stored."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            sections, row_base = sections_of_file(path)
            report = await import_sections(
                session, sections, Actor.cli("bench"), progress=False, row_base=row_base
            )
    finally:
        await engine.dispose()
    return report.total


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--trace-memory", action="store_true", help="also trace the Python heap")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        upgrade(url, ("registry",))
        path = Path(tmp) / "sites.csv"
        write_csv(path, args.rows)
        if args.trace_memory:
            tracemalloc.start()  # slows the run: rows/s is measured without it by default
        started = time.perf_counter()
        stored = asyncio.run(run_import(url, path))
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else 0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {url.split(':')[0]}")
    print(f"imported {stored} 5G sites in {seconds:.2f} s: {stored / seconds:,.0f} rows/s")
    print(f"peak RSS of the process: {rss_mb:.0f} MiB")
    if args.trace_memory:
        print(f"peak Python heap (tracemalloc): {traced_peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
