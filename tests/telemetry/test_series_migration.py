"""Migration 0015: existing samples move into series and narrow rows, and back, unchanged."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import text

from registry.db import create_engine
from registry.migrate import downgrade, upgrade
from service.demo import MIGRATING_PACKAGES

OLD = [
    # center, metric, labels, time, value: two series of one centre, one of another, a NaN
    (1, "gpu_util", '{"gpu":"0"}', dt.datetime(2026, 11, 30, 16, 0, 0, 123456, dt.UTC), 0.5),
    (1, "gpu_util", '{"gpu":"0"}', dt.datetime(2026, 11, 30, 16, 0, 1, tzinfo=dt.UTC), 0.75),
    (1, "gpu_util", '{"gpu":"1"}', dt.datetime(2026, 11, 30, 16, 0, 0, 123456, dt.UTC), 1.5),
    (2, "gpu_util", '{"gpu":"0"}', dt.datetime(1999, 12, 31, 23, 59, 59, 999999, dt.UTC), None),
]
# The old table as the ORM wrote it: times through SQLAlchemy's own DateTime binding.
OLD_TABLE = sa.table(
    "telemetry_samples",
    sa.column("center_id", sa.Integer),
    sa.column("metric", sa.String),
    sa.column("labels", sa.Text),
    sa.column("sampled_at", sa.DateTime(timezone=True)),
    sa.column("value", sa.Float),
)


def _epoch_us(at: dt.datetime) -> int:
    return (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


UNIT = text(
    "INSERT INTO units (id, code, name, credit_code, kind, in_province, dishonest, "
    "created_at, updated_at) VALUES (:id, :code, :code, :credit, 'enterprise', true, false, "
    ":t, :t)"
)
CENTRE = text(
    "INSERT INTO computing_centers (id, code, unit_id, name, kind, capacity_pflops, status, "
    "costs_fen, created_at, updated_at) VALUES (:id, :code, :unit, :code, 'general', '{}', "
    "'operating', '{}', :t, :t)"
)


async def _fill_old(url: str) -> None:
    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as conn:
            for n in (1, 2):
                credit = f"91110000MA0000000{n}"
                unit = 900 + n  # migration 0001 seeds units of its own
                await conn.execute(UNIT, {"id": unit, "code": f"M{n}", "credit": credit, "t": now})
                await conn.execute(CENTRE, {"id": n, "unit": unit, "code": f"MC{n}", "t": now})
            names = ("center_id", "metric", "labels", "sampled_at", "value")
            await conn.execute(
                OLD_TABLE.insert(), [dict(zip(names, row, strict=True)) for row in OLD]
            )
    finally:
        await engine.dispose()


async def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def test_samples_move_into_series_and_back(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade(url, MIGRATING_PACKAGES, "0002_telemetry")
    await _fill_old(url)
    upgrade(url, MIGRATING_PACKAGES, "0015_telemetry_series")

    series = await _rows(url, "SELECT id, center_id, metric, labels FROM telemetry_series")
    assert sorted(s[1:] for s in series) == [
        (1, "gpu_util", '{"gpu":"0"}'),
        (1, "gpu_util", '{"gpu":"1"}'),
        (2, "gpu_util", '{"gpu":"0"}'),
    ]
    key = {s[0]: s[1:] for s in series}
    samples = await _rows(url, "SELECT series_id, sampled_us, value FROM telemetry_samples")
    moved = sorted((*key[int(str(s))], us, v) for s, us, v in samples)
    assert moved == sorted((c, m, lab, _epoch_us(at), v) for c, m, lab, at, v in OLD)

    downgrade(url, MIGRATING_PACKAGES, "0002_telemetry")
    back = await _rows(
        url, "SELECT center_id, metric, labels, sampled_at, value FROM telemetry_samples"
    )
    restored = sorted(
        (c, m, lab, at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at)), v)
        for c, m, lab, at, v in back
    )
    expected = sorted(
        (c, m, lab, at if "postgresql" in url else at.replace(tzinfo=None), v)
        for c, m, lab, at, v in OLD
    )
    assert [r[:3] + r[4:] for r in restored] == [r[:3] + r[4:] for r in expected]
    assert [_naive(r[3]) for r in restored] == [_naive(r[3]) for r in expected]


def _naive(at: object) -> dt.datetime:
    assert isinstance(at, dt.datetime)
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
