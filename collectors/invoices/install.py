"""Install the invoices collector in an app."""

from __future__ import annotations

import asyncio

from aiohttp import web

from collectors.invoices.api import CONFIG, WRITES, InvoiceConfig, add_routes
from collectors.settings import CollectorSettings


def install(app: web.Application, settings: CollectorSettings) -> None:
    """Add the invoices collector's routes, jobs and hooks."""
    # Uploads are streamed to disk, so the app's client_max_size does not see them; the same
    # limit is applied while streaming.
    app[CONFIG] = InvoiceConfig(timezone=settings.timezone, max_body_bytes=settings.max_body_bytes)
    app[WRITES] = asyncio.Lock()
    add_routes(app)
