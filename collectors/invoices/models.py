"""Tables of the invoices collector: uploads, invoice claims and sales reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base
from registry.models import UTCDateTime, utcnow


class InvoiceUpload(Base):
    """One stored upload of an invoice file: who sent what, and what it changed."""

    __tablename__ = "invoice_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None when an official's file holds invoices of several buyers.
    buyer_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    uploaded_by: Mapped[str] = mapped_column(String(64))  # an API key id, or "cli"
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    row_count: Mapped[int] = mapped_column(Integer)
    stored_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# An invoice number: ASCII digits, compared byte by byte on PostgreSQL (migration
# 0017_invoice_numbers_c): the database's linguistic collation would only slow its b-trees.
# SQLite compares text so already (BINARY) and knows no collation named "C".
NUMBER = String(20).with_variant(String(20, collation="C"), "postgresql")


# On PostgreSQL these keys are checked by statement triggers (migration 0016_invoice_keys), one
# query per upload instead of a trigger per row; SQLite keeps them as declared here.
CHECKED_BY_TRIGGER_ON_POSTGRESQL = frozenset(
    {
        "fk_invoices_buyer_unit_id_units",
        "fk_invoices_seller_unit_id_units",
        "fk_invoices_upload_id_invoice_uploads",
    }
)


# On PostgreSQL the primary key is (buyer, id) and serves a buyer's list (migration
# 0018_invoice_buyer_key): one b-tree fewer for every row of an upload. SQLite keeps its rowid
# key and this index, which holds (buyer, rowid) alike.
BUYER_INDEX_ONLY_ON_SQLITE = "ix_invoices_buyer_unit_id"


class Invoice(Base):
    """A buyer's claim of one invoice; a number claimed by two buyers is kept twice."""

    __tablename__ = "invoices"
    __table_args__ = (
        # Few indexes: every one is written for each row of an upload. (number, buyer) keeps
        # each invoice once per buyer and finds every claim of a number, which decides its
        # status; (buyer) serves a buyer's list. The primary key is the claim order (on
        # PostgreSQL (buyer, id), which serves the list too: BUYER_INDEX_ONLY_ON_SQLITE).
        UniqueConstraint("number", "buyer_unit_id"),
        Index("ix_invoices_buyer_unit_id", "buyer_unit_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # 20 digits of a digital invoice (数电票), or a legacy VAT invoice's code followed by its
    # 8-digit number; `code` keeps the legacy code apart so the pair can be shown again.
    number: Mapped[str] = mapped_column(NUMBER)
    code: Mapped[str | None] = mapped_column(String(12))
    buyer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    seller_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # tax-inclusive total, always positive
    kind: Mapped[str] = mapped_column(String(8))  # blue | red
    reverses: Mapped[str | None] = mapped_column(String(20))
    upload_id: Mapped[int] = mapped_column(ForeignKey("invoice_uploads.id", ondelete="RESTRICT"))
    row: Mapped[int] = mapped_column(Integer)  # as a spreadsheet shows it (header is row 1)


class SalesReport(Base):
    """A key provider's report of one invoice it issued and the compute it delivered."""

    __tablename__ = "sales_reports"
    __table_args__ = (UniqueConstraint("seller_unit_id", "number"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seller_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(NUMBER, index=True)
    code: Mapped[str | None] = mapped_column(String(12))
    # The buyer as the seller knows it: a credit code that need not be registered here.
    buyer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    accelerator_hours: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
