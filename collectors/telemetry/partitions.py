"""Daily partitions of the raw samples on PostgreSQL: made ahead and on demand, dropped whole.

Each UTC day of `sampled_us` is a partition of its own, so the unique index a batch checks
and extends is one day's, not the whole retention's, and retention drops a day at once instead
of deleting its rows. SQLite keeps one table; these functions do nothing there.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Collection, Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection

SCHEMA = "telemetry_partitions"  # apart from the tables the models describe
DAY_US = 86_400_000_000
EPOCH_DAY = dt.date(1970, 1, 1)
# Partitions made ahead by the daily job: today's and the next days'.
AHEAD_DAYS = 2
# One transaction at a time makes or drops partitions, across every replica.
LOCK = text("SELECT pg_advisory_xact_lock(7426110915)")
NAME = re.compile(r"samples_([0-9]{8})")
PARTITIONS = text(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = CAST('telemetry_samples' AS regclass)"
)
# Days known to have a committed partition, per database; a miss asks the catalogue.
_known: weakref.WeakKeyDictionary[Engine, set[int]] = weakref.WeakKeyDictionary()


def day_number(us: int) -> int:
    """The UTC day (days since 1970-01-01) of a time in microseconds since the epoch."""
    return us // DAY_US


def partition_name(day: int) -> str:
    """The table holding one day's samples, schema included."""
    return f"{SCHEMA}.samples_{EPOCH_DAY + dt.timedelta(days=day):%Y%m%d}"


def create_sql(day: int) -> str:
    """The statement that makes one day's partition unless it exists."""
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF telemetry_samples "
        f"FOR VALUES FROM ({day * DAY_US}) TO ({(day + 1) * DAY_US})"
    )


async def partition_days(conn: AsyncConnection) -> set[int]:
    """The days that have a partition, as this transaction sees the catalogue."""
    days = set()
    for (name,) in (await conn.execute(PARTITIONS)).tuples():
        found = NAME.fullmatch(name)
        if found:
            day = dt.datetime.strptime(found[1], "%Y%m%d").date()
            days.add((day - EPOCH_DAY).days)
    return days


async def ensure_days(conn: AsyncConnection, days: Collection[int]) -> None:
    """Make the partitions these days lack, in the caller's transaction (PostgreSQL only).

    Making one locks the parent table until the caller commits: rare (once a day, usually by
    the daily job ahead of time) and short.
    """
    if conn.dialect.name != "postgresql":
        return
    known = _known.setdefault(conn.sync_engine, set())
    if all(day in known for day in days):
        return
    existing = await partition_days(conn)
    # Only partitions seen committed are remembered; ours count once the caller commits.
    known.update(existing)
    missing = sorted(set(days) - existing)
    if missing:
        await conn.execute(LOCK)
        for day in missing:
            await conn.exec_driver_sql(create_sql(day))


def forget(conn: AsyncConnection) -> None:
    """Ask the catalogue again next time (a partition was dropped, or a creation undone)."""
    _known.pop(conn.sync_engine, None)


async def ensure_ahead(conn: AsyncConnection, now: dt.datetime) -> None:
    """Make today's partition and the next days' before samples arrive for them."""
    today = (now.astimezone(dt.UTC).date() - EPOCH_DAY).days
    await ensure_days(conn, range(today, today + AHEAD_DAYS + 1))


async def drop_days_before(conn: AsyncConnection, before_us: int) -> tuple[int, Iterable[int]]:
    """Drop the partitions wholly older than a time; returns the rows they held and the days."""
    if conn.dialect.name != "postgresql":
        return 0, []
    await conn.execute(LOCK)  # two replicas pruning at once: the second finds them gone
    old = sorted(day for day in await partition_days(conn) if (day + 1) * DAY_US <= before_us)
    rows = 0
    for day in old:
        name = partition_name(day)
        rows += int((await conn.exec_driver_sql(f"SELECT count(*) FROM {name}")).scalar_one())
        await conn.exec_driver_sql(f"DROP TABLE {name}")
    forget(conn)
    return rows, old
