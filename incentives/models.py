"""Tables of incentives/: award statements, their lines, objections and other support."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base
from registry.models import Timestamps, UTCDateTime, utcnow

BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class StatementRun(Base):
    """One run of the rules: the facts it read, kept once for every statement it wrote."""

    __tablename__ = "statement_runs"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))  # an API key id, "cli" or "scheduler"
    invoice_count: Mapped[int] = mapped_column(Integer, default=0)
    # The scenario (FORMAT.md) as gzip-compressed JSON: a million invoices take tens of MB.
    facts_gz: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class Statement(Timestamps, Base):
    """One award statement: a clause, a period and a number, with its workflow status."""

    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("policy", "clause", "period", "number"),
        # "policy|clause|period" while the statement is open (not final), NULL after: the
        # database itself then allows one open statement per clause and period.
        UniqueConstraint("open_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))  # "2025", or "2023-12-01/2026-12-01"
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    open_key: Mapped[str | None] = mapped_column(String(140))
    as_of: Mapped[dt.date] = mapped_column(Date)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # The facts it was computed from, in the scenario format (simulate reproduces it): kept
    # once per run in statement_runs; `scenario` holds the run's policy overrides, if any.
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_runs.id", ondelete="RESTRICT"), index=True
    )
    submitted_by: Mapped[str | None] = mapped_column(String(32))  # API key ids
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notice_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disbursed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)  # the last reject or review comment


class StatementLine(Base):
    """What a statement owes one unit for one subject: an award or an adjustment of one."""

    __tablename__ = "statement_lines"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    subject: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # award | adjustment
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_lines.id", ondelete="RESTRICT")
    )
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # negative: to recover (追回)
    # The subject's whole entitlement as of the run; amount = entitlement - granted before.
    entitlement_fen: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Objection(Base):
    """An objection (异议) to one published line, by its unit or by anyone on the notice page."""

    __tablename__ = "objections"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="RESTRICT"), index=True
    )
    # NULL once a run refreshes the draft the objection returned the statement to: the line
    # is replaced, the objection (statement, text, resolution, audit) stays.
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_lines.id", ondelete="SET NULL")
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    filed_by: Mapped[str] = mapped_column(String(64))  # an API key id, or "public"
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | upheld | dismissed
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(32))


class OtherSupportRecord(Base):
    """Support a unit received from another policy for a subject (从优、就高、不重复)."""

    __tablename__ = "other_support"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clause: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    subject: Mapped[str] = mapped_column(String(64))  # a centre or node code, or a year
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32))


class StatementFile(Base):
    """An exported file of a final statement, kept so every download gives the same bytes."""

    __tablename__ = "statement_files"
    __table_args__ = (
        UniqueConstraint("statement_id", "format", "lang"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="RESTRICT"))
    format: Mapped[str] = mapped_column(String(8))  # xlsx | csv
    lang: Mapped[str] = mapped_column(String(8))  # zh | en
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "Objection",
    "OtherSupportRecord",
    "Statement",
    "StatementFile",
    "StatementLine",
    "StatementRun",
]
