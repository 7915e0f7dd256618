"""Request ids and the one error middleware: every failure as application/problem+json."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from typing import Any

from aiohttp import web
from sqlalchemy.exc import DBAPIError

from service.kit.keys import CLIENT_REQUEST_ID, REQUEST_ID, Handler
from service.kit.problems import FieldError, Problem, too_large
from service.messages import Language, from_accept_language, localize

log = logging.getLogger("infra_incentives.http")
REQUEST_ID_HEADER = "X-Request-Id"
CLIENT_REQUEST_ID_HEADER = "X-Client-Request-Id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")
# nginx's code for a request whose client closed the connection before the answer.
CLIENT_CLOSED = 499


def client_gone(request: web.Request) -> bool:
    """Whether the client closed its connection: what fails then is its doing, not ours."""
    transport = request.transport
    return transport is None or transport.is_closing()


def client_closed_response() -> web.Response:
    """The answer nobody reads, recorded as 499 so it never counts as a server error."""
    return web.Response(status=CLIENT_CLOSED, reason="Client Closed Request")


def problem_response(
    problem: Problem, request_id: str | None, lang: Language = Language.EN
) -> web.Response:
    """Render a problem as RFC 9457 JSON, in the reader's language (English by default)."""
    problem = localize(problem, lang)
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors:
        body["errors"] = [e.as_json() for e in problem.errors]
    if request_id:
        body["request_id"] = request_id
    response = web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=problem.status,
        content_type="application/problem+json",
    )
    response.headers["Content-Language"] = "zh-CN" if lang is Language.ZH else "en"
    response.headers["Vary"] = "Accept-Language"
    if problem.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="infra-incentives"'
    return response


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every request an id of the server's own; keep a caller's id apart and echo both."""
    # The audit log records the server's id: a caller's own must never pass for another request.
    request_id = uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    given = request.headers.get(REQUEST_ID_HEADER, "")
    client_id = given if _SAFE_ID.match(given) else None
    if client_id:
        request[CLIENT_REQUEST_ID] = client_id
        log.info("request %s carries the client's id %s", request_id, client_id)
    headers = {REQUEST_ID_HEADER: request_id}
    if client_id:
        headers[CLIENT_REQUEST_ID_HEADER] = client_id
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(headers)
        raise
    response.headers.update(headers)
    return response


def _from_http(exc: web.HTTPException) -> Problem:
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return too_large()
    detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
    return Problem(exc.status, exc.reason, detail)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into problem+json; log unexpected ones, never leak a traceback."""
    request_id = request.get(REQUEST_ID)
    lang = from_accept_language(request.headers.get("Accept-Language"))
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(problem, request_id, lang)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = problem_response(_from_http(exc), request_id, lang)
        if isinstance(exc, web.HTTPMethodNotAllowed):
            response.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
        if "Retry-After" in exc.headers:
            response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    except asyncio.CancelledError:
        if client_gone(request):
            log.info("client closed the connection during %s %s (request %s)",
                     request.method, request.path, request_id)  # fmt: skip
        raise
    except Exception as exc:
        if client_gone(request):
            # A disconnect mid-upload surfaces as ConnectionResetError or a payload error.
            log.info(
                "client closed the connection during %s %s (request %s): %s",
                request.method, request.path, request_id, type(exc).__name__,
            )  # fmt: skip
            return client_closed_response()
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return _database_lost(request, exc, lang)
        log.exception(
            "unexpected error in %s %s (request %s)", request.method, request.path, request_id
        )
        failure = Problem(500, "Internal server error", "the error was logged with the request id")
        return problem_response(failure, request_id, lang)


def _database_lost(request: web.Request, exc: DBAPIError, lang: Language) -> web.Response:
    # The server closed the connection (a restart, a kill): the pool has already discarded
    # it and every older one, so the same request sent again reaches a fresh connection.
    log.warning(
        "database connection lost during %s %s (request %s): %s",
        request.method, request.path, request.get(REQUEST_ID), exc.orig,
    )  # fmt: skip
    lost = Problem(503, "Service Unavailable", "the database connection was lost; send again")
    response = problem_response(lost, request.get(REQUEST_ID), lang)
    response.headers["Retry-After"] = "1"
    return response


__all__ = ["FieldError", "error_middleware", "problem_response", "request_id_middleware"]
