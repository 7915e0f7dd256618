"""Samples of given centres at given instants, with their series: what a push stored."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.telemetry.models import TelemetrySample, TelemetrySeries
from collectors.telemetry.store import from_microseconds, to_microseconds

CHUNK = 500
# centre id, metric, canonical labels, time, value (None is NaN)
StoredSample = tuple[int, str, str, dt.datetime, float | None]


async def samples_at(
    session: AsyncSession, instants: Iterable[tuple[int, dt.datetime]]
) -> list[StoredSample]:
    """The samples stored for each (centre id, time), series by series in order of creation.

    There is no index on time alone: each centre's series are found by the series key, then
    each sample by the primary key (series, time).
    """
    times: dict[int, set[int]] = defaultdict(set)
    for center_id, at in instants:
        times[center_id].add(to_microseconds(at))
    out: list[StoredSample] = []
    for center_id, wanted in sorted(times.items()):
        ordered = sorted(wanted)
        for start in range(0, len(ordered), CHUNK):
            rows = await session.execute(
                select(
                    TelemetrySeries.metric,
                    TelemetrySeries.labels,
                    TelemetrySample.sampled_us,
                    TelemetrySample.value,
                )
                .join(TelemetrySample, TelemetrySample.series_id == TelemetrySeries.id)
                .where(
                    TelemetrySeries.center_id == center_id,
                    TelemetrySample.sampled_us.in_(ordered[start : start + CHUNK]),
                )
                .order_by(TelemetrySample.series_id, TelemetrySample.sampled_us)
            )
            out += (
                (center_id, metric, labels, from_microseconds(us), value)
                for metric, labels, us, value in rows.tuples()
            )
    return out
