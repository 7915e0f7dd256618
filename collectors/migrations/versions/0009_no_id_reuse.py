"""No id reuse: exporter targets and attestations get AUTOINCREMENT on SQLite.

SQLite hands out max(rowid) + 1, so deleting the newest target gave its id to the next one,
and one audit trail mixed two centres' targets. PostgreSQL sequences never go back: a no-op.

Revision ID: 0009_no_id_reuse
Revises: 0003_scraping
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_no_id_reuse"
down_revision: str | None = "0003_scraping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("exporter_targets", "capacity_attestations")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        # AUTOINCREMENT is part of CREATE TABLE: batch mode copies the rows into a new table.
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
