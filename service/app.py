"""The one composition root: create_app(settings) wires every package in dependency order."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

import collectors
import incentives
import registry
from collectors.scraping.attestation import AttestationThresholds
from incentives.policy import DEFAULT_POLICY, load_policy
from registry.fields import CenterKind, Precision
from registry.keys import authenticate
from service import health, metrics, workbench
from service.kit.auth import setup_auth
from service.kit.keys import SCHEDULER
from service.middlewares import error_middleware, request_id_middleware
from service.openapi import build_openapi
from service.settings import Settings

OPENAPI = web.AppKey("openapi", dict[str, Any])
SETTINGS = web.AppKey("settings", Settings)
log = logging.getLogger("infra_incentives")


def package_version() -> str:
    """The installed version of infra-incentives."""
    try:
        return version("infra-incentives")
    except PackageNotFoundError:
        return "0+unknown"


def create_app(settings: Settings) -> web.Application:
    """Build the application: middlewares, then registry, collectors, incentives, service."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[request_id_middleware, metrics.http_metrics_middleware, error_middleware],
    )
    app[SETTINGS] = settings
    setup_auth(app, authenticate)  # after the error middleware, which renders its 401s
    metrics.setup(app)
    app[SCHEDULER] = AsyncIOScheduler(timezone=settings.timezone)
    registry.setup(app, settings.database_url)
    collectors.setup(app, settings, attestation_thresholds(settings.timezone))
    incentives.setup(app, settings)
    health.setup(app)
    workbench.setup(app)
    app.router.add_get("/api/openapi.json", openapi_handler, allow_head=False)
    app.on_startup.append(_build_openapi)
    app.cleanup_ctx.append(_scheduler(settings.scheduler))
    return app


def attestation_thresholds(timezone: str) -> AttestationThresholds:
    """The shipped policy's capacity threshold in force today, which attestation flags against."""
    return _thresholds_on(dt.datetime.now(ZoneInfo(timezone)).date())


@functools.cache
def _thresholds_on(day: dt.date) -> AttestationThresholds:
    params = load_policy(DEFAULT_POLICY).center_params(day)
    return AttestationThresholds(
        min_pflops=params.min_capacity_pflops,
        precision_by_kind={CenterKind(k): Precision(v) for k, v in params.precision.items()},
    )


async def _build_openapi(app: web.Application) -> None:
    app[OPENAPI] = build_openapi(app, "infra-incentives", package_version())


def _scheduler(enabled: bool) -> Any:
    async def run(app: web.Application) -> AsyncIterator[None]:
        scheduler = app[SCHEDULER]
        if enabled:
            scheduler.start()
        yield
        if scheduler.running:
            scheduler.shutdown(wait=False)

    return run


async def openapi_handler(request: web.Request) -> web.Response:
    """GET /api/openapi.json."""
    return web.json_response(request.app[OPENAPI])
