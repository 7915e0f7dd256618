"""Invoices: uploads, buyers' invoice claims, first claims per number, providers' sales reports.

Revision ID: 0004_invoices
Revises: 0001_registry
Create Date: 2026-11-29 14:28:23.781754
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_invoices"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invoice_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_unit_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("stored_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_unit_id"],
            ["units.id"],
            name=op.f("fk_invoice_uploads_buyer_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_uploads")),
    )
    with op.batch_alter_table("invoice_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_uploads_buyer_unit_id"), ["buyer_unit_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoice_uploads_sha256"), ["sha256"], unique=False)

    op.create_table(
        "invoice_first_claims",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("buyer_unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_unit_id"],
            ["units.id"],
            name=op.f("fk_invoice_first_claims_buyer_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_invoice_first_claims")),
    )

    op.create_table(
        "invoices",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("buyer_unit_id", sa.Integer(), nullable=False),
        sa.Column("seller_unit_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reverses", sa.String(length=20), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_unit_id"],
            ["units.id"],
            name=op.f("fk_invoices_buyer_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["seller_unit_id"],
            ["units.id"],
            name=op.f("fk_invoices_seller_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["invoice_uploads.id"],
            name=op.f("fk_invoices_upload_id_invoice_uploads"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "buyer_unit_id", "number", name=op.f("uq_invoices_buyer_unit_id_number")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_upload_id_row", ["upload_id", "row"], unique=False)

    op.create_table(
        "sales_reports",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("seller_unit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("buyer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("accelerator_hours", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_unit_id"],
            ["units.id"],
            name=op.f("fk_sales_reports_seller_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_reports")),
        sa.UniqueConstraint(
            "seller_unit_id", "number", name=op.f("uq_sales_reports_seller_unit_id_number")
        ),
    )
    with op.batch_alter_table("sales_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_reports_buyer_credit_code"), ["buyer_credit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sales_reports_number"), ["number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_reports_number"))
        batch_op.drop_index(batch_op.f("ix_sales_reports_buyer_credit_code"))
    op.drop_table("sales_reports")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_upload_id_row")
    op.drop_table("invoices")
    op.drop_table("invoice_first_claims")
    with op.batch_alter_table("invoice_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_uploads_sha256"))
        batch_op.drop_index(batch_op.f("ix_invoice_uploads_buyer_unit_id"))
    op.drop_table("invoice_uploads")
