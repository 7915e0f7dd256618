"""Every claim of an invoice number can be found: an index on invoices.number.

The status of an invoice depends on every claim of its number (the first one the seller
confirmed counts, else the first one), so the invoice list reads them all. The first-claims
table stays as it is: the upload report still counts numbers another buyer claimed first.

Revision ID: 0012_claims
Revises: 0004_invoices
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_claims"
down_revision: str | None = "0004_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_invoices_number"), "invoices", ["number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoices_number"), table_name="invoices")
