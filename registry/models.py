"""The register's tables: units, facilities, listings, API keys and the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from registry.code_keys import KEY_MAX_LENGTH, code_key, code_key_default
from registry.db import Base


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and read back time-zone aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; store aware UTC times")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


class Timestamps:
    """Creation and last-change times."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CodeKeyed:
    """An object whose code is unique regardless of letter case and width, in the database too.

    `code_key` is set whenever `code` is (ORM writes) and filled from it by a column default
    (Core inserts); codes never change once stored, so no UPDATE has to recompute it.
    """

    code_key: Mapped[str] = mapped_column(
        String(KEY_MAX_LENGTH), unique=True, default=code_key_default
    )

    @validates("code")
    def _key_the_code(self, _name: str, code: str) -> str:
        self.code_key = code_key(code)
        return code


class Unit(CodeKeyed, Timestamps, Base):
    """A legal unit: construction unit, buyer, provider, operator or the government itself."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    in_province: Mapped[bool] = mapped_column(Boolean)
    dishonest: Mapped[bool] = mapped_column(Boolean, default=False)


class AcceleratorModel(Base):
    """A catalogue entry: dense peak TFLOPS per precision of one accelerator model."""

    __tablename__ = "accelerator_models"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    vendor: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    fp16_tflops: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    fp32_tflops: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    fp64_tflops: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))


class ComputingCenter(CodeKeyed, Timestamps, Base):
    """An intelligent-computing, supercomputing, general or edge computing centre."""

    __tablename__ = "computing_centers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    # {"FP16": "60"}: decimal strings keep exact PFLOPS without a column per precision.
    capacity_pflops: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(32))
    commissioned_on: Mapped[dt.date | None] = mapped_column(Date)
    # {"equipment": 5000000000}: integer fen per cost category.
    costs_fen: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # False while an official has not yet verified a centre a unit registered itself: the
    # rules read only verified rows, whose money-deciding columns hold verified values.
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    unit: Mapped[Unit] = relationship(lazy="raise_on_sql")
    accelerators: Mapped[list[CenterAccelerator]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", order_by="CenterAccelerator.model"
    )


class CenterAccelerator(Base):
    """One inventory line of a centre: how many accelerators of one model it declares."""

    __tablename__ = "center_accelerators"
    __table_args__ = (UniqueConstraint("center_id", "model"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(ForeignKey("accelerator_models.code", ondelete="RESTRICT"))
    count: Mapped[int] = mapped_column(Integer)


class IdentifierNode(CodeKeyed, Timestamps, Base):
    """An industrial-internet identifier-resolution secondary node (标识解析二级节点)."""

    __tablename__ = "identifier_nodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    connected_on: Mapped[dt.date | None] = mapped_column(Date)
    # As for centres: the rules read only verified nodes.
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    unit: Mapped[Unit] = relationship(lazy="raise_on_sql")


class FiveGSite(CodeKeyed, Timestamps, Base):
    """A 5G base-station site of a telecom operator."""

    __tablename__ = "five_g_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    division: Mapped[str] = mapped_column(String(32), index=True)
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32))
    opened_on: Mapped[dt.date | None] = mapped_column(Date)

    unit: Mapped[Unit] = relationship(lazy="raise_on_sql")


class KeyProviderListing(CodeKeyed, Timestamps, Base):
    """A listing of a unit as key compute provider (重点算力服务商) for a window of dates."""

    __tablename__ = "key_provider_listings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    listed_from: Mapped[dt.date] = mapped_column(Date)
    listed_until: Mapped[dt.date | None] = mapped_column(Date)  # exclusive

    unit: Mapped[Unit] = relationship(lazy="raise_on_sql")


class ApiKey(Base):
    """A bearer token of one unit and one role; only its hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # The holder's name, so the audit log (and four eyes) name people, not only keys.
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship(lazy="raise_on_sql")


class AuditEntry(Base):
    """One recorded change: who, when, in which request, and the object before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_key: Mapped[str | None] = mapped_column(String(32))
    actor_unit: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    client_request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_code: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class WebSession(Base):
    """A signed-in browser: a token exchanged for a session cookie, with its CSRF token."""

    __tablename__ = "web_sessions"

    # SHA-256 of the cookie's random value: a stolen database does not yield live cookies.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class PendingChange(Base):
    """Money-deciding values a unit declared, waiting for an official to accept or reject them."""

    __tablename__ = "pending_changes"
    # At most one pending declaration per object: a new one supersedes it (and the database
    # refuses a second one from a concurrent request).
    __table_args__ = (
        Index(
            "uq_pending_changes_one_pending",
            "object_type",
            "object_code",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_code: Mapped[str] = mapped_column(String(64), index=True)
    # A code, like the audit log's actor_unit: the record outlives the object and its unit.
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # create | update
    # {field: value} in the API's wire form: what the unit declared, and the object's values then.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(32))
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)


__all__ = [
    "AcceleratorModel",
    "ApiKey",
    "AuditEntry",
    "Base",
    "CenterAccelerator",
    "CodeKeyed",
    "ComputingCenter",
    "FiveGSite",
    "IdentifierNode",
    "KeyProviderListing",
    "PendingChange",
    "Timestamps",
    "UTCDateTime",
    "Unit",
    "WebSession",
    "func",
]
