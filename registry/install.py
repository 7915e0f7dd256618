"""Install the registry in an app: its database and its routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from registry import api, audit_api, catalogue_api, keys_api, review_api, site_import
from registry.db import create_engine, session_factory
from service.kit.keys import DB

# The registry's database, as configured (the engine itself is behind DB).
DATABASE_URL = web.AppKey("database_url", str)


def install(app: web.Application, database_url: str) -> None:
    """Add the engine's lifecycle and the registry routes."""
    app[DATABASE_URL] = database_url

    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = create_engine(database_url)
        app[DB] = session_factory(engine)
        yield
        await engine.dispose()

    app.cleanup_ctx.append(database)
    api.add_routes(app)
    audit_api.add_routes(app)
    catalogue_api.add_routes(app)
    keys_api.add_routes(app)
    review_api.add_routes(app)
    site_import.add_routes(app)
