"""Authentication: a bearer token on every /api/v1 and Pushgateway route, or 401."""

from __future__ import annotations

from aiohttp import web

from registry.keys import authenticate
from service.kit.keys import DB, Handler
from service.kit.principal import PRINCIPAL
from service.kit.problems import unauthorized

PROTECTED_PREFIXES = ("/api/v1/", "/metrics/job/", "/metrics/job@base64/")
# The public notice (公示) and its objection form need no token.
PUBLIC_PREFIXES = ("/api/v1/public/",)


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
            principal = await authenticate(session, token)
        if principal is None:
            raise unauthorized("the bearer token is unknown or revoked")
        request[PRINCIPAL] = principal
    return await handler(request)
