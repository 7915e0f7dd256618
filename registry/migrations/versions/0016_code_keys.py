"""Codes unique regardless of letter case and width, in the database: a `code_key` column.

Each registry table with codes gets `code_key` (NFKC + case folding of `code`), filled from
the stored codes, NOT NULL and unique. If two stored codes already differ only in case or
width, the upgrade stops, names them all and changes nothing: one of each pair must get
another code first (the API refused such pairs; imports and direct SQL did not).

Revision ID: 0016_code_keys
Revises: 0001_registry
Create Date: 2026-12-01 15:00:00.000000
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_code_keys"
down_revision: str | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("units", "computing_centers", "identifier_nodes", "five_g_sites", "key_provider_listings")
KEY_LENGTH = 256
CHUNK = 1000


def _key(code: str) -> str:
    # A copy of registry.code_keys.code_key as of this revision: a migration must not change
    # when the application's code does.
    if code.isascii():
        return code.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", code).casefold())


def _keys(table: str) -> tuple[list[dict[str, object]], list[str]]:
    """Every row's key, and each group of look-alike codes said as 'DC-1' = 'dc-1'."""
    rows = op.get_bind().execute(sa.text(f"SELECT id, code FROM {table} ORDER BY id")).all()
    groups: dict[str, list[str]] = {}
    for _, code in rows:
        groups.setdefault(_key(code), []).append(code)
    clashes = [" = ".join(repr(c) for c in codes) for codes in groups.values() if len(codes) > 1]
    return [{"row_id": row_id, "key": _key(code)} for row_id, code in rows], clashes


def upgrade() -> None:
    keys: dict[str, list[dict[str, object]]] = {}
    clashes: list[str] = []
    for table in TABLES:
        keys[table], found = _keys(table)
        clashes += [f"{table}: {pair}" for pair in found]
    if clashes:
        # Raised before any change; the revision's transaction leaves the schema as it was.
        raise RuntimeError(
            "codes that differ only in letter case or width cannot both stay: "
            + "; ".join(clashes)
            + ". Give all but one of each group another code (or delete it), then run "
            "`db upgrade` again. Nothing was changed."
        )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("code_key", sa.String(length=KEY_LENGTH), nullable=True))
        update = sa.text(f"UPDATE {table} SET code_key = :key WHERE id = :row_id")
        rows = keys[table]
        for start in range(0, len(rows), CHUNK):
            op.get_bind().execute(update, rows[start : start + CHUNK])
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("code_key", existing_type=sa.String(KEY_LENGTH), nullable=False)
            batch_op.create_unique_constraint(op.f(f"uq_{table}_code_key"), ["code_key"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_code_key"), type_="unique")
            batch_op.drop_column("code_key")
