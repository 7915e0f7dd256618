"""Install the invoices collector in an app."""

from __future__ import annotations

from aiohttp import web

from collectors.settings import CollectorSettings


def install(app: web.Application, settings: CollectorSettings) -> None:
    """Add the invoices collector's routes, jobs and hooks."""
