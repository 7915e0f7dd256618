"""The telemetry collector's own Prometheus metrics, in the app's registry."""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter


class TelemetryMetric(StrEnum):
    """Names of the telemetry metrics."""

    SAMPLES = "incentives_telemetry_samples_total"
    REJECTED = "incentives_telemetry_rejected_pushes_total"
    PRUNED = "incentives_telemetry_pruned_samples_total"


class Source(StrEnum):
    """How samples came in."""

    JSON = "json"
    PUSHGATEWAY = "pushgateway"


class TelemetryMetrics:
    """Counters of what was stored, repeated, refused and pruned."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.samples = Counter(
            TelemetryMetric.SAMPLES,
            "Telemetry samples received, by source and outcome (accepted or duplicate)",
            ["source", "outcome"],
            registry=registry,
        )
        self.rejected = Counter(
            TelemetryMetric.REJECTED,
            "Telemetry batches or pushes refused as a whole, by source and HTTP status",
            ["source", "status"],
            registry=registry,
        )
        self.pruned = Counter(
            TelemetryMetric.PRUNED,
            "Raw telemetry samples deleted after the retention period",
            registry=registry,
        )

    def stored(self, source: Source, accepted: int, duplicates: int) -> None:
        """Count one stored batch."""
        self.samples.labels(source.value, "accepted").inc(accepted)
        self.samples.labels(source.value, "duplicate").inc(duplicates)
