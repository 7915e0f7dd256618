"""The scraper's own metrics, in the app's registry."""

from __future__ import annotations

from contextlib import suppress
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ScrapeMetric(StrEnum):
    """Every metric the scraping collector exports."""

    SCRAPES = "incentives_exporter_scrapes_total"
    SCRAPE_SECONDS = "incentives_exporter_scrape_duration_seconds"
    LAST_SUCCESS = "incentives_exporter_last_success_timestamp_seconds"
    CLAIM_LOST = "incentives_exporter_claims_lost_total"


class ScrapeResult(StrEnum):
    """How a scrape ended."""

    SUCCESS = "success"
    FAILURE = "failure"


class ScrapeMetrics:
    """Counters per result; last success per target id (targets are few: one per exporter)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.scrapes = Counter(
            ScrapeMetric.SCRAPES, "Exporter scrapes by this replica", ["result"], registry=registry
        )
        for result in ScrapeResult:
            self.scrapes.labels(result.value)
        self.seconds = Histogram(
            ScrapeMetric.SCRAPE_SECONDS, "Exporter scrape duration", registry=registry
        )
        self.last_success = Gauge(
            ScrapeMetric.LAST_SUCCESS,
            "Unix time of the last successful scrape of a target by this replica",
            ["target"],
            registry=registry,
        )
        self.claims_lost = Counter(
            ScrapeMetric.CLAIM_LOST,
            "Due targets another replica claimed first",
            registry=registry,
        )

    def forget(self, target_id: int) -> None:
        """Drop the series of a deleted target."""
        with suppress(KeyError):
            self.last_success.remove(str(target_id))
