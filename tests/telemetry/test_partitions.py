"""Samples by COPY and in daily partitions (PostgreSQL): made on demand, dropped by retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from aiohttp import web
from sqlalchemy import func, select

from collectors.telemetry import partitions, store
from collectors.telemetry.context import TELEMETRY
from collectors.telemetry.models import TelemetryDaily, TelemetrySample
from collectors.telemetry.partitions import DAY_US, day_number, partition_days
from collectors.telemetry.retention import prune
from collectors.telemetry.store import store_batches, to_microseconds
from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES
from service.kit.keys import DB
from tests.telemetry.conftest import Tokens
from tests.telemetry.test_group_commit import NOW, _centre_id, _reading
from tests.telemetry.test_series_migration import OLD, _epoch_us, _fill_old, _rows


def _day(hours_ago: float) -> int:
    return day_number(to_microseconds(NOW - dt.timedelta(hours=hours_ago)))


def _noon(days_ago: int) -> float:
    """Hours before NOW of noon (UTC) that many days before NOW's day: an hour either side of
    it is the same day's partition, whenever the test runs (at 23:30, 30 days and 1 hour less
    ago would be the next day)."""
    midnight = NOW.replace(hour=0, minute=0, second=0)
    noon = midnight - dt.timedelta(days=days_ago) + dt.timedelta(hours=12)
    return (NOW - noon) / dt.timedelta(hours=1)


async def _days(app: web.Application) -> set[int]:
    async with app[DB]() as session:
        return await partition_days(await session.connection())


async def _counts(app: web.Application) -> tuple[int, int]:
    async with app[DB]() as session:
        raw = await session.scalar(select(func.count()).select_from(TelemetrySample))
        rolled = await session.scalar(select(func.sum(TelemetryDaily.count)))
    return int(raw or 0), int(rolled or 0)


def _zone(app: web.Application) -> Any:
    return app[TELEMETRY].timezone


def _postgresql_only(app: web.Application) -> None:
    if app[DB].kw["bind"].dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's; SQLite keeps one table")


async def test_a_partition_is_made_on_demand_for_a_new_day(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    _postgresql_only(app)
    centre = await _centre_id(app, "C1")
    assert _day(24 * 40) not in await _days(app)
    async with app[DB]() as session:
        stored = await store_batches(
            session, [[_reading(centre, 1, 24 * 40), _reading(centre, 2, 1)]], _zone(app)
        )
        await session.commit()
    assert stored[0].accepted == 2
    assert {_day(24 * 40), _day(1)} <= await _days(app)
    assert await _counts(app) == (2, 2)


@pytest.mark.parametrize("gone", ["rolled back", "dropped"])
async def test_a_remembered_partition_that_is_gone_is_made_again(
    app: web.Application, client: Any, tokens: Tokens, gone: str
) -> None:
    _postgresql_only(app)
    centre = await _centre_id(app, "C1")
    noon = _noon(30)
    async with app[DB]() as session:
        await store_batches(session, [[_reading(centre, 1, noon)]], _zone(app))
        if gone == "dropped":
            await session.commit()
        # A second store finds the day's partition in the catalogue and remembers it.
        await store_batches(session, [[_reading(centre, 1, noon - 0.5)]], _zone(app))
        if gone == "rolled back":
            await session.rollback()  # the partition made for that day goes with it
        else:
            await session.commit()
            conn = await session.connection()
            await conn.exec_driver_sql(f"DROP TABLE {partitions.partition_name(_day(noon))}")
            await session.commit()
    # The same day again, another sample: the COPY finds no partition, which is made anew.
    async with app[DB]() as session:
        stored = await store_batches(session, [[_reading(centre, 2, noon - 1)]], _zone(app))
        await session.commit()
    assert stored[0].accepted == 1
    assert _day(noon) in await _days(app)
    raw, _ = await _counts(app)
    assert raw == 1


async def test_retention_drops_whole_days_and_keeps_the_rollups(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    centre = await _centre_id(app, "C1")
    batch = [_reading(centre, float(i), 24 * 80 + i) for i in range(3)]
    batch += [_reading(centre, 9.0, 24 * 10)]
    async with app[DB]() as session:
        await store_batches(session, [batch], _zone(app))
        await session.commit()
    later = NOW + dt.timedelta(days=30)  # three samples are now 110 days old, one 40
    assert await prune(app[DB], 90, later) == 3
    assert await _counts(app) == (1, 4)  # roll-ups stay
    if app[DB].kw["bind"].dialect.name == "postgresql":
        days = await _days(app)
        cutoff = to_microseconds(later - dt.timedelta(days=90))
        assert all((day + 1) * DAY_US > cutoff for day in days)  # nothing wholly past it
        assert _day(24 * 10) in days
        today = day_number(to_microseconds(later))
        assert {today, today + 1, today + 2} <= days  # made ahead


async def test_a_resent_batch_is_not_doubled_and_its_new_samples_count_once(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    centre = await _centre_id(app, "C1")
    first = [_reading(centre, 1, 3), _reading(centre, 2, 2)]
    async with app[DB]() as session:
        assert [s.accepted for s in await store_batches(session, [first], _zone(app))] == [2]
        await session.commit()
    # Re-sent, alone and then with a new sample in a group: the COPY meets a stored key, and
    # then only the first of each key not stored yet is copied and counted.
    again = [*first, _reading(centre, 3, 1)]
    other = [_reading(centre, 4, 0.5, gpu="1")]
    async with app[DB]() as session:
        stored = await store_batches(session, [first, again, other], _zone(app))
        await session.commit()
    assert [(s.accepted, s.duplicates) for s in stored] == [(0, 2), (1, 2), (1, 0)]
    assert await _counts(app) == (4, 4)


async def test_a_key_stored_by_another_writer_meanwhile_goes_the_careful_way(
    app: web.Application, client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(app)
    centre = await _centre_id(app, "C1")
    first = [_reading(centre, 1, 3), _reading(centre, 2, 2)]
    async with app[DB]() as session:
        await store_batches(session, [first], _zone(app))
        await session.commit()

    async def unseen(conn: Any, group: Any) -> Any:
        return np.array([], dtype=np.intp)  # as if stored after the look, before the COPY

    monkeypatch.setattr(store, "_stored_already", unseen)
    again = [*first, _reading(centre, 3, 1)]
    async with app[DB]() as session:
        stored = await store_batches(session, [again, again], _zone(app))
        await session.commit()
    assert [(s.accepted, s.duplicates) for s in stored] == [(1, 2), (0, 3)]
    assert await _counts(app) == (3, 3)


async def test_the_partition_migration_moves_samples_and_back(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade(url, MIGRATING_PACKAGES, "0002_telemetry")
    await _fill_old(url)
    upgrade(url, MIGRATING_PACKAGES, "0015_telemetry_series")
    query = "SELECT series_id, sampled_us, value FROM telemetry_samples ORDER BY 1, 2"
    before = await _rows(url, query)
    assert len(before) == len(OLD)
    upgrade(url, MIGRATING_PACKAGES, "0016_telemetry_partitions")
    assert await _rows(url, query) == before
    if url.startswith("postgresql"):
        names = await _rows(
            url,
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST('telemetry_samples' AS regclass) ORDER BY 1",
        )
        days = sorted({f"samples_{at:%Y%m%d}" for *_, at, _v in OLD})
        assert [n for (n,) in names] == days
        assert all(_epoch_us(at) // DAY_US >= 0 for *_, at, _v in OLD)
    downgrade(url, MIGRATING_PACKAGES, "0015_telemetry_series")
    assert await _rows(url, query) == before
    if url.startswith("postgresql"):
        schemas = await _rows(
            url, "SELECT 1 FROM pg_namespace WHERE nspname = 'telemetry_partitions'"
        )
        assert schemas == []
    upgrade(url, MIGRATING_PACKAGES)
    assert await _rows(url, query) == before
