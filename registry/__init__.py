"""Who and what exists: units, facilities, listings; the database, API keys, the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web


def setup(app: web.Application, database_url: str) -> None:
    """Install the registry's database and routes in an app."""
    from registry.install import install

    install(app, database_url)
