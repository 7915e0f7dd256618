"""Invoices on PostgreSQL: the primary key is (buyer, id), and serves a buyer's list.

Every b-tree of `invoices` is written for each row of an upload. The buyer's list needed an
index of its own beside the primary key (id); a primary key on (buyer_unit_id, id) serves
both: a buyer's invoices in claim order, and an upload's own rows (its buyers, ids from the
upload's floor). One b-tree fewer: bench/bench_invoice_table.py, 100,000 rows, best of 9,
0.380 s -> 0.322 s (the table without the buyer index at all: 0.308 s).
What no longer has an index is a lookup by bare id: the code always names the buyer with the
id (tests/invoices/test_invoice_buyer_key.py reads the plans). Ids still come from the one
sequence, so they stay unique and in claim order. SQLite keeps its rowid and its buyer index:
there the rowid is the table's own b-tree and an index costs little.

Revision ID: 0018_invoice_buyer_key
Revises: 0017_invoice_numbers_c
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_invoice_buyer_key"
down_revision: str | None = "0017_invoice_numbers_c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute(
        "ALTER TABLE invoices DROP CONSTRAINT pk_invoices, "
        "ADD CONSTRAINT pk_invoices PRIMARY KEY (buyer_unit_id, id)"
    )
    op.drop_index("ix_invoices_buyer_unit_id", table_name="invoices")


def downgrade() -> None:
    if not _postgresql():
        return
    op.create_index("ix_invoices_buyer_unit_id", "invoices", ["buyer_unit_id"])
    op.execute(
        "ALTER TABLE invoices DROP CONSTRAINT pk_invoices, "
        "ADD CONSTRAINT pk_invoices PRIMARY KEY (id)"
    )
