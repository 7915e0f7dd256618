"""Invoice numbers compare byte by byte (COLLATE "C") on PostgreSQL.

An invoice number is ASCII digits (a legacy one: its code's digits, then the number's), so
the byte order is the right order and a linguistic collation only adds cost: each b-tree step
of UNIQUE (number, buyer) calls strcoll under the database's locale (en_US.UTF-8, zh_CN.UTF-8),
where "C" is one memcmp. bench/bench_invoice_table.py: a COPY of 100,000 invoices in file
order is not affected (each goes to the right end of the index), but in random order the
unique index alone took 0.49 s under an en-US collation against 0.39 s under "C".
`sales_reports.number` goes along: a join of a "C" column with a default-collation one is
compared under "C", and an index under another collation could not serve that join.
The indexes on these columns are rebuilt; the rows stay as they are. SQLite compares text
byte by byte already (BINARY): nothing to do there.

Revision ID: 0017_invoice_numbers_c
Revises: 0016_invoice_keys
Create Date: 2026-12-01 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_invoice_numbers_c"
down_revision: str | None = "0016_invoice_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("invoices", "number"), ("sales_reports", "number"))


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(
            f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE varchar(20) COLLATE "{collation}"'
        )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
