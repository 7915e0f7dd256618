"""Shared test helpers: which database the suite runs on, and sample registry data."""

from __future__ import annotations

import os
from typing import Any

PG_ENV = "INCENTIVES_TEST_DATABASE_URL"


def pg_url_from_env() -> str | None:
    """The PostgreSQL server to test against, when the suite runs on PostgreSQL."""
    url = os.environ.get(PG_ENV, "").strip()
    return url or None


def schema_differences(connection: Any) -> list[Any]:
    """Alembic's differences between a migrated database and the models.

    On PostgreSQL the invoices' foreign keys are statement triggers (0016_invoice_keys), which
    tests/invoices/test_invoice_references.py checks, and the primary key (buyer, id) stands for
    the buyer index (0018_invoice_buyer_key, tests/invoices/test_invoice_buyer_key.py); the
    models declare the keys and the index SQLite keeps.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from collectors.invoices.models import (
        BUYER_INDEX_ONLY_ON_SQLITE,
        CHECKED_BY_TRIGGER_ON_POSTGRESQL,
    )
    from registry.db import Base

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if connection.dialect.name != "postgresql":
            return True
        if type_ == "foreign_key_constraint":
            return name not in CHECKED_BY_TRIGGER_ON_POSTGRESQL
        return not (type_ == "index" and name == BUYER_INDEX_ONLY_ON_SQLITE)

    context = MigrationContext.configure(connection, opts={"include_object": include})
    return list(compare_metadata(context, Base.metadata))


def unit(code: str, credit_code: str, kind: str = "enterprise", **extra: Any) -> dict[str, Any]:
    """A unit in the scenario vocabulary."""
    return {
        "code": code,
        "name": f"{code} 示例单位",
        "credit_code": credit_code,
        "kind": kind,
        **extra,
    }


# Valid credit codes from the shared scenarios, with their check characters.
CREDIT = {
    "U1": "91230100MA1HRB001U",
    "U2": "91230100MA1HRB002Y",
    "B1": "12230100MB1000012A",
    "P1": "91230100MA1PRN0057",
    "P2": "91230100MA1PRN006A",
    "B2": "12230000MB0000011U",
    "B3": "91230600MA1DQ0003A",
    "D1": "91230100MA1NDE009A",
    "D2": "91230100MA1NDE010F",
    "B4": "91230100MA1HRB0032",
}


def center(code: str, unit_code: str, **extra: Any) -> dict[str, Any]:
    """An operational 60P intelligent-computing centre."""
    base: dict[str, Any] = {
        "code": code,
        "unit": unit_code,
        "name": f"{code} 智算中心",
        "kind": "intelligent",
        "capacity_pflops": {"FP16": "60"},
        "status": "operational",
        "commissioned_on": "2024-06-30",
        "costs": {"equipment": "50000000", "software": "10000000"},
    }
    return base | extra
