"""The exported files of final statements, kept byte for byte; objections outlive a refresh.

Revision ID: 0013_statement_files
Revises: 0010_statements
Create Date: 2026-12-01 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_statement_files"
down_revision: str | None = "0010_statements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
LINE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "statement_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_files_statement_id_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_files")),
        sa.UniqueConstraint(
            "statement_id",
            "format",
            "lang",
            name=op.f("uq_statement_files_statement_id_format_lang"),
        ),
        sqlite_autoincrement=True,
    )
    # A run refreshing a draft replaces its lines; the objections to them must not block it.
    with op.batch_alter_table("objections") as batch:
        batch.drop_constraint("fk_objections_line_id_statement_lines", type_="foreignkey")
        batch.alter_column("line_id", existing_type=LINE_ID, nullable=True)
        batch.create_foreign_key(
            "fk_objections_line_id_statement_lines",
            "statement_lines",
            ["line_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("objections") as batch:
        batch.drop_constraint("fk_objections_line_id_statement_lines", type_="foreignkey")
        batch.alter_column("line_id", existing_type=LINE_ID, nullable=False)
        batch.create_foreign_key(
            "fk_objections_line_id_statement_lines",
            "statement_lines",
            ["line_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.drop_table("statement_files")
