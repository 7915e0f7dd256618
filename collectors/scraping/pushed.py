"""Pushed exporter samples as attestation evidence: a centre that pushes is attested too."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from prometheus_client.samples import Sample
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.scraping.attestation import refresh_attestation
from collectors.scraping.exporters import (
    ExporterKind,
    ExporterOutputError,
    Inventory,
    inventory_of,
    is_exporter_series,
)
from collectors.scraping.models import PushedInventory
from collectors.scraping.scraper import SCRAPING
from collectors.telemetry.exposition import Family


def exporter_samples(families: Sequence[Family]) -> list[Sample]:
    """The pushed series dcgm-exporter, AMD's exporter or npu-exporter write, for their readers."""
    out: list[Sample] = []
    for family in families:
        for name, labels, value, _, _ in family.samples:
            pairs = dict(labels)
            if is_exporter_series(name, pairs):
                out.append(Sample(name, pairs, value))
    return out


def _machine(job: str, grouping: str) -> str:
    # Series without a host label (npu-exporter) belong to the machine the group names.
    return str(json.loads(grouping).get("instance") or f"{job}{grouping}")


def pushed_inventory(families: Sequence[Family], job: str, grouping: str) -> Inventory | None:
    """The devices a push shows, or None when it holds no readable exporter series."""
    samples = exporter_samples(families)
    if not samples:
        return None
    try:
        inventory = inventory_of(samples, ExporterKind.AUTO, _machine(job, grouping), None)
    except ExporterOutputError:
        return None  # the samples are still stored as telemetry; they only attest nothing
    return inventory if inventory.devices else None


async def attest_push(
    app: web.Application,
    session: AsyncSession,
    center_id: int,
    job: str,
    grouping: str,
    families: Sequence[Family] | None,
    whole_group: bool,
    now: dt.datetime,
) -> None:
    """Keep a group's pushed devices as the gateway keeps its families, and re-attest.

    PUT and DELETE replace the whole group, so a push without exporter series clears its
    devices; POST replaces only the families it names, so such a push leaves them alone.
    """
    inventory = pushed_inventory(families or [], job, grouping)
    where = (
        PushedInventory.center_id == center_id,
        PushedInventory.job == job,
        PushedInventory.grouping == grouping,
    )
    if inventory is None:
        if not whole_group:
            return
        result: Any = await session.execute(
            delete(PushedInventory).where(*where).execution_options(synchronize_session=False)
        )
        if not result.rowcount:
            return  # nothing was attested from this group: a plain telemetry push
    else:
        await _store(session, center_id, job, grouping, inventory, now)
    await refresh_attestation(session, center_id, now, None, app[SCRAPING].thresholds)


async def _store(
    session: AsyncSession,
    center_id: int,
    job: str,
    grouping: str,
    inventory: Inventory,
    now: dt.datetime,
) -> None:
    row = {
        "center_id": center_id,
        "job": job,
        "grouping": grouping,
        "exporter": inventory.exporter.value,
        "devices": inventory.devices,
        "pushed_at": now,
    }
    # Upsert: two pushes to one group at once must not collide on the group's row.
    dialect = session.get_bind().dialect.name
    upsert: Any = (postgresql if dialect == "postgresql" else sqlite).insert(PushedInventory)
    await session.execute(
        upsert.values(row).on_conflict_do_update(
            index_elements=["center_id", "job", "grouping"],
            set_={name: upsert.excluded[name] for name in ("exporter", "devices", "pushed_at")},
        )
    )
