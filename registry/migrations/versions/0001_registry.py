"""Registry: units, facilities, listings, API keys, the audit log; the catalogue and GOV.

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-29 14:17:27.753989
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0001_registry"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "accelerator_models",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("vendor", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("fp16_tflops", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("fp32_tflops", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("fp64_tflops", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_accelerator_models")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_key", sa.String(length=32), nullable=True),
        sa.Column("actor_unit", sa.String(length=64), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_code", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_object_code"), ["object_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_request_id"), ["request_id"], unique=False)

    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("in_province", sa.Boolean(), nullable=False),
        sa.Column("dishonest", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_units_credit_code")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_api_keys_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "computing_centers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("capacity_pflops", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("commissioned_on", sa.Date(), nullable=True),
        sa.Column("costs_fen", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_computing_centers_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_computing_centers")),
        sa.UniqueConstraint("code", name=op.f("uq_computing_centers_code")),
    )
    with op.batch_alter_table("computing_centers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_computing_centers_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "five_g_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("division", sa.String(length=32), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_five_g_sites_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_five_g_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_five_g_sites_code")),
    )
    with op.batch_alter_table("five_g_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_five_g_sites_division"), ["division"], unique=False)
        batch_op.create_index(batch_op.f("ix_five_g_sites_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "identifier_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("connected_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_identifier_nodes_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifier_nodes")),
        sa.UniqueConstraint("code", name=op.f("uq_identifier_nodes_code")),
    )
    with op.batch_alter_table("identifier_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifier_nodes_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "key_provider_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("listed_from", sa.Date(), nullable=False),
        sa.Column("listed_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_key_provider_listings_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_provider_listings")),
        sa.UniqueConstraint("code", name=op.f("uq_key_provider_listings_code")),
    )
    with op.batch_alter_table("key_provider_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_provider_listings_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "center_accelerators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["computing_centers.id"],
            name=op.f("fk_center_accelerators_center_id_computing_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model"],
            ["accelerator_models.code"],
            name=op.f("fk_center_accelerators_model_accelerator_models"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_center_accelerators")),
        sa.UniqueConstraint(
            "center_id", "model", name=op.f("uq_center_accelerators_center_id_model")
        ),
    )

    _seed_catalogue()
    _seed_government()
    _protect_audit_log()


CATALOGUE = [
    # code, vendor, name, dense FP16 tensor, FP32, FP64 TFLOPS (vendor datasheets; DESIGN.md)
    ("V100-SXM2", "NVIDIA", "Tesla V100 SXM2", "125", "15.7", "7.8"),
    ("A100", "NVIDIA", "A100", "312", "19.5", "9.7"),
    ("A800", "NVIDIA", "A800", "312", "19.5", "9.7"),
    ("H100-SXM", "NVIDIA", "H100 SXM", "989", "67", "34"),
    ("H100-PCIE", "NVIDIA", "H100 PCIe", "756", "51", "26"),
    ("H800-SXM", "NVIDIA", "H800 SXM", "989", None, None),
    ("H20", "NVIDIA", "H20", "148", None, None),
    ("L40S", "NVIDIA", "L40S", "362", "91.6", None),
    ("B200", "NVIDIA", "B200", "2250", None, "40"),
    ("ASCEND-910B", "Huawei", "Ascend 910B", "320", None, None),
    ("MI250X", "AMD", "Instinct MI250X", "383", "47.9", "47.9"),
    ("MI300X", "AMD", "Instinct MI300X", "1307", "163.4", "81.7"),
]

GOVERNMENT = {
    "code": "GOV",
    "name": "黑龙江省数字经济主管部门",
    "credit_code": "11230000MB0000000T",
    "kind": "government",
    "region": "哈尔滨市",
}


def _seed_catalogue() -> None:
    table = sa.table(
        "accelerator_models",
        sa.column("code", sa.String),
        sa.column("vendor", sa.String),
        sa.column("name", sa.String),
        sa.column("fp16_tflops", sa.Numeric),
        sa.column("fp32_tflops", sa.Numeric),
        sa.column("fp64_tflops", sa.Numeric),
    )
    rows = [
        {
            "code": code,
            "vendor": vendor,
            "name": name,
            "fp16_tflops": Decimal(fp16),
            "fp32_tflops": Decimal(fp32) if fp32 else None,
            "fp64_tflops": Decimal(fp64) if fp64 else None,
        }
        for code, vendor, name, fp16, fp32, fp64 in CATALOGUE
    ]
    op.bulk_insert(table, rows)


def _seed_government() -> None:
    now = dt.datetime.now(dt.UTC)
    table = sa.table(
        "units",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("credit_code", sa.String),
        sa.column("kind", sa.String),
        sa.column("region", sa.String),
        sa.column("in_province", sa.Boolean),
        sa.column("dishonest", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        table,
        [
            {
                **GOVERNMENT,
                "in_province": True,
                "dishonest": False,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def _protect_audit_log() -> None:
    # The audit log is append-only at the database, not only in the service.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")

    op.drop_table("center_accelerators")
    with op.batch_alter_table("key_provider_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_provider_listings_unit_id"))

    op.drop_table("key_provider_listings")
    with op.batch_alter_table("identifier_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifier_nodes_unit_id"))

    op.drop_table("identifier_nodes")
    with op.batch_alter_table("five_g_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_five_g_sites_unit_id"))
        batch_op.drop_index(batch_op.f("ix_five_g_sites_division"))

    op.drop_table("five_g_sites")
    with op.batch_alter_table("computing_centers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_computing_centers_unit_id"))

    op.drop_table("computing_centers")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_unit_id"))

    op.drop_table("api_keys")
    op.drop_table("units")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_request_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_object_code"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("accelerator_models")
