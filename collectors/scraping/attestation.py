"""Attested capacity: a centre's scraped accelerators in PFLOPS, checked against its declaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from collectors.scraping.accelerator_names import catalogue_code
from collectors.scraping.exporters import HARDWARE_ID_PREFIXES, NO_MODEL, count_models
from collectors.scraping.models import (
    AttestedDevice,
    CapacityAttestation,
    ExporterTarget,
    PushedInventory,
)
from registry.audit import Actor, record
from registry.fields import CenterKind, Precision
from registry.models import AcceleratorModel, ComputingCenter
from registry.resources import inventory_peak

# A target whose last good scrape is older than this no longer vouches for its devices.
STALE_AFTER = dt.timedelta(hours=24)
UNLABELLED = "(no model label)"
LOOKUP_CHUNK = 1000  # devices per IN (...): far below every database's bind-parameter limit
SCRAPER_ACTOR = Actor(key_id=None, unit_code=None, role="system", request_id="scraping")


@dataclass(frozen=True)
class AttestationThresholds:
    """The policy's capacity threshold, handed down at start: collectors/ never reads policy."""

    min_pflops: Decimal
    # Centre kinds the threshold applies to, and the precision each is measured in.
    precision_by_kind: Mapping[CenterKind, Precision]


class Reason(StrEnum):
    """Why an attestation is flagged for an official's review."""

    BELOW_DECLARED = "attested_below_declared"
    BELOW_THRESHOLD = "attested_below_threshold"
    ELSEWHERE = "devices_attested_elsewhere"


@dataclass(frozen=True)
class Attested:
    """A centre's attested capacity and the checks on it."""

    inventory: dict[str, int]
    unknown_models: dict[str, int]
    devices_total: int
    pflops: dict[Precision, Decimal]
    required_precision: Precision | None
    threshold: Decimal | None
    reasons: list[Reason]
    devices_elsewhere: int = 0

    @property
    def flagged(self) -> bool:
        """Whether an official should review the centre."""
        return bool(self.reasons)


def attest(
    devices: Mapping[str, str],
    catalogue: dict[str, AcceleratorModel],
    kind: str,
    declared: Mapping[Precision, Decimal],
    thresholds: AttestationThresholds,
    elsewhere: int = 0,
) -> Attested:
    """Count devices per catalogue model, price them in PFLOPS and check the declaration.

    `elsewhere` devices were seen but are not in `devices`: another centre counts them.
    """
    inventory: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for name, n in count_models(devices.values()).items():
        code = catalogue_code(name)
        if code is not None and code in catalogue:
            inventory[code] = inventory.get(code, 0) + n
        else:
            label = name if name != NO_MODEL else UNLABELLED
            unknown[label] = unknown.get(label, 0) + n
    pflops = inventory_peak(sorted(inventory.items()), catalogue)
    reasons: list[Reason] = []
    if any(pflops.get(p, Decimal(0)) < amount for p, amount in declared.items()):
        reasons.append(Reason.BELOW_DECLARED)
    # A centre under the threshold is only flagged here, never judged: incentives/ decides.
    precision = thresholds.precision_by_kind.get(CenterKind(kind))
    if precision is not None and pflops.get(precision, Decimal(0)) < thresholds.min_pflops:
        reasons.append(Reason.BELOW_THRESHOLD)
    if elsewhere:
        reasons.append(Reason.ELSEWHERE)
    return Attested(
        inventory=dict(sorted(inventory.items())),
        unknown_models=dict(sorted(unknown.items())),
        devices_total=len(devices),
        pflops=pflops,
        required_precision=precision,
        threshold=thresholds.min_pflops if precision is not None else None,
        reasons=reasons,
        devices_elsewhere=elsewhere,
    )


def hardware_ids(devices: Mapping[str, str]) -> set[str]:
    """The devices that carry a hardware id, so another centre's claim on them can be seen."""
    return {key for key in devices if key.startswith(HARDWARE_ID_PREFIXES)}


async def attested_elsewhere(
    session: AsyncSession, center_id: int, devices: set[str], now: dt.datetime
) -> set[str]:
    """Those devices that another centre's current attestation, fresh within STALE_AFTER, counts."""
    other = aliased(CapacityAttestation)
    current = (
        select(func.max(other.id)).where(other.center_id == CapacityAttestation.center_id)
    ).scalar_subquery()
    found: set[str] = set()
    ordered = sorted(devices)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        found.update(
            await session.scalars(
                select(AttestedDevice.device)
                .join(CapacityAttestation, CapacityAttestation.id == AttestedDevice.attestation_id)
                .where(
                    AttestedDevice.device.in_(ordered[start : start + LOOKUP_CHUNK]),
                    CapacityAttestation.center_id != center_id,
                    CapacityAttestation.confirmed_at >= now - STALE_AFTER,
                    CapacityAttestation.id == current,
                )
            )
        )
    return found


async def counted_devices(session: AsyncSession, attestation_id: int) -> set[str]:
    """The hardware ids (GPU UUIDs, serial numbers, die ids) an attestation counted."""
    rows = await session.scalars(
        select(AttestedDevice.device).where(AttestedDevice.attestation_id == attestation_id)
    )
    return set(rows)


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


async def centre_devices(
    session: AsyncSession, center_id: int, now: dt.datetime
) -> tuple[dict[str, str], list[int]]:
    """The union of the devices a centre's enabled, fresh targets last saw and it pushed."""
    targets = await session.scalars(
        select(ExporterTarget)
        .where(
            ExporterTarget.center_id == center_id,
            ExporterTarget.enabled.is_(True),
            ExporterTarget.last_success_at >= now - STALE_AFTER,
        )
        .order_by(ExporterTarget.id)
    )
    devices: dict[str, str] = {}
    ids: list[int] = []
    for target in targets:
        # A device seen by two targets (a node and a federating endpoint) counts once.
        devices |= target.devices
        ids.append(target.id)
    pushed = await session.scalars(
        select(PushedInventory)
        .where(
            PushedInventory.center_id == center_id, PushedInventory.pushed_at >= now - STALE_AFTER
        )
        .order_by(PushedInventory.id)
    )
    for inventory in pushed:
        devices |= inventory.devices
    return devices, ids


async def refresh_attestation(
    session: AsyncSession,
    center_id: int,
    now: dt.datetime,
    source_target_id: int | None,
    thresholds: AttestationThresholds,
) -> CapacityAttestation | None:
    """Recompute a centre's attestation; add a row only when something changed."""
    # Lock the centre row: two targets of one centre scraped at once (here or on another
    # replica) then attest one after the other, the second seeing the first's devices.
    center = await session.get(ComputingCenter, center_id, with_for_update=True)
    if center is None:
        return None
    seen, target_ids = await centre_devices(session, center_id, now)
    # The first centre to count a device keeps it; a later one is flagged and does not count it.
    elsewhere = await attested_elsewhere(session, center_id, hardware_ids(seen), now)
    devices = {key: model for key, model in seen.items() if key not in elsewhere}
    catalogue = {m.code: m for m in await session.scalars(select(AcceleratorModel))}
    declared = {Precision(p): Decimal(v) for p, v in center.capacity_pflops.items()}
    result = attest(devices, catalogue, center.kind, declared, thresholds, len(elsewhere))
    fresh = CapacityAttestation(
        center_id=center_id,
        attested_at=now,
        confirmed_at=now,
        inventory=result.inventory,
        unknown_models=result.unknown_models,
        devices_total=result.devices_total,
        attested_pflops={str(p): _decimal_text(v) for p, v in sorted(result.pflops.items())},
        declared_pflops={str(p): _decimal_text(v) for p, v in sorted(declared.items())},
        center_kind=center.kind,
        required_precision=result.required_precision,
        threshold_pflops=None if result.threshold is None else _decimal_text(result.threshold),
        flagged=result.flagged,
        reasons=[str(r) for r in result.reasons],
        source_target_id=source_target_id,
        target_ids=target_ids,
        devices_elsewhere=result.devices_elsewhere,
    )
    counted = hardware_ids(devices)
    latest = await latest_attestation(session, center_id)
    if (
        latest is not None
        and latest.content() == fresh.content()
        and await counted_devices(session, latest.id) == counted
    ):
        latest.confirmed_at = now
        return latest
    session.add(fresh)
    await session.flush()
    if counted:
        await session.execute(
            insert(AttestedDevice),
            [{"attestation_id": fresh.id, "device": device} for device in sorted(counted)],
        )
    await record(
        session,
        SCRAPER_ACTOR,
        "attest",
        "computing_center",
        center.code,
        None if latest is None else _summary(latest),
        _summary(fresh),
    )
    return fresh


def _summary(row: CapacityAttestation) -> dict[str, Any]:
    return {"attestation_id": row.id, **row.content()}


async def latest_attestation(session: AsyncSession, center_id: int) -> CapacityAttestation | None:
    """A centre's current attestation: its newest row."""
    row: CapacityAttestation | None = await session.scalar(
        select(CapacityAttestation)
        .where(CapacityAttestation.center_id == center_id)
        .order_by(CapacityAttestation.id.desc())
        .limit(1)
    )
    return row
