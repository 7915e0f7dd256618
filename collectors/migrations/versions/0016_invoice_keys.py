"""Invoices: fewer b-trees, no first-claims table, references checked once per statement.

Each index of `invoices` is written for every row of an upload, so the table keeps the ones
its queries need: the primary key (claim order), UNIQUE (number, buyer) (each invoice once per
buyer; every claim of a number, which decides its status) and (buyer) for a buyer's list. The
(upload, row) index and the first-claims table go: the claim rule is read from the invoices
themselves (the first the seller confirmed, else the first by id), and an upload finds its own
rows by id range.

On PostgreSQL a foreign key checks and locks its referenced row with a trigger per inserted
row, most of the time of a 100,000-row COPY. Its three keys on `invoices` become one statement
trigger per INSERT and UPDATE that checks the distinct referenced units and upload in one query
each and locks them FOR KEY SHARE, as the keys did, plus guards on `units` and
`invoice_uploads` that refuse to delete, re-key or truncate a referenced row. SQLite keeps its
foreign keys: there they cost little, and it has no statement triggers.

Revision ID: 0016_invoice_keys
Revises: 0012_claims
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_invoice_keys"
down_revision: str | None = "0012_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEYS = (
    ("fk_invoices_buyer_unit_id_units", "buyer_unit_id", "units"),
    ("fk_invoices_seller_unit_id_units", "seller_unit_id", "units"),
    ("fk_invoices_upload_id_invoice_uploads", "upload_id", "invoice_uploads"),
)

# The referenced rows of one INSERT or UPDATE statement: locked as a foreign key locks them
# (a concurrent delete waits for this transaction, then finds them referenced), then counted.
CHECK_REFERENCES = """
CREATE FUNCTION invoices_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    units_wanted bigint[];
    uploads_wanted bigint[];
    held bigint;
    missing bigint;
BEGIN
    -- One pass over the statement's rows for their distinct (buyer, seller, upload), usually
    -- one triple: three passes (a UNION and a DISTINCT) cost 0.2 s of a 100,000-row COPY.
    WITH used AS (
        SELECT buyer_unit_id AS b, seller_unit_id AS s, upload_id AS u
        FROM new_invoices GROUP BY 1, 2, 3
    )
    SELECT ARRAY(SELECT b FROM used UNION SELECT s FROM used), ARRAY(SELECT DISTINCT u FROM used)
        INTO units_wanted, uploads_wanted;
    SELECT count(*) INTO held
        FROM (SELECT 1 FROM units WHERE id = ANY (units_wanted) FOR KEY SHARE) AS locked;
    IF held < cardinality(units_wanted) THEN
        SELECT w INTO missing FROM unnest(units_wanted) AS w
            WHERE NOT EXISTS (SELECT 1 FROM units WHERE id = w) LIMIT 1;
        RAISE EXCEPTION 'invoices refer to unit % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'invoices';
    END IF;
    SELECT count(*) INTO held
        FROM (SELECT 1 FROM invoice_uploads WHERE id = ANY (uploads_wanted) FOR KEY SHARE)
        AS locked;
    IF held < cardinality(uploads_wanted) THEN
        SELECT w INTO missing FROM unnest(uploads_wanted) AS w
            WHERE NOT EXISTS (SELECT 1 FROM invoice_uploads WHERE id = w) LIMIT 1;
        RAISE EXCEPTION 'invoices refer to upload % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'invoices';
    END IF;
    RETURN NULL;
END $$
"""


# A unit or upload that invoices refer to is never deleted nor given another id (RESTRICT).
# Statement triggers with the old rows: one join, not a look-up per deleted row.
def _guard(function: str, table: str, referred: str, gone: str) -> str:
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    used bigint;
BEGIN
    SELECT o.id INTO used FROM old_rows AS o WHERE {gone} AND ({referred}) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '{table} % is still referred to by invoices', used
            USING ERRCODE = 'foreign_key_violation', TABLE = '{table}';
    END IF;
    RETURN NULL;
END $$
"""


BY_UNIT = (
    "EXISTS (SELECT 1 FROM invoices WHERE buyer_unit_id = o.id) "
    "OR EXISTS (SELECT 1 FROM invoices WHERE seller_unit_id = o.id)"
)
BY_UPLOAD = "EXISTS (SELECT 1 FROM invoices WHERE upload_id = o.id)"
REKEYED = "NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n.id = o.id)"
GUARDS = (
    _guard("units_keep_invoiced_delete", "units", BY_UNIT, "TRUE"),
    _guard("units_keep_invoiced_update", "units", BY_UNIT, REKEYED),
    _guard("invoice_uploads_keep_invoiced_delete", "invoice_uploads", BY_UPLOAD, "TRUE"),
    _guard("invoice_uploads_keep_invoiced_update", "invoice_uploads", BY_UPLOAD, REKEYED),
)
# TRUNCATE fires no row or transition triggers; a foreign key would refuse it outright.
GUARD_TRUNCATE = """
CREATE FUNCTION invoices_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices) THEN
        RAISE EXCEPTION 'cannot truncate %: invoices refer to it', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$
"""
TRIGGERS = (
    "CREATE TRIGGER invoices_check_inserted AFTER INSERT ON invoices "
    "REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT "
    "EXECUTE FUNCTION invoices_check_references()",
    "CREATE TRIGGER invoices_check_updated AFTER UPDATE ON invoices "
    "REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT "
    "EXECUTE FUNCTION invoices_check_references()",
    *(
        f"CREATE TRIGGER {table}_keep_invoiced_delete AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {table}_keep_invoiced_delete()"
        for table in ("units", "invoice_uploads")
    ),
    *(
        f"CREATE TRIGGER {table}_keep_invoiced_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {table}_keep_invoiced_update()"
        for table in ("units", "invoice_uploads")
    ),
    *(
        f"CREATE TRIGGER {table}_keep_invoiced_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION invoices_refuse_truncate()"
        for table in ("units", "invoice_uploads")
    ),
)
DROPS = (
    "DROP TRIGGER IF EXISTS invoices_check_inserted ON invoices",
    "DROP TRIGGER IF EXISTS invoices_check_updated ON invoices",
    *(
        f"DROP TRIGGER IF EXISTS {table}_keep_invoiced_{event} ON {table}"
        for table in ("units", "invoice_uploads")
        for event in ("delete", "update", "truncate")
    ),
    "DROP FUNCTION IF EXISTS invoices_check_references()",
    *(
        f"DROP FUNCTION IF EXISTS {table}_keep_invoiced_{event}()"
        for table in ("units", "invoice_uploads")
        for event in ("delete", "update")
    ),
    "DROP FUNCTION IF EXISTS invoices_refuse_truncate()",
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_table("invoice_first_claims")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_upload_id_row")
        batch_op.drop_index("ix_invoices_number")
        batch_op.drop_constraint("uq_invoices_buyer_unit_id_number", type_="unique")
        batch_op.create_unique_constraint(
            "uq_invoices_number_buyer_unit_id", ["number", "buyer_unit_id"]
        )
        batch_op.create_index("ix_invoices_buyer_unit_id", ["buyer_unit_id"])
        if postgresql:
            for name, _, _ in FOREIGN_KEYS:
                batch_op.drop_constraint(name, type_="foreignkey")
    if postgresql:
        for statement in (CHECK_REFERENCES, *GUARDS, GUARD_TRUNCATE, *TRIGGERS):
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for statement in DROPS:
            op.execute(statement)
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        if postgresql:
            for name, column, table in FOREIGN_KEYS:
                batch_op.create_foreign_key(name, table, [column], ["id"], ondelete="RESTRICT")
        batch_op.drop_index("ix_invoices_buyer_unit_id")
        batch_op.drop_constraint("uq_invoices_number_buyer_unit_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_invoices_buyer_unit_id_number", ["buyer_unit_id", "number"]
        )
        batch_op.create_index("ix_invoices_number", ["number"])
        batch_op.create_index("ix_invoices_upload_id_row", ["upload_id", "row"])
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
    # The first claim of each number, as the table held it: the lowest invoice id.
    op.execute(
        "INSERT INTO invoice_first_claims (number, buyer_unit_id) "
        "SELECT i.number, i.buyer_unit_id FROM invoices i "
        "WHERE i.id = (SELECT min(o.id) FROM invoices o WHERE o.number = i.number)"
    )
