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

from registry.models import ComputingCenter, FiveGSite, IdentifierNode, Unit
from registry.web import DB, METRICS, Handler
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
    await request.app[APP_KEY].refresh_registry(request.app)
    body = generate_latest(request.app[METRICS])
    response = web.Response(body=body)
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    response.charset = "utf-8"
    return response


def setup(app: web.Application) -> None:
    """Create the app's metrics registry and serve it."""
    registry = CollectorRegistry(auto_describe=True)
    app[METRICS] = registry
    app[APP_KEY] = ServiceMetrics(registry)
    app.router.add_get("/metrics", metrics_handler, allow_head=False)
