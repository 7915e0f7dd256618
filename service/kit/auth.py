"""Authentication: a bearer token on every /api/v1 and Pushgateway route, or 401."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.keys import DB, Handler
from service.kit.lookup import autocommit_reads
from service.kit.principal import PRINCIPAL, Principal
from service.kit.problems import unauthorized

# The principal of a token, or None when the token is unknown or revoked (the registry's keys).
Authenticate = Callable[[AsyncSession, str], Awaitable[Principal | None]]
AUTHENTICATE: web.AppKey[Authenticate] = web.AppKey("authenticate")

PROTECTED_PREFIXES = ("/api/v1/", "/metrics/job/", "/metrics/job@base64/")
# The public notice (公示) and its objection form need no token.
PUBLIC_PREFIXES = ("/api/v1/public/",)


def setup_auth(app: web.Application, authenticate: Authenticate) -> None:
    """Install the auth middleware, which asks `authenticate` who a token belongs to."""
    app[AUTHENTICATE] = authenticate
    app.middlewares.append(auth_middleware)


def bearer_token(request: web.Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the caller's principal, or answer 401 on protected routes."""
    if request.path.startswith(PROTECTED_PREFIXES) and not request.path.startswith(PUBLIC_PREFIXES):
        token = bearer_token(request)
        if token is None:
            raise unauthorized()
        async with request.app[DB]() as session:
            await autocommit_reads(session)  # one statement: a transaction adds two round trips
            principal = await request.app[AUTHENTICATE](session, token)
        if principal is None:
            raise unauthorized("the bearer token is unknown or revoked")
        request[PRINCIPAL] = principal
    return await handler(request)
