"""The count of numbers another buyer claimed first: on a side connection, or in the upload's
transaction when the pool has no connection to spare; the same answer either way."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.pool import NullPool, QueuePool

from collectors.invoices.earlier_claims import can_connect_now
from collectors.invoices.parsing import read_file
from collectors.invoices.store import UploadMeta, registered_units, store_invoices
from collectors.invoices.validation import Buyers
from registry.audit import Actor
from registry.db import create_engine, session_factory
from tests.invoices.conftest import B1, B2, P1, Tokens
from tests.invoices.test_invoice_upload import HEADER_EN, csv


def _lines(buyer: str, numbers: range) -> bytes:
    return csv(HEADER_EN, *(f"2523{n:016d},{buyer},{P1},2025-03-01,10.00,blue," for n in numbers))


async def _store(database_url: str, path: Path, buyer: str, **engine_args: object) -> int:
    """Store a file as `buyer`'s own upload; its count of numbers claimed first by others."""
    engine = create_engine(database_url, **engine_args)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            units, _ = await registered_units(session)
        rows = read_file(path, "csv")
        async with sessions() as session:
            unit = units[buyer]
            meta = UploadMeta(Actor.cli("test"), "cli", path.name, "0" * 64)
            report = await store_invoices(
                session, rows, Buyers(default=unit, only=unit), meta, dt.date(2025, 6, 1)
            )
            await session.commit()
        assert report.stored == report.rows
        return report.duplicate_claims
    finally:
        await engine.dispose()


@pytest.mark.parametrize("pool", ["room", "none to spare"])
async def test_the_count_is_the_same_with_or_without_a_spare_connection(
    database_url: str, tokens: Tokens, tmp_path: Path, pool: str
) -> None:
    first, second = tmp_path / "b1.csv", tmp_path / "b2.csv"
    first.write_bytes(_lines(B1, range(0, 30_000, 2)))  # several chunks
    second.write_bytes(_lines(B2, range(0, 30_000, 3)))  # every 6th number is B1's too
    assert await _store(database_url, first, B1) == 0
    # One connection in all: the upload's own, so the count is made in its transaction.
    limits = {} if pool == "room" else {"pool_size": 1, "max_overflow": 0}
    if database_url.startswith("sqlite"):
        limits = {}  # SQLite counts in the upload's transaction anyway
    assert await _store(database_url, second, B2, **limits) == len(range(0, 30_000, 6))


def test_a_pool_spares_a_connection_only_without_waiting() -> None:
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(":memory:")

    pool = QueuePool(connect, pool_size=1, max_overflow=0)
    assert can_connect_now(pool)  # none made yet: one may be
    held = pool.connect()
    assert not can_connect_now(pool)  # the only one is out: a checkout would wait
    held.close()
    assert can_connect_now(pool)  # back in the pool, idle
    assert can_connect_now(QueuePool(connect, pool_size=1, max_overflow=-1))  # no limit
    assert can_connect_now(NullPool(connect))
