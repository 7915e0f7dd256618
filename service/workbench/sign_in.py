"""Sign-in with a token (it becomes a session cookie), sign-out, and the home redirect."""

from __future__ import annotations

import secrets

from aiohttp import web

from registry.web_sessions import LIFETIME, close_session, open_session
from service.kit.keys import DB, REQUEST_ID
from service.kit.problems import Problem
from service.workbench.core import (
    SESSION_COOKIE,
    SIGNED_IN,
    checked_form,
    is_https,
    render,
)

LOGIN_CSRF_COOKIE = "ii_login"
MAX_TOKEN_CHARS = 200


def _home(request: web.Request) -> str:
    signed = request.get(SIGNED_IN)
    if signed is None:
        return "/login"
    return "/dashboard" if signed.principal.is_official else "/my"


def _safe_next(value: str | None) -> str | None:
    # Only a path on this site: never "//host" or "https://…" (an open redirect).
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


async def home(request: web.Request) -> web.StreamResponse:
    """GET /: the dashboard for officials, the unit page for units, else sign-in."""
    raise web.HTTPSeeOther(_home(request))


async def login_form(request: web.Request, error: str | None = None) -> web.Response:
    """GET /login: the form, with a fresh CSRF nonce in a cookie of its own."""
    nonce = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"login_csrf": nonce, "next": _safe_next(request.query.get("next")) or "", "error": error},
        401 if error else 200,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, nonce, max_age=3600, httponly=True, samesite="Strict",
        secure=is_https(request), path="/login",
    )  # fmt: skip
    return response


async def login(request: web.Request) -> web.StreamResponse:
    """POST /login: a valid token opens a session (HttpOnly, SameSite=Strict cookie)."""
    try:
        form = await checked_form(request, request.cookies.get(LOGIN_CSRF_COOKIE, ""))
    except Problem:
        return await login_form(request, "bad_form")
    token = form.get("token")
    if not isinstance(token, str) or not 0 < len(token.strip()) <= MAX_TOKEN_CHARS:
        return await login_form(request, "bad_token")
    async with request.app[DB]() as session, session.begin():
        opened = await open_session(session, token.strip(), request.get(REQUEST_ID))
    if opened is None:
        return await login_form(request, "bad_token")
    cookie, signed = opened
    request[SIGNED_IN] = signed
    given = form.get("next")
    target = _safe_next(given if isinstance(given, str) else None)
    response = web.HTTPSeeOther(target or _home(request))
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=int(LIFETIME.total_seconds()), httponly=True,
        samesite="Strict", secure=is_https(request), path="/",
    )  # fmt: skip
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: the session ends on the server, and the cookie is dropped."""
    signed = request.get(SIGNED_IN)
    cookie = request.cookies.get(SESSION_COOKIE)
    if signed is not None and cookie:
        await checked_form(request, signed.csrf_token)
        async with request.app[DB]() as session, session.begin():
            await close_session(session, cookie)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


def add_routes(app: web.Application) -> None:
    """The sign-in routes."""
    app.router.add_get("/", home, allow_head=False)
    app.router.add_get("/login", login_form, allow_head=False)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
