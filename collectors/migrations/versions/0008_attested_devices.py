"""Attested devices: the hardware ids each attestation counted, how many it left out, and
the devices pushed exporter samples show.

Revision ID: 0008_attested_devices
Revises: 0003_scraping
Create Date: 2026-12-01 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_attested_devices"
down_revision: str | None = "0003_scraping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attested_devices",
        sa.Column("attestation_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["attestation_id"],
            ["capacity_attestations.id"],
            name=op.f("fk_attested_devices_attestation_id_capacity_attestations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attestation_id", "device", name=op.f("pk_attested_devices")),
    )
    with op.batch_alter_table("attested_devices", schema=None) as batch_op:
        batch_op.create_index("ix_attested_devices_device", ["device"], unique=False)
    op.create_table(
        "pushed_inventories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("grouping", sa.String(length=1000), nullable=False),
        sa.Column("exporter", sa.String(length=16), nullable=False),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_pushed_inventories_center_id_computing_centers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushed_inventories")),
        sa.UniqueConstraint(
            "center_id",
            "job",
            "grouping",
            name=op.f("uq_pushed_inventories_center_id_job_grouping"),
        ),
    )
    with op.batch_alter_table("capacity_attestations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("devices_elsewhere", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    op.drop_table("pushed_inventories")
    with op.batch_alter_table("capacity_attestations", schema=None) as batch_op:
        batch_op.drop_column("devices_elsewhere")
    with op.batch_alter_table("attested_devices", schema=None) as batch_op:
        batch_op.drop_index("ix_attested_devices_device")
    op.drop_table("attested_devices")
