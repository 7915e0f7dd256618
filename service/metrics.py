"""Prometheus metrics: an app-owned registry, HTTP metrics and registry capacity gauges."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from decimal import Decimal
from enum import StrEnum

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.scraping.models import CapacityAttestation
from incentives.install_keys import RUN_OBSERVER
from incentives.models import Objection, Statement
from registry.models import ComputingCenter, FiveGSite, IdentifierNode, PendingChange, Unit
from service.kit.keys import DB, METRICS, Handler
from service.middlewares import CLIENT_CLOSED, client_gone


class MetricName(StrEnum):
    """Every metric the service itself exports."""

    HTTP_REQUESTS = "incentives_http_requests_total"
    HTTP_SECONDS = "incentives_http_request_duration_seconds"
    CENTERS = "incentives_computing_centers"
    CAPACITY = "incentives_declared_capacity_pflops"
    SITES = "incentives_5g_sites"
    NODES = "incentives_identifier_nodes"
    UNITS = "incentives_units"
    CENTER_CAPACITY = "incentives_center_capacity_pflops"
    ATTESTATION_FLAGGED = "incentives_center_attestation_flagged"
    AWARD_AMOUNT = "incentives_award_amount_yuan"
    STATEMENT_RUNS = "incentives_statement_runs_total"
    OBJECTIONS_OPEN = "incentives_objections_open"
    REVIEWS_PENDING = "incentives_reviews_pending"


class IncentiveMetrics:
    """Capacity per centre, awards, statement runs, objections and reviews waiting."""

    def __init__(self, registry: CollectorRegistry) -> None:
        # A centre label is fine: centres are few. Never a site, invoice or buyer label.
        self.capacity = Gauge(
            MetricName.CENTER_CAPACITY,
            "Peak capacity per centre, as declared and as its exporters attest",
            ["center", "kind", "precision", "source"],
            registry=registry,
        )
        self.flagged = Gauge(
            MetricName.ATTESTATION_FLAGGED,
            "1 when a centre's current attestation is flagged for review",
            ["center"],
            registry=registry,
        )
        self.awards = Gauge(
            MetricName.AWARD_AMOUNT,
            "Award statements' totals by clause and workflow status",
            ["clause", "status"],
            registry=registry,
        )
        self.runs = PromCounter(
            MetricName.STATEMENT_RUNS,
            "Statement runs in this process, by result",
            ["result"],
            registry=registry,
        )
        for result in RUN_RESULTS:  # both series exist from the start, so rate() works
            self.runs.labels(result)
        self.objections = Gauge(
            MetricName.OBJECTIONS_OPEN, "Objections waiting for an official", registry=registry
        )
        self.reviews = Gauge(
            MetricName.REVIEWS_PENDING,
            "Declared values waiting for an official's review",
            ["object_type"],
            registry=registry,
        )

    def count_run(self, succeeded: bool) -> None:
        """The statement run's hook: one run ended."""
        self.runs.labels(RUN_RESULTS[0] if succeeded else RUN_RESULTS[1]).inc()

    async def refresh(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Recompute the gauges from the database with a few aggregate queries."""
        latest = (
            select(func.max(CapacityAttestation.id))
            .group_by(CapacityAttestation.center_id)
            .scalar_subquery()
        )
        async with sessions() as session:
            centers = (await session.execute(
                select(ComputingCenter.code, ComputingCenter.kind, ComputingCenter.capacity_pflops)
            )).tuples().all()  # fmt: skip
            attested = (await session.execute(
                select(ComputingCenter.code, CapacityAttestation.attested_pflops,
                       CapacityAttestation.flagged)
                .join(ComputingCenter, ComputingCenter.id == CapacityAttestation.center_id)
                .where(CapacityAttestation.id.in_(latest))
            )).tuples().all()  # fmt: skip
            awards = (await session.execute(
                select(Statement.clause, Statement.status, func.sum(Statement.total_fen))
                .group_by(Statement.clause, Statement.status)
            )).tuples().all()  # fmt: skip
            objections = await session.scalar(
                select(func.count()).select_from(Objection).where(Objection.status == "open")
            )
            reviews = (await session.execute(
                select(PendingChange.object_type, func.count())
                .where(PendingChange.status == "pending")
                .group_by(PendingChange.object_type)
            )).tuples().all()  # fmt: skip
        for gauge in (self.capacity, self.flagged, self.awards, self.reviews):
            gauge.clear()
        kinds = {}
        for code, kind, pflops in centers:
            kinds[code] = kind
            for precision, value in pflops.items():
                self.capacity.labels(code, kind, precision, "declared").set(float(Decimal(value)))
        for code, pflops, flagged in attested:
            for precision, value in pflops.items():
                self.capacity.labels(code, kinds[code], precision, "attested").set(
                    float(Decimal(value))
                )
            self.flagged.labels(code).set(1 if flagged else 0)
        for clause, status, fen in awards:
            self.awards.labels(clause, status).set(float(Decimal(int(fen or 0)) / 100))
        self.objections.set(int(objections or 0))
        for object_type, n in reviews:
            self.reviews.labels(object_type).set(n)


RUN_RESULTS = ("success", "failure")


class ServiceMetrics:
    """The service's own metrics, registered in the app's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = PromCounter(
            MetricName.HTTP_REQUESTS,
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=registry,
        )
        self.seconds = Histogram(
            MetricName.HTTP_SECONDS,
            "HTTP request duration",
            ["method", "route"],
            registry=registry,
        )
        self.centers = Gauge(
            MetricName.CENTERS,
            "Registered computing centres",
            ["kind", "region", "status"],
            registry=registry,
        )
        self.capacity = Gauge(
            MetricName.CAPACITY,
            "Declared peak capacity of registered centres",
            ["kind", "region", "status", "precision"],
            registry=registry,
        )
        # Aggregated by division and status: a per-site label would mean 100,000 series.
        self.sites = Gauge(
            MetricName.SITES, "Registered 5G sites", ["division", "status"], registry=registry
        )
        self.nodes = Gauge(
            MetricName.NODES, "Registered identifier nodes", ["status"], registry=registry
        )
        self.units = Gauge(MetricName.UNITS, "Registered units", ["kind"], registry=registry)
        self.incentives = IncentiveMetrics(registry)

    async def refresh_registry(self, app: web.Application) -> None:
        """Recompute the registry gauges from the database."""
        async with app[DB]() as session:
            centers = (
                (
                    await session.execute(
                        select(
                            ComputingCenter.kind,
                            ComputingCenter.region,
                            ComputingCenter.status,
                            ComputingCenter.capacity_pflops,
                        )
                    )
                )
                .tuples()
                .all()
            )
            sites = (await session.execute(
                select(FiveGSite.division, FiveGSite.status, func.count())
                .group_by(FiveGSite.division, FiveGSite.status)
            )).tuples().all()  # fmt: skip
            nodes = (await session.execute(
                select(IdentifierNode.status, func.count()).group_by(IdentifierNode.status)
            )).tuples().all()  # fmt: skip
            units = (await session.execute(
                select(Unit.kind, func.count()).group_by(Unit.kind)
            )).tuples().all()  # fmt: skip
        counts: Counter[tuple[str, str, str]] = Counter()
        capacity: dict[tuple[str, str, str, str], Decimal] = {}
        for kind, region, status, pflops in centers:
            key = (kind, region or "", status)
            counts[key] += 1
            for precision, value in pflops.items():
                ckey = (*key, precision)
                capacity[ckey] = capacity.get(ckey, Decimal(0)) + Decimal(value)
        for gauge in (self.centers, self.capacity, self.sites, self.nodes, self.units):
            gauge.clear()
        for key, n in counts.items():
            self.centers.labels(*key).set(n)
        for ckey, total in capacity.items():
            self.capacity.labels(*ckey).set(float(total))
        for division, status, n in sites:
            self.sites.labels(division, status).set(n)
        for status, n in nodes:
            self.nodes.labels(status).set(n)
        for kind, n in units:
            self.units.labels(kind).set(n)


APP_KEY = web.AppKey("service_metrics", ServiceMetrics)


@web.middleware
async def http_metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request by its route pattern, never by its raw path."""
    started = time.perf_counter()
    try:
        response = await handler(request)
    except asyncio.CancelledError:
        if client_gone(request):
            _count(request, CLIENT_CLOSED, started)
        raise
    _count(request, response.status, started)
    return response


def _count(request: web.Request, status: int, started: float) -> None:
    info = request.match_info.route.resource
    route = info.canonical if info is not None else "unmatched"
    metrics = request.app[APP_KEY]
    metrics.requests.labels(request.method, route, str(status)).inc()
    metrics.seconds.labels(request.method, route).observe(time.perf_counter() - started)


async def metrics_handler(request: web.Request) -> web.Response:
    """GET /metrics in the Prometheus text format."""
    metrics = request.app[APP_KEY]
    await metrics.refresh_registry(request.app)
    await metrics.incentives.refresh(request.app[DB])
    body = generate_latest(request.app[METRICS])
    response = web.Response(body=body)
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    response.charset = "utf-8"
    return response


def setup(app: web.Application) -> None:
    """Create the app's metrics registry and serve it."""
    registry = CollectorRegistry(auto_describe=True)
    app[METRICS] = registry
    app[APP_KEY] = metrics = ServiceMetrics(registry)
    app[RUN_OBSERVER] = metrics.incentives.count_run
    app.router.add_get("/metrics", metrics_handler, allow_head=False)
