"""Install the telemetry collector in an app."""

from __future__ import annotations

from aiohttp import web

from collectors.settings import CollectorSettings


def install(app: web.Application, settings: CollectorSettings) -> None:
    """Add the telemetry collector's routes, jobs and hooks."""
