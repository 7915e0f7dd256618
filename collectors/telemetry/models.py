"""Tables of the telemetry collector: raw samples, daily roll-ups and Pushgateway groups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base
from registry.models import UTCDateTime

# SQLite's fast rowid alias needs INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class TelemetrySample(Base):
    """One measurement of one series of a computing centre, kept for the retention period."""

    __tablename__ = "telemetry_samples"
    __table_args__ = (
        # The duplicate key: a retried sample hits it and is counted once.
        UniqueConstraint("center_id", "metric", "labels", "sampled_at"),
        Index("ix_telemetry_samples_sampled_at", "sampled_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="RESTRICT"))
    metric: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of the labels (sorted keys, no spaces): part of the duplicate key.
    labels: Mapped[str] = mapped_column(Text)
    sampled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # NULL is NaN: SQLite cannot store NaN in a REAL column.
    value: Mapped[float | None] = mapped_column(Float)


class TelemetryDaily(Base):
    """The roll-up of one metric of one centre over one calendar day (Asia/Shanghai)."""

    __tablename__ = "telemetry_daily"
    __table_args__ = (UniqueConstraint("center_id", "metric", "day"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="RESTRICT"))
    metric: Mapped[str] = mapped_column(String(200))
    day: Mapped[dt.date] = mapped_column(Date)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_value: Mapped[float] = mapped_column(Float)


class PushedFamily(Base):
    """The latest push of one metric family into one Pushgateway group, as the gateway keeps it."""

    __tablename__ = "telemetry_pushed_families"
    __table_args__ = (UniqueConstraint("center_id", "job", "grouping", "name"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="RESTRICT"))
    job: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of the grouping labels other than job and facility.
    grouping: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    series: Mapped[int] = mapped_column(Integer)
    pushed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
