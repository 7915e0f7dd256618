"""Liveness and readiness."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from service.kit.keys import DB


async def healthz(request: web.Request) -> web.Response:
    """The process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """The database answers and has the schema."""
    try:
        async with request.app[DB]() as session:
            await session.execute(text("SELECT 1 FROM units WHERE code = 'GOV'"))
    except Exception as exc:
        return web.json_response(
            {"status": "unavailable", "database": type(exc).__name__}, status=503
        )
    return web.json_response({"status": "ready", "database": "ok"})


def setup(app: web.Application) -> None:
    """GET /healthz and /readyz."""
    app.router.add_get("/healthz", healthz, allow_head=False)
    app.router.add_get("/readyz", readyz, allow_head=False)
