"""Storing samples: once each, in the caller's transaction, with their roll-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from collectors.telemetry.rollup import upsert_daily
from collectors.telemetry.samples import Reading
from collectors.telemetry.series import series_ids

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
# SQLite allows 32,766 parameters in one statement; three per row.
SQLITE_ROWS_PER_STATEMENT = 10_000
SampleKey = tuple[int, int]  # series id, microseconds since the epoch

INSERT_POSTGRESQL = text(
    "INSERT INTO telemetry_samples (series_id, sampled_us, value) "
    "SELECT * FROM unnest(CAST(:series_id AS BIGINT[]), CAST(:sampled_us AS BIGINT[]), "
    "CAST(:value AS FLOAT8[])) ON CONFLICT DO NOTHING RETURNING series_id, sampled_us"
)


@dataclass(frozen=True)
class Stored:
    """How many samples were new, and how many repeated one already stored."""

    accepted: int
    duplicates: int


def to_microseconds(at: dt.datetime) -> int:
    """An aware time as stored: microseconds since 1970-01-01 UTC."""
    return (at - EPOCH) // MICROSECOND


def from_microseconds(us: int) -> dt.datetime:
    """A stored time back as an aware UTC datetime."""
    return EPOCH + us * MICROSECOND


async def store_readings(
    session: AsyncSession, readings: Sequence[Reading], tz: ZoneInfo
) -> Stored:
    """Insert samples, ignoring repeats, and roll up only those actually inserted.

    Call it in the transaction itself, not in a savepoint that may roll back alone: series ids
    are remembered when the transaction commits.
    """
    return (await store_batches(session, [readings], tz))[0]


async def store_batches(
    session: AsyncSession, batches: Sequence[Sequence[Reading]], tz: ZoneInfo
) -> list[Stored]:
    """Store several batches in one statement each for samples and roll-ups.

    A sample repeated in an earlier batch of the same call, or earlier in its own batch,
    counts as a duplicate of its batch, just as if the batches had come one after another.
    """
    if not any(batches):
        return [Stored(0, 0) for _ in batches]
    conn = await session.connection()
    keys = {(r[0], r[1], r[2]) for batch in batches for r in batch}
    series = await series_ids(session, conn, keys)
    micros: dict[dt.datetime, int] = {}
    # The first occurrence of each key, with the batch it belongs to.
    first: dict[SampleKey, tuple[int, Reading]] = {}
    for number, batch in enumerate(batches):
        for reading in batch:
            at = reading[3]
            us = micros.get(at)
            if us is None:
                us = micros[at] = (at - EPOCH) // MICROSECOND
            key = (series[reading[0], reading[1], reading[2]], us)
            if key not in first:
                first[key] = (number, reading)
    # One lock order for every writer: concurrent overlapping batches cannot deadlock.
    rows = sorted((sid, us, first[sid, us][1][4]) for sid, us in first)
    if conn.dialect.name == "postgresql":
        inserted = await _insert_postgresql(conn, rows)
    else:
        inserted = await _insert_sqlite(conn, rows)
    accepted = [0] * len(batches)
    new: list[Reading] = []
    for key in inserted:
        number, reading = first[key]
        accepted[number] += 1
        new.append(reading)
    await upsert_daily(conn, new, tz)
    return [Stored(n, len(batch) - n) for n, batch in zip(accepted, batches, strict=True)]


async def _insert_postgresql(
    conn: AsyncConnection, rows: Sequence[tuple[int, int, float | None]]
) -> list[Any]:
    columns = list(zip(*rows, strict=True))
    result = await conn.execute(
        INSERT_POSTGRESQL,
        {"series_id": list(columns[0]), "sampled_us": list(columns[1]), "value": list(columns[2])},
    )
    return [tuple(row) for row in result]


async def _insert_sqlite(
    conn: AsyncConnection, rows: Sequence[tuple[int, int, float | None]]
) -> list[Any]:
    inserted: list[Any] = []
    for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
        chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?,?,?)"] * len(chunk))
        result = await conn.exec_driver_sql(
            f"INSERT INTO telemetry_samples (series_id, sampled_us, value) VALUES {values} "
            "ON CONFLICT DO NOTHING RETURNING series_id, sampled_us",
            tuple(v for row in chunk for v in row),
        )
        inserted += map(tuple, result)
    return inserted
