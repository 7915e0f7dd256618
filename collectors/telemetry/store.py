"""Storing samples: once each, in the caller's transaction, with their roll-ups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from collectors.telemetry.models import TelemetrySample
from collectors.telemetry.rollup import upsert_daily
from collectors.telemetry.samples import Reading

COLUMNS = "center_id, metric, labels, sampled_at, value"
KEY = "center_id, metric, labels, sampled_at"
# SQLite allows 32,766 parameters in one statement; five per row.
SQLITE_ROWS_PER_STATEMENT = 6000

INSERT_POSTGRESQL = text(
    f"INSERT INTO telemetry_samples ({COLUMNS}) "
    "SELECT * FROM unnest(CAST(:center_id AS INTEGER[]), CAST(:metric AS VARCHAR[]), "
    "CAST(:labels AS TEXT[]), CAST(:sampled_at AS TIMESTAMPTZ[]), CAST(:value AS FLOAT8[])) "
    f"ON CONFLICT ({KEY}) DO NOTHING RETURNING {KEY}"
)


@dataclass(frozen=True)
class Stored:
    """How many samples were new, and how many repeated one already stored."""

    accepted: int
    duplicates: int


async def store_readings(
    session: AsyncSession, readings: Sequence[Reading], tz: ZoneInfo
) -> Stored:
    """Insert samples, ignoring repeats, and roll up only those actually inserted."""
    if not readings:
        return Stored(0, 0)
    # One lock order for every writer: concurrent overlapping batches cannot deadlock.
    ordered = sorted(readings, key=lambda r: (r[0], r[1], r[2], r[3]))
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        inserted = await _insert_postgresql(conn, ordered)
    else:
        inserted = await _insert_sqlite(conn, ordered)
    await upsert_daily(conn, inserted, tz)
    return Stored(len(inserted), len(readings) - len(inserted))


def _matched(ordered: Sequence[Reading], keys: Sequence[Any], returned: set[Any]) -> list[Reading]:
    # RETURNING names each inserted row once; a repeat inside the batch matches only once.
    inserted = []
    for reading, key in zip(ordered, keys, strict=True):
        if key in returned:
            returned.discard(key)
            inserted.append(reading)
    return inserted


async def _insert_postgresql(conn: AsyncConnection, ordered: Sequence[Reading]) -> list[Reading]:
    columns = list(zip(*ordered, strict=True))
    result = await conn.execute(
        INSERT_POSTGRESQL,
        {
            "center_id": list(columns[0]),
            "metric": list(columns[1]),
            "labels": list(columns[2]),
            "sampled_at": list(columns[3]),
            "value": list(columns[4]),
        },
    )
    returned = {tuple(row) for row in result}
    return _matched(ordered, [r[:4] for r in ordered], returned)


def _time_binder(conn: AsyncConnection) -> Callable[[Any], Any]:
    # The column type's own bind processing, so rows match what the ORM writes and reads.
    column_type = TelemetrySample.__table__.c.sampled_at.type
    processor = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor if processor is not None else (lambda value: value)


async def _insert_sqlite(conn: AsyncConnection, ordered: Sequence[Reading]) -> list[Reading]:
    bind = _time_binder(conn)
    stored_times: dict[Any, Any] = {}
    keys: list[tuple[Any, ...]] = []
    params: list[Any] = []
    for center_id, metric, labels, at, value in ordered:
        stored = stored_times.get(at)
        if stored is None:
            stored = stored_times[at] = bind(at)
        keys.append((center_id, metric, labels, stored))
        params += (center_id, metric, labels, stored, value)
    returned: set[Any] = set()
    for start in range(0, len(ordered), SQLITE_ROWS_PER_STATEMENT):
        count = min(SQLITE_ROWS_PER_STATEMENT, len(ordered) - start)
        values = ",".join(["(?,?,?,?,?)"] * count)
        sql = (
            f"INSERT INTO telemetry_samples ({COLUMNS}) VALUES {values} "
            f"ON CONFLICT ({KEY}) DO NOTHING RETURNING {KEY}"
        )
        chunk = params[start * 5 : (start + count) * 5]
        result = await conn.exec_driver_sql(sql, tuple(chunk))
        returned.update(tuple(row) for row in result)
    return _matched(ordered, keys, returned)
