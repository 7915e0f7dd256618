"""Telemetry series: labels stored once per series, narrow sample rows keyed by (series, time).

Existing samples move over: each distinct (centre, metric, labels) becomes a series, and each
sample a row (series_id, microseconds since the epoch, value). On SQLite the new sample table
is WITHOUT ROWID. Downgrade moves them back.

Revision ID: 0015_telemetry_series
Revises: 0002_telemetry
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_telemetry_series"
down_revision: str | None = "0002_telemetry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The old column held UTC times: a timestamptz on PostgreSQL, 'YYYY-MM-DD HH:MM:SS.ffffff' text
# on SQLite (SQLAlchemy's storage format); both convert exactly to and from microseconds.
TO_MICROSECONDS = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM v.sampled_at) * 1000000 AS BIGINT)",
    "sqlite": "CAST(strftime('%s', substr(v.sampled_at, 1, 19)) AS INTEGER) * 1000000"
    " + CAST(substr(v.sampled_at || '.000000', 21, 6) AS INTEGER)",
}
FROM_MICROSECONDS = {
    "postgresql": "TIMESTAMPTZ 'epoch' + n.sampled_us * INTERVAL '1 microsecond'",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%S', n.sampled_us / 1000000, 'unixepoch')"
    " || printf('.%06d', n.sampled_us % 1000000)",
}


def _dialect() -> str:
    return op.get_bind().dialect.name


def _old_samples(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_telemetry_samples_center_id_computing_centers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_samples")),
        sa.UniqueConstraint(
            "center_id",
            "metric",
            "labels",
            "sampled_at",
            name=op.f("uq_telemetry_samples_center_id_metric_labels_sampled_at"),
        ),
    )


def upgrade() -> None:
    dialect = _dialect()
    op.create_table(
        "telemetry_series",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_telemetry_series_center_id_computing_centers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_series")),
        sa.UniqueConstraint(
            "center_id",
            "metric",
            "labels",
            name=op.f("uq_telemetry_series_center_id_metric_labels"),
        ),
    )
    op.execute(
        "INSERT INTO telemetry_series (center_id, metric, labels) "
        "SELECT DISTINCT center_id, metric, labels FROM telemetry_samples "
        "ORDER BY center_id, metric, labels"
    )
    # PostgreSQL names constraints schema-wide: the new key gets its final name after the drop.
    op.create_table(
        "telemetry_samples_new",
        sa.Column("series_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sampled_us", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "series_id",
            "sampled_us",
            name="pk_telemetry_samples" if dialect == "sqlite" else "pk_telemetry_samples_new",
        ),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO telemetry_samples_new (series_id, sampled_us, value) "
        f"SELECT s.id, {TO_MICROSECONDS[dialect]}, v.value "
        "FROM telemetry_samples v JOIN telemetry_series s ON s.center_id = v.center_id "
        "AND s.metric = v.metric AND s.labels = v.labels"
    )
    op.drop_index("ix_telemetry_samples_sampled_at", table_name="telemetry_samples")
    op.drop_table("telemetry_samples")
    op.rename_table("telemetry_samples_new", "telemetry_samples")
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE telemetry_samples "
            "RENAME CONSTRAINT pk_telemetry_samples_new TO pk_telemetry_samples"
        )


def downgrade() -> None:
    dialect = _dialect()
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE telemetry_samples "
            "RENAME CONSTRAINT pk_telemetry_samples TO pk_telemetry_samples_new"
        )
    op.rename_table("telemetry_samples", "telemetry_samples_new")
    _old_samples("telemetry_samples")
    op.execute(
        "INSERT INTO telemetry_samples (center_id, metric, labels, sampled_at, value) "
        f"SELECT s.center_id, s.metric, s.labels, {FROM_MICROSECONDS[dialect]}, n.value "
        "FROM telemetry_samples_new n JOIN telemetry_series s ON s.id = n.series_id "
        "ORDER BY n.sampled_us, s.id"
    )
    op.create_index("ix_telemetry_samples_sampled_at", "telemetry_samples", ["sampled_at"])
    op.drop_table("telemetry_samples_new")
    op.drop_table("telemetry_series")
