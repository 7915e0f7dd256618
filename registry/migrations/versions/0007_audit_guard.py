"""Audit guard: no REPLACE over an entry on SQLite, no TRUNCATE on PostgreSQL; the caller's id.

Revision ID: 0007_audit_guard
Revises: 0001_registry
Create Date: 2026-12-01 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_audit_guard"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: batch mode would recreate the table without triggers.
    op.add_column("audit_log", sa.Column("client_request_id", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Row triggers never see TRUNCATE; a statement trigger does.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        # INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless
        # recursive_triggers is on), so an insert may never name an id already taken.
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    op.drop_column("audit_log", "client_request_id")
