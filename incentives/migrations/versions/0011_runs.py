"""Statement runs: the facts of a run kept once, compressed; each statement names its run.

Revision ID: 0011_runs
Revises: 0010_statements
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_runs"
down_revision: str | None = "0010_statements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statement_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.Column("facts_gz", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_runs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_statements_run_id"), ["run_id"])
        batch.create_foreign_key(
            batch.f("fk_statements_run_id_statement_runs"),
            "statement_runs",
            ["run_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_constraint(batch.f("fk_statements_run_id_statement_runs"), type_="foreignkey")
        batch.drop_index(batch.f("ix_statements_run_id"))
        batch.drop_column("run_id")
    op.drop_table("statement_runs")
