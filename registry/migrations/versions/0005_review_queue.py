"""The review queue of declared money-deciding values; key holders' names in keys and audit.

Revision ID: 0005_review_queue
Revises: 0005_verified
Create Date: 2026-12-01 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_review_queue"
down_revision: str | None = "0005_verified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "pending_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_code", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=32), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_changes")),
    )
    op.create_index(
        op.f("ix_pending_changes_object_code"), "pending_changes", ["object_code"], unique=False
    )
    op.create_index(
        op.f("ix_pending_changes_unit_code"), "pending_changes", ["unit_code"], unique=False
    )
    op.create_index(op.f("ix_pending_changes_status"), "pending_changes", ["status"], unique=False)
    op.create_index(
        "uq_pending_changes_one_pending",
        "pending_changes",
        ["object_type", "object_code"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    # Plain ADD/RENAME COLUMN on both databases: a batch copy of audit_log would drop its
    # append-only triggers.
    op.add_column("audit_log", sa.Column("actor_name", sa.String(length=200), nullable=True))
    op.execute("ALTER TABLE api_keys RENAME COLUMN label TO name")


def downgrade() -> None:
    op.execute("ALTER TABLE api_keys RENAME COLUMN name TO label")
    op.execute("ALTER TABLE audit_log DROP COLUMN actor_name")
    op.drop_index("uq_pending_changes_one_pending", table_name="pending_changes")
    op.drop_index(op.f("ix_pending_changes_status"), table_name="pending_changes")
    op.drop_index(op.f("ix_pending_changes_unit_code"), table_name="pending_changes")
    op.drop_index(op.f("ix_pending_changes_object_code"), table_name="pending_changes")
    op.drop_table("pending_changes")
