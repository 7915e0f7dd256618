"""Group commit and the narrow store: batches stored together stay each all-or-nothing and once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy import func, select

from collectors.telemetry.context import TELEMETRY
from collectors.telemetry.models import TelemetrySample, TelemetrySeries
from collectors.telemetry.samples import Reading
from collectors.telemetry.store import from_microseconds, store_batches, to_microseconds
from registry.models import ComputingCenter
from service.kit.keys import DB
from tests.telemetry.conftest import Tokens
from tests.telemetry.test_telemetry_api import at, post, read, sample

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
ZONE = ZoneInfo("Asia/Shanghai")


async def _centre_id(app: web.Application, code: str) -> int:
    async with app[DB]() as session:
        found = await session.scalar(select(ComputingCenter.id).where(ComputingCenter.code == code))
    assert found is not None
    return found


def _reading(centre: int, value: float, hours_ago: float, gpu: str = "0") -> Reading:
    at_ = NOW - dt.timedelta(hours=hours_ago)
    return Reading(centre, "gpu_util", f'{{"gpu":"{gpu}"}}', at_, value)


def test_times_are_stored_as_exact_microseconds() -> None:
    moment = dt.datetime(2026, 12, 1, 3, 4, 5, 678901, dt.UTC)
    assert from_microseconds(to_microseconds(moment)) == moment
    assert to_microseconds(dt.datetime(1970, 1, 1, 0, 0, 0, 1, dt.UTC)) == 1


async def test_concurrent_overlapping_batches_store_each_sample_once(
    client: Any, tokens: Tokens
) -> None:
    # Eight batches at once, each overlapping the next: they meet in the writer's queue.
    batches = [
        [sample(float(i), at(10 - i / 10), gpu=str(g)) for i in (n, n + 1) for g in ("0", "1")]
        for n in range(8)
    ]
    answers = await asyncio.gather(*(post(client, tokens.center_u1, b) for b in batches))
    bodies = [await r.json() for r in answers]
    assert all(r.status == 200 for r in answers), bodies
    assert sum(b["accepted"] for b in bodies) == 18  # nine distinct times, two GPUs
    assert sum(b["duplicates"] for b in bodies) == 32 - 18
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    assert page["total"] == 18
    daily = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert sum(d["count"] for d in daily["items"]) == 18


async def test_a_group_counts_repeats_across_its_batches_in_order(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    centre = await _centre_id(app, "C1")
    first = [_reading(centre, 1, 2), _reading(centre, 2, 1)]
    second = [_reading(centre, 9, 2), _reading(centre, 3, 0.5), _reading(centre, 3, 0.5)]
    tz = app[TELEMETRY].timezone
    async with app[DB]() as session:
        stored = await store_batches(session, [first, second], tz)
        await session.commit()
    assert [(s.accepted, s.duplicates) for s in stored] == [(2, 0), (1, 2)]
    async with app[DB]() as session:
        values = await session.scalars(
            select(TelemetrySample.value).order_by(TelemetrySample.sampled_us)
        )
        assert list(values) == [1, 2, 3]  # the first batch's value of the repeated sample


async def test_a_failing_batch_fails_alone_and_the_others_of_its_group_are_stored(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    centre = await _centre_id(app, "C1")
    writer = app[TELEMETRY].group_writer(app[DB])
    good = [_reading(centre, 1, 2), _reading(centre, 2, 1, gpu="1")]
    bad = [_reading(centre, 5, 3), _reading(999_999, 6, 3)]  # no such centre: the key refuses it
    later = [_reading(centre, 3, 0.5)]
    results = await asyncio.gather(
        writer.store(good), writer.store(bad), writer.store(later), return_exceptions=True
    )
    assert [(r.accepted, r.duplicates) for r in (results[0], results[2])] == [(2, 0), (1, 0)]  # type: ignore[union-attr]
    assert isinstance(results[1], Exception)
    async with app[DB]() as session:
        values = await session.scalars(select(TelemetrySample.value))
        assert sorted(values) == [1, 2, 3]  # nothing of the bad batch, not even its good sample
        series = await session.scalar(select(func.count()).select_from(TelemetrySeries))
        assert series == 2


@pytest.mark.parametrize("then", ["rollback", "commit"])
async def test_a_series_created_in_a_rolled_back_transaction_is_not_remembered(
    app: web.Application, client: Any, tokens: Tokens, then: str
) -> None:
    centre = await _centre_id(app, "C1")
    tz = app[TELEMETRY].timezone
    async with app[DB]() as session:
        await store_batches(session, [[_reading(centre, 1, 2, gpu="7")]], tz)
        await (session.rollback() if then == "rollback" else session.commit())
    # The same series again: its id must be looked up afresh after a rollback.
    async with app[DB]() as session:
        stored = await store_batches(session, [[_reading(centre, 2, 1, gpu="7")]], tz)
        await session.commit()
    assert stored[0].accepted == 1
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    expected = [1.0, 2.0] if then == "commit" else [2.0]
    assert [s["value"] for s in page["items"]] == expected
    assert all(s["labels"] == {"gpu": "7"} for s in page["items"])


async def test_pruning_walks_each_series_in_bounded_chunks(
    app: web.Application, client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collectors.telemetry import retention

    monkeypatch.setattr(retention, "CHUNK", 10)
    centre = await _centre_id(app, "C1")
    old = [_reading(centre, float(i), 24 * 95 + i / 60) for i in range(25)]
    old += [_reading(centre, float(i), 24 * 91, gpu=str(i)) for i in (1, 2, 3)]
    recent = [_reading(centre, 7.0, 24 * 89), _reading(centre, 8.0, 1, gpu="1")]
    async with app[DB]() as session:
        await store_batches(session, [old + recent], app[TELEMETRY].timezone)
        await session.commit()
    assert await retention.prune(app[DB], 90, NOW) == 28
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    assert [s["value"] for s in page["items"]] == [7.0, 8.0]
    daily = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert sum(d["count"] for d in daily["items"]) == 30  # roll-ups are kept


async def test_samples_at_finds_what_a_centre_stored_at_each_instant(
    app: web.Application, client: Any, tokens: Tokens
) -> None:
    from collectors.telemetry.instants import samples_at

    c1, c2 = await _centre_id(app, "C1"), await _centre_id(app, "C2")
    pushed = dt.datetime(2026, 12, 1, 1, 2, 3, 456789, dt.UTC)
    other = pushed + dt.timedelta(microseconds=1)
    rows = [
        Reading(c1, "up", "{}", pushed, 1.0),
        Reading(c1, "temp", '{"gpu":"0"}', pushed, None),  # NaN
        Reading(c1, "up", "{}", other, 0.0),  # another instant: not asked for
        Reading(c2, "up", "{}", pushed, 5.0),  # another centre at the same instant
    ]
    async with app[DB]() as session:
        await store_batches(session, [rows], ZONE)
        await session.commit()
    async with app[DB]() as session:
        found = await samples_at(session, [(c1, pushed)])
    assert [(m, lab, at, v) for _, m, lab, at, v in found if v is not None] == [
        ("up", "{}", pushed, 1.0)
    ]
    assert sorted(m for _, m, _, _, _ in found) == ["temp", "up"]
    assert all(c == c1 for c, _, _, _, _ in found)


async def test_batches_arriving_together_are_stored_in_one_group_and_answered_each(
    app: web.Application, client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collectors.telemetry import writer as writer_module

    # Long enough that the group waits for every batch being checked, however slow the machine.
    monkeypatch.setattr(writer_module, "SIBLINGS_WAIT", 60.0)
    centre = await _centre_id(app, "C1")
    writer = app[TELEMETRY].group_writer(app[DB])
    first = [_reading(centre, 1, 3), _reading(centre, 2, 2)]
    second = [_reading(centre, 2, 2), _reading(centre, 3, 1)]  # repeats the first's second
    third = [_reading(centre, 4, 0.5), _reading(centre, 4, 0.5)]  # repeats its own first

    async def push(batch: list[Reading], checking: float) -> tuple[int, int]:
        with writer.arrival() as arrival:
            # Checked for a while: the first is queued, and its group started, before the others.
            await asyncio.sleep(checking)
            stored = await writer.store(batch, arrival)
        return stored.accepted, stored.duplicates

    before = writer.groups
    answers = await asyncio.gather(push(first, 0), push(second, 0.05), push(third, 0.1))
    assert writer.groups == before + 1
    assert answers == [(2, 0), (1, 1), (1, 1)]  # as if stored one after another
    assert writer.arriving == 0
    daily = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert sum(d["count"] for d in daily["items"]) == 4


async def test_a_batch_given_up_or_refused_is_not_waited_for(
    app: web.Application, client: Any, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collectors.telemetry import writer as writer_module

    monkeypatch.setattr(writer_module, "SIBLINGS_WAIT", 60.0)
    writer = app[TELEMETRY].group_writer(app[DB])
    reading = asyncio.Event()

    async def abandoned() -> None:
        with writer.arrival():
            reading.set()
            await asyncio.Event().wait()  # a client that never finishes its body

    task = asyncio.create_task(abandoned())
    await reading.wait()
    assert writer.arriving == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert writer.arriving == 0
    refused = await post(client, tokens.center_u1, [sample(1.0, at(1), facility="NOPE")])
    assert refused.status == 422
    assert writer.arriving == 0
    # Nothing left counted: the next batch is stored without waiting for a batch that never comes.
    stored = await asyncio.wait_for(post(client, tokens.center_u1, [sample(1.0, at(1))]), 30)
    assert stored.status == 200, await stored.text()
    assert (await stored.json())["accepted"] == 1
