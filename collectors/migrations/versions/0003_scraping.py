"""Scraping: exporter targets and capacity attestations.

Revision ID: 0003_scraping
Revises: 0001_registry
Create Date: 2026-11-29 14:29:43.087466
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_scraping"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exporter_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("exporter", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("detected_exporter", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_exporter_targets_center_id_computing_centers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exporter_targets")),
        sa.UniqueConstraint("center_id", "url", name=op.f("uq_exporter_targets_center_id_url")),
    )
    with op.batch_alter_table("exporter_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exporter_targets_center_id"), ["center_id"], unique=False
        )
        batch_op.create_index(
            "ix_exporter_targets_due", ["enabled", "next_attempt_at"], unique=False
        )

    op.create_table(
        "capacity_attestations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("attested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inventory", sa.JSON(), nullable=False),
        sa.Column("unknown_models", sa.JSON(), nullable=False),
        sa.Column("devices_total", sa.Integer(), nullable=False),
        sa.Column("attested_pflops", sa.JSON(), nullable=False),
        sa.Column("declared_pflops", sa.JSON(), nullable=False),
        sa.Column("center_kind", sa.String(length=32), nullable=False),
        sa.Column("required_precision", sa.String(length=8), nullable=True),
        sa.Column("threshold_pflops", sa.String(length=32), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("source_target_id", sa.Integer(), nullable=True),
        sa.Column("target_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_capacity_attestations_center_id_computing_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_target_id"],
            ["exporter_targets.id"],
            name=op.f("fk_capacity_attestations_source_target_id_exporter_targets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_attestations")),
    )
    with op.batch_alter_table("capacity_attestations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_capacity_attestations_center_latest", ["center_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capacity_attestations_flagged"), ["flagged"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("capacity_attestations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_attestations_flagged"))
        batch_op.drop_index("ix_capacity_attestations_center_latest")

    op.drop_table("capacity_attestations")
    with op.batch_alter_table("exporter_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_exporter_targets_due")
        batch_op.drop_index(batch_op.f("ix_exporter_targets_center_id"))

    op.drop_table("exporter_targets")
