"""Storing samples: once each, in the caller's transaction, with their roll-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from collectors.telemetry.columns import EPOCH, MICROSECOND, Columns, columns_of
from collectors.telemetry.group import Group, array_literal
from collectors.telemetry.partitions import ensure_days, forget
from collectors.telemetry.rollup import COLUMNS as ROLLUP_COLUMNS
from collectors.telemetry.rollup import merge, upsert_daily, upsert_rollups
from collectors.telemetry.samples import Reading
from collectors.telemetry.series import SeriesKey, series_id_lists, series_ids

# SQLite allows 32,766 parameters in one statement; three per row.
SQLITE_ROWS_PER_STATEMENT = 10_000
SampleKey = tuple[int, int]  # series id, microseconds since the epoch
SAMPLE_COLUMNS = ("series_id", "sampled_us", "value")
# A batch as the quick or slow path reads it, or as the fast path's columns.
Batch = Sequence[Reading] | Columns

# PostgreSQL does it all in one statement: the batches' rows, first occurrence of each key
# kept, inserted in key order (one lock order for every writer, so no deadlock); the roll-ups
# computed from exactly the rows inserted; and how many of each batch were new.
INSERT_AND_ROLL_UP_POSTGRESQL = text(
    "WITH given AS ("
    " SELECT DISTINCT ON (series_id, sampled_us) series_id, sampled_us, value, batch"
    " FROM unnest(CAST(:series_id AS BIGINT[]), CAST(:sampled_us AS BIGINT[]),"
    " CAST(:value AS FLOAT8[]), CAST(:batch AS INTEGER[]))"
    " WITH ORDINALITY AS g(series_id, sampled_us, value, batch, position)"
    " ORDER BY series_id, sampled_us, position),"
    " inserted AS ("
    " INSERT INTO telemetry_samples (series_id, sampled_us, value)"
    " SELECT series_id, sampled_us, value FROM given ORDER BY series_id, sampled_us"
    " ON CONFLICT DO NOTHING RETURNING series_id, sampled_us, value),"
    # NaN is stored as NULL; roll-ups keep finite values only.
    " finite AS ("
    " SELECT s.center_id, s.metric, i.sampled_us, i.value,"
    " CAST((TIMESTAMPTZ 'epoch' + i.sampled_us * INTERVAL '1 microsecond')"
    " AT TIME ZONE CAST(:tz AS TEXT) AS DATE) AS day"
    " FROM inserted i JOIN telemetry_series s ON s.id = i.series_id"
    " WHERE i.value IS NOT NULL AND i.value NOT IN ('Infinity', '-Infinity')),"
    " rolled AS ("
    f" INSERT INTO telemetry_daily ({ROLLUP_COLUMNS})"
    " SELECT center_id, metric, day, min(value), max(value), sum(value), count(*),"
    " TIMESTAMPTZ 'epoch' + max(sampled_us) * INTERVAL '1 microsecond',"
    # The value at the latest time; several series at that instant: the greatest.
    " (array_agg(value ORDER BY sampled_us DESC, value DESC))[1]"
    " FROM finite GROUP BY center_id, metric, day ORDER BY center_id, metric, day "
    + merge("LEAST", "GREATEST")
    + ")"
    " SELECT g.batch, count(*) FROM inserted i"
    " JOIN given g ON g.series_id = i.series_id AND g.sampled_us = i.sampled_us"
    " GROUP BY g.batch"
)


# Which of some keys are stored; the bounds let PostgreSQL look in the right days' partitions
# only. The arrays are text literals: the driver's encoding checks every element in Python.
STORED_POSTGRESQL = (
    "SELECT s.series_id, s.sampled_us FROM telemetry_samples s"
    " JOIN unnest($1::TEXT::BIGINT[], $2::TEXT::BIGINT[]) AS k(series_id, sampled_us)"
    " ON s.series_id = k.series_id AND s.sampled_us = k.sampled_us"
    " WHERE s.sampled_us >= $3::BIGINT AND s.sampled_us <= $4::BIGINT"
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
    session: AsyncSession, batches: Sequence[Batch], tz: ZoneInfo
) -> list[Stored]:
    """Store several batches in one statement each for samples and roll-ups.

    A sample repeated in an earlier batch of the same call, or earlier in its own batch,
    counts as a duplicate of its batch, just as if the batches had come one after another.
    """
    if not any(len(batch) for batch in batches):
        return [Stored(0, 0) for _ in batches]
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        columns = [b if isinstance(b, Columns) else columns_of(b) for b in batches]
        ids = await series_id_lists(session, conn, [c.series for c in columns])
        return await _store_postgresql(conn, columns, ids, tz)
    readings = [b.readings() if isinstance(b, Columns) else b for b in batches]
    keys = {(r[0], r[1], r[2]) for batch in readings for r in batch}
    series = await series_ids(session, conn, keys)
    first = _first_occurrences(readings, series)
    # One lock order for every writer: concurrent overlapping batches cannot deadlock.
    rows = sorted((sid, us, first[sid, us][1][4]) for sid, us in first)
    inserted = await _insert_sqlite(conn, rows)
    return await _roll_up(conn, readings, [first[key] for key in inserted], tz)


def _first_occurrences(
    batches: Sequence[Sequence[Reading]], series: dict[SeriesKey, int]
) -> dict[SampleKey, tuple[int, Reading]]:
    """The first occurrence of each sample key in the batches, with its batch's number."""
    micros: dict[dt.datetime, int] = {}
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
    return first


async def _roll_up(
    conn: AsyncConnection,
    batches: Sequence[Sequence[Reading]],
    inserted: Iterable[tuple[int, Reading]],
    tz: ZoneInfo,
) -> list[Stored]:
    """Add the inserted samples to the roll-ups; count each batch's new ones and repeats."""
    accepted = [0] * len(batches)
    new: list[Reading] = []
    for number, reading in inserted:
        accepted[number] += 1
        new.append(reading)
    await upsert_daily(conn, new, tz)
    return [Stored(n, len(batch) - n) for n, batch in zip(accepted, batches, strict=True)]


async def _store_postgresql(
    conn: AsyncConnection,
    batches: Sequence[Columns],
    series_ids: Sequence[Sequence[int]],
    tz: ZoneInfo,
) -> list[Stored]:
    group = Group.of(batches, series_ids)
    days = group.days()
    await ensure_days(conn, days)
    # Key order: one lock order for every writer, so concurrent groups cannot deadlock. A key
    # twice in the group, or already stored, would fail the COPY, which then stores nothing.
    if not group.repeats() and await _copy_new(conn, group, days):
        await upsert_rollups(conn, group.rollups(tz))  # every sample was new
        return [Stored(len(batch), 0) for batch in batches]
    # Some sample repeats (a retried batch): COPY only the first of each key not stored yet.
    new = group.first_keys()
    new[await _stored_already(conn, group)] = False
    fresh = group.subset(new)
    if not len(fresh.order) or await _copy_new(conn, fresh, days):
        await upsert_rollups(conn, fresh.rollups(tz))
        accepted = np.bincount(fresh.number, minlength=len(batches)).tolist()
        return [Stored(n, len(b) - n) for n, b in zip(accepted, batches, strict=True)]
    # Another writer stored one of them meanwhile: the careful statement sorts them out.
    return await _store_set_based(conn, group, batches, tz)


async def _stored_already(conn: AsyncConnection, group: Group) -> npt.NDArray[np.intp]:
    """The indexes of the group's samples whose key is stored already."""
    ids, micros = group.series_id.tolist(), group.micros.tolist()
    found = await conn.exec_driver_sql(
        STORED_POSTGRESQL,
        (
            array_literal(map(str, ids)),
            array_literal(map(str, micros)),
            int(group.micros.min()),
            int(group.micros.max()),
        ),
    )
    stored = set(found.tuples())
    return np.flatnonzero([key in stored for key in zip(ids, micros, strict=True)])


async def _copy_new(conn: AsyncConnection, group: Group, days: Collection[int]) -> bool:
    """COPY rows none of which should be stored yet; False, with nothing stored, if one is."""
    # A savepoint: a repeat undoes only this COPY, not the series or the caller's other writes.
    # Through SQLAlchemy, which begins its transaction on the first statement it sends.
    await conn.exec_driver_sql("SAVEPOINT telemetry_copy")
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None  # an open connection's asyncpg connection
    try:
        data = group.binary_copy()
        if data is None:  # NaN, stored as NULL: the driver encodes such rows
            await driver.copy_records_to_table(
                "telemetry_samples", records=group.records(), columns=SAMPLE_COLUMNS
            )
        else:
            await driver.copy_to_table(
                "telemetry_samples", source=data, columns=SAMPLE_COLUMNS, format="binary"
            )
    except asyncpg.UniqueViolationError:
        await conn.exec_driver_sql("ROLLBACK TO SAVEPOINT telemetry_copy")
        return False
    except asyncpg.CheckViolationError:
        if not days:
            raise  # made just now and still missing: not a partition's absence
        # A day's partition remembered but gone (dropped by retention, or made in a transaction
        # that rolled back): ask the catalogue again, make it, and COPY once more.
        await conn.exec_driver_sql("ROLLBACK TO SAVEPOINT telemetry_copy")
        forget(conn)
        await ensure_days(conn, days)
        return await _copy_new(conn, group, ())
    # No RELEASE: the COMMIT ends the savepoint with the transaction, one round trip fewer.
    return True


async def _store_set_based(
    conn: AsyncConnection, group: Group, batches: Sequence[Columns], tz: ZoneInfo
) -> list[Stored]:
    ids, times, values, numbers = group.in_order()
    params = {
        "series_id": ids,
        "sampled_us": times,
        "value": values,
        "batch": numbers,
        "tz": tz.key,
    }
    accepted = dict((await conn.execute(INSERT_AND_ROLL_UP_POSTGRESQL, params)).tuples().all())
    return [
        Stored(accepted.get(n, 0), len(batch) - accepted.get(n, 0))
        for n, batch in enumerate(batches)
    ]


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
            tuple(chain.from_iterable(chunk)),
        )
        inserted += map(tuple, result)
    return inserted
