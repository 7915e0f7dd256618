"""How evidence comes in: telemetry, exporter scraping, invoices and provider sales reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from collectors.scraping.attestation import AttestationThresholds
    from collectors.settings import CollectorSettings


def setup(
    app: web.Application, settings: CollectorSettings, thresholds: AttestationThresholds
) -> None:
    """Install every collector's routes, jobs and hooks; thresholds come from the policy."""
    from collectors.invoices.install import install as invoices
    from collectors.scraping.install import install as scraping
    from collectors.telemetry.install import install as telemetry

    telemetry(app, settings)
    scraping(app, settings, thresholds)
    invoices(app, settings)
