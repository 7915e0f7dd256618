"""Telemetry: raw samples, daily roll-ups, Pushgateway groups.

Revision ID: 0002_telemetry
Revises: 0001_registry
Create Date: 2026-11-29 14:28:32.972786
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0002_telemetry"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _center_id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f(f"fk_{table}_center_id_computing_centers"),
            ondelete="RESTRICT",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "telemetry_daily",
        sa.Column("id", BIG_ID, nullable=False),
        *_center_id("telemetry_daily"),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_daily")),
        sa.UniqueConstraint(
            "center_id", "metric", "day", name=op.f("uq_telemetry_daily_center_id_metric_day")
        ),
    )
    op.create_table(
        "telemetry_pushed_families",
        sa.Column("id", BIG_ID, nullable=False),
        *_center_id("telemetry_pushed_families"),
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("grouping", sa.String(length=1000), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_pushed_families")),
        sa.UniqueConstraint(
            "center_id",
            "job",
            "grouping",
            "name",
            name=op.f("uq_telemetry_pushed_families_center_id_job_grouping_name"),
        ),
    )
    op.create_table(
        "telemetry_samples",
        sa.Column("id", BIG_ID, nullable=False),
        *_center_id("telemetry_samples"),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_samples")),
        sa.UniqueConstraint(
            "center_id",
            "metric",
            "labels",
            "sampled_at",
            name=op.f("uq_telemetry_samples_center_id_metric_labels_sampled_at"),
        ),
    )
    op.create_index("ix_telemetry_samples_sampled_at", "telemetry_samples", ["sampled_at"])


def downgrade() -> None:
    op.drop_index("ix_telemetry_samples_sampled_at", table_name="telemetry_samples")
    op.drop_table("telemetry_samples")
    op.drop_table("telemetry_pushed_families")
    op.drop_table("telemetry_daily")
