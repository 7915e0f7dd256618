"""Tables of the scraping collector: exporter targets, capacity attestations and their devices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base
from registry.models import UTCDateTime, utcnow


class ExporterTarget(Base):
    """An exporter endpoint of a computing centre that the service scrapes on an interval."""

    __tablename__ = "exporter_targets"
    # Audit entries name targets by id: SQLite must never hand a deleted one's id to another.
    __table_args__ = (
        UniqueConstraint("center_id", "url"),
        Index("ix_exporter_targets_due", "enabled", "next_attempt_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Evidence belongs to its centre: deleting the centre removes its targets.
    center_id: Mapped[int] = mapped_column(
        ForeignKey("computing_centers.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    interval_seconds: Mapped[int] = mapped_column(Integer)
    exporter: Mapped[str] = mapped_column(String(16))
    # Catalogue code assumed when the exporter's output names no model (old npu-exporter).
    model: Mapped[str | None] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A claim moves this forward before scraping, so replicas never scrape a target twice.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last good scrape's devices: {device key: model name as the exporter reports it}.
    devices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    detected_exporter: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CapacityAttestation(Base):
    """A centre's capacity as its exporters show it, beside what it declared; newest is current."""

    __tablename__ = "capacity_attestations"
    # Audit entries name attestations by id (attestation_id): never reused either.
    __table_args__ = (
        Index("ix_capacity_attestations_center_latest", "center_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="CASCADE"))
    attested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A scrape that finds the same inventory only moves this; a change adds a row.
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {catalogue code: count}
    inventory: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # {model name as reported: count}: counted, but worth no PFLOPS.
    unknown_models: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    devices_total: Mapped[int] = mapped_column(Integer)
    # {"FP16": "63.296"}: decimal strings, as the registry keeps declared capacity.
    attested_pflops: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    declared_pflops: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    center_kind: Mapped[str] = mapped_column(String(32))
    required_precision: Mapped[str | None] = mapped_column(String(8))
    threshold_pflops: Mapped[str | None] = mapped_column(String(32))
    flagged: Mapped[bool] = mapped_column(Boolean, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("exporter_targets.id", ondelete="SET NULL")
    )
    target_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Devices seen but not counted: another centre's current attestation counts them.
    devices_elsewhere: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def content(self) -> dict[str, Any]:
        """What decides whether a new attestation differs from this one."""
        return {
            "inventory": self.inventory,
            "unknown_models": self.unknown_models,
            "attested_pflops": self.attested_pflops,
            "declared_pflops": self.declared_pflops,
            "center_kind": self.center_kind,
            "flagged": self.flagged,
            "reasons": self.reasons,
            "target_ids": self.target_ids,
            "devices_elsewhere": self.devices_elsewhere,
        }


class AttestedDevice(Base):
    """A device, by its hardware id (GPU UUID, serial number, die id), one attestation counted."""

    __tablename__ = "attested_devices"
    # By device: whether another centre's current attestation already counts a device.
    __table_args__ = (Index("ix_attested_devices_device", "device"),)

    attestation_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_attestations.id", ondelete="CASCADE"), primary_key=True
    )
    device: Mapped[str] = mapped_column(String(200), primary_key=True)


class PushedInventory(Base):
    """The devices a Pushgateway group's latest exporter push showed: evidence like a scrape."""

    __tablename__ = "pushed_inventories"
    __table_args__ = (UniqueConstraint("center_id", "job", "grouping"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("computing_centers.id", ondelete="CASCADE"))
    job: Mapped[str] = mapped_column(String(200))
    # The group's further labels as canonical JSON, as telemetry_pushed_families keeps them.
    grouping: Mapped[str] = mapped_column(String(1000))
    exporter: Mapped[str] = mapped_column(String(16))
    # {device key: model name as reported}, as ExporterTarget.devices.
    devices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    pushed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
