"""Tables of the telemetry collector: series, raw samples, daily roll-ups, Pushgateway groups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
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


class TelemetrySeries(Base):
    """One series of a computing centre: a metric and its label set, stored once."""

    __tablename__ = "telemetry_series"
    __table_args__ = (
        # The series key: samples name their series by id, so labels are stored once.
        UniqueConstraint("center_id", "metric", "labels"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="RESTRICT"))
    metric: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of the labels (sorted keys, no spaces).
    labels: Mapped[str] = mapped_column(Text)


class TelemetrySample(Base):
    """One measurement of one series, kept for the retention period: a narrow row.

    The primary key is the duplicate key: a retried sample hits it and is counted once. There
    is no foreign key to the series on purpose: PostgreSQL checks one with a trigger per row,
    which costs more than the insert itself; series are written in the same transaction as
    their first samples and are never deleted.
    """

    __tablename__ = "telemetry_samples"
    # SQLite: the key is the table (no rowid, no second b-tree), about 30 bytes a sample.
    # PostgreSQL: one partition per UTC day (collectors.telemetry.partitions).
    __table_args__ = (
        {"sqlite_with_rowid": False, "postgresql_partition_by": "RANGE (sampled_us)"},
    )

    series_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Microseconds since 1970-01-01 UTC: exact, and eight bytes instead of a 26-byte string.
    sampled_us: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
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
