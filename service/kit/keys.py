"""The platform's typed keys: the database, metrics, scheduler and the request's ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

DB = web.AppKey("db", async_sessionmaker[AsyncSession])
METRICS = web.AppKey("metrics", CollectorRegistry)
REQUEST_ID = web.RequestKey("request_id", str)
CLIENT_REQUEST_ID = web.RequestKey("client_request_id", str)  # the caller's own, kept apart
# APScheduler 3 ships no types; packages add their jobs to the one scheduler of the app.
SCHEDULER: web.AppKey[Any] = web.AppKey("scheduler", object)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
