"""Telemetry samples in daily partitions on PostgreSQL; SQLite keeps one table.

The sample table becomes a table partitioned by UTC day of `sampled_us`, its partitions in a
schema of their own (telemetry_partitions). Existing samples move into one partition per day
that holds any. Downgrade moves them back into one plain table. Nothing changes on SQLite.

Revision ID: 0016_telemetry_partitions
Revises: 0015_telemetry_series
Create Date: 2026-12-01 15:00:00.000000
"""

import datetime as dt
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0016_telemetry_partitions"
down_revision: str | None = "0015_telemetry_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "telemetry_partitions"
DAY_US = 86_400_000_000


def _samples_table(name: str, key: str, partitioned: bool) -> str:
    return (
        f"CREATE TABLE {name} (series_id BIGINT NOT NULL, sampled_us BIGINT NOT NULL, "
        f"value FLOAT, CONSTRAINT {key} PRIMARY KEY (series_id, sampled_us))"
        + (" PARTITION BY RANGE (sampled_us)" if partitioned else "")
    )


def _move(source: str, target: str) -> None:
    op.execute(
        f"INSERT INTO {target} (series_id, sampled_us, value) "
        f"SELECT series_id, sampled_us, value FROM {source} ORDER BY series_id, sampled_us"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.execute("ALTER TABLE telemetry_samples RENAME TO telemetry_samples_plain")
    op.execute(
        "ALTER TABLE telemetry_samples_plain "
        "RENAME CONSTRAINT pk_telemetry_samples TO pk_telemetry_samples_plain"
    )
    op.execute(_samples_table("telemetry_samples", "pk_telemetry_samples", partitioned=True))
    days = op.get_bind().execute(
        text(
            "SELECT DISTINCT CAST(floor(sampled_us / CAST(:day AS NUMERIC)) AS BIGINT) "
            "FROM telemetry_samples_plain"
        ),
        {"day": DAY_US},
    )
    for (day,) in days.all():
        # The names the service gives them (collectors.telemetry.partitions).
        op.execute(_partition_sql(int(day)))
    _move("telemetry_samples_plain", "telemetry_samples")
    op.drop_table("telemetry_samples_plain")


def _partition_sql(day: int) -> str:
    date = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return (
        f"CREATE TABLE {SCHEMA}.samples_{date:%Y%m%d} PARTITION OF telemetry_samples "
        f"FOR VALUES FROM ({day * DAY_US}) TO ({(day + 1) * DAY_US})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE telemetry_samples RENAME TO telemetry_samples_partitioned")
    op.execute(
        "ALTER TABLE telemetry_samples_partitioned "
        "RENAME CONSTRAINT pk_telemetry_samples TO pk_telemetry_samples_partitioned"
    )
    op.execute(_samples_table("telemetry_samples", "pk_telemetry_samples", partitioned=False))
    _move("telemetry_samples_partitioned", "telemetry_samples")
    op.drop_table("telemetry_samples_partitioned")  # its partitions with it
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
