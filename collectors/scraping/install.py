"""Install the scraping collector in an app."""

from __future__ import annotations

from aiohttp import web

from collectors.scraping import attestations_api, targets_api
from collectors.scraping.attestation import AttestationThresholds
from collectors.scraping.metrics import ScrapeMetrics
from collectors.scraping.networks import AddressPolicy
from collectors.scraping.scraper import SCRAPING, ScrapeConfig, Scraping, run_due_scrapes
from collectors.settings import CollectorSettings
from service.kit.keys import METRICS, SCHEDULER

JOB_ID = "scraping.dispatch"


def install(
    app: web.Application, settings: CollectorSettings, thresholds: AttestationThresholds
) -> None:
    """Add the scraping collector's routes, jobs and hooks."""
    config = ScrapeConfig(addresses=AddressPolicy(settings.scrape_denied_networks))
    scraping = Scraping(config=config, metrics=ScrapeMetrics(app[METRICS]), thresholds=thresholds)
    app[SCRAPING] = scraping
    app.cleanup_ctx.append(scraping.client_context)
    targets_api.add_routes(app)
    attestations_api.add_routes(app)
    # One dispatcher for all targets: each run claims what is due in the database, so any
    # number of replicas may run it at once without scraping a target twice.
    app[SCHEDULER].add_job(
        run_due_scrapes,
        "interval",
        seconds=config.dispatch_every_seconds,
        args=[app],
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
