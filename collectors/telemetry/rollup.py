"""Daily roll-ups: min, max, mean and last of each metric of each centre per calendar day."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from collectors.telemetry.models import TelemetryDaily
from collectors.telemetry.samples import Reading

DayKey = tuple[int, str, dt.date]


def aggregate(readings: Iterable[Reading], tz: ZoneInfo) -> dict[DayKey, list[Any]]:
    """Fold samples into [min, max, total, count, last_at, last_value] per centre, metric, day."""
    days: dict[dt.datetime, dt.date] = {}
    out: dict[DayKey, list[Any]] = {}
    finite = math.isfinite
    for center_id, metric, _labels, at, value in readings:
        # NaN and infinities would poison sums and means; roll-ups keep finite values only.
        if value is None or not finite(value):
            continue
        day = days.get(at)
        if day is None:
            day = days[at] = at.astimezone(tz).date()
        key = (center_id, metric, day)
        acc = out.get(key)
        if acc is None:
            out[key] = [value, value, value, 1, at, value]
            continue
        # Comparisons, not min() and max(): this loop runs once per stored sample.
        if value < acc[0]:
            acc[0] = value
        if value > acc[1]:
            acc[1] = value
        acc[2] += value
        acc[3] += 1
        # Several series may report at the same instant: the greatest wins, whatever the order.
        if at > acc[4] or (at == acc[4] and value > acc[5]):
            acc[4], acc[5] = at, value
    return out


def merge(least: str, greatest: str) -> str:
    """The ON CONFLICT clause that adds a day's new roll-up to the stored one."""
    # Every SET expression reads the row as it was, so last_at may be updated alongside.
    return (
        f"ON CONFLICT (center_id, metric, day) DO UPDATE SET "
        f"minimum = {least}(telemetry_daily.minimum, excluded.minimum), "
        f"maximum = {greatest}(telemetry_daily.maximum, excluded.maximum), "
        "total = telemetry_daily.total + excluded.total, "
        "count = telemetry_daily.count + excluded.count, "
        "last_value = CASE WHEN excluded.last_at > telemetry_daily.last_at "
        "THEN excluded.last_value WHEN excluded.last_at = telemetry_daily.last_at "
        f"THEN {greatest}(telemetry_daily.last_value, excluded.last_value) "
        "ELSE telemetry_daily.last_value END, "
        f"last_at = {greatest}(telemetry_daily.last_at, excluded.last_at)"
    )


COLUMNS = "center_id, metric, day, minimum, maximum, total, count, last_at, last_value"
# As the driver's SQL: no statement to build or compile. Each array is one text literal,
# which PostgreSQL parses in C (the driver's encoding of arrays checks every element in
# Python); days are ordinals and times microseconds since the epoch.
UPSERT_POSTGRESQL_DRIVER = (
    f"INSERT INTO telemetry_daily ({COLUMNS}) SELECT center_id, metric,"
    " DATE '0001-01-01' + (day - 1), minimum, maximum, total, count,"
    " TIMESTAMPTZ 'epoch' + last_us * INTERVAL '1 microsecond', last_value FROM unnest("
    "$1::TEXT::INTEGER[], $2::TEXT::VARCHAR[], $3::TEXT::INTEGER[], $4::TEXT::FLOAT8[], "
    "$5::TEXT::FLOAT8[], $6::TEXT::FLOAT8[], $7::TEXT::BIGINT[], $8::TEXT::BIGINT[], "
    "$9::TEXT::FLOAT8[]) AS r(center_id, metric, day, minimum, maximum, total, count, last_us,"
    " last_value) " + merge("LEAST", "GREATEST")
)
SQLITE_MERGE = merge("min", "max")
SQLITE_ROWS_PER_STATEMENT = 3000  # nine parameters a row, under SQLite's 32,766


def _binder(conn: AsyncConnection, column: str) -> Callable[[Any], Any]:
    # The column type's own bind processing, so rows match what the ORM writes and reads.
    column_type = TelemetryDaily.__table__.c[column].type
    processor = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor if processor is not None else (lambda value: value)


async def upsert_rollups(conn: AsyncConnection, arrays: Sequence[str] | None) -> None:
    """Add folded roll-up rows (`Group.rollups`) to the stored ones (PostgreSQL only)."""
    if arrays is None:
        return
    await conn.exec_driver_sql(UPSERT_POSTGRESQL_DRIVER, tuple(arrays))


async def upsert_daily(conn: AsyncConnection, readings: Iterable[Reading], tz: ZoneInfo) -> None:
    """Add newly stored samples to their days' roll-ups, in the caller's transaction (SQLite;
    PostgreSQL folds whole groups with `Group.rollups`)."""
    folded = aggregate(readings, tz)
    if not folded:
        return
    # Sorted keys: concurrent batches lock roll-up rows in one order, so they cannot deadlock.
    rows = [(*key, *acc) for key, acc in sorted(folded.items())]
    day, at = _binder(conn, "day"), _binder(conn, "last_at")
    params = [
        (c, m, day(d), lo, hi, total, n, at(last_at), last)
        for c, m, d, lo, hi, total, n, last_at, last in rows
    ]
    for start in range(0, len(params), SQLITE_ROWS_PER_STATEMENT):
        chunk = params[start : start + SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?,?,?,?,?,?,?,?,?)"] * len(chunk))
        sql = f"INSERT INTO telemetry_daily ({COLUMNS}) VALUES {values} {SQLITE_MERGE}"
        await conn.exec_driver_sql(sql, tuple(v for row in chunk for v in row))
