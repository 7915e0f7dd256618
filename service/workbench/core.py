"""What every workbench page shares: the signed-in user, the language, CSRF and rendering."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from registry.web_sessions import SignedIn, session_of
from service.kit.keys import DB, REQUEST_ID, Handler
from service.kit.problems import Problem
from service.messages import Language, localize
from service.workbench.i18n import LANG_COOKIE, Lang, Translate, choose_lang

SESSION_COOKIE = "ii_session"
SIGNED_IN = web.RequestKey("signed_in", SignedIn)
PAGE_PREFIXES_SKIPPED = ("/api/", "/metrics", "/static/", "/healthz", "/readyz")
MAX_FORM_BYTES = 64 * 1024  # sign-in, review and objection forms are small
# Every script, style and image comes from the service itself (intranets have no CDN).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

PageContext = Mapping[str, Any]
HTTP_STATUS = "http_status"  # a context key: the page's status when not 200
PageView = Callable[[web.Request, SignedIn], Awaitable[PageContext]]


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the signed-in user of a page request; API routes keep their bearer tokens."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and len(cookie) <= 128 and not request.path.startswith(PAGE_PREFIXES_SKIPPED):
        async with request.app[DB]() as session:
            signed = await session_of(session, cookie)
        if signed is not None:
            request[SIGNED_IN] = signed
    return await handler(request)


def is_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or through the proxy)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"


def render(
    request: web.Request, template: str, context: PageContext, status: int = 200
) -> web.Response:
    """Render a page with what every page needs: words, language, user, CSRF token."""
    lang = choose_lang(request)
    signed = request.get(SIGNED_IN)
    base: dict[str, Any] = {
        "_": Translate(lang),
        "lang": lang.value,
        "other_lang": (Lang.EN if lang is Lang.ZH else Lang.ZH).value,
        "signed": signed,
        "csrf": signed.csrf_token if signed is not None else "",
        "path": request.path,
        "request_id": request.get(REQUEST_ID),
    }
    response = aiohttp_jinja2.render_template(template, request, base | dict(context))
    response.set_status(status)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    if request.query.get("lang") in (Lang.ZH, Lang.EN):
        response.set_cookie(
            LANG_COOKIE, lang.value, max_age=365 * 86400, httponly=True, samesite="Strict",
            secure=is_https(request),
        )  # fmt: skip
    return response


def page(template: str, *, officials: bool = False) -> Callable[[PageView], Handler]:
    """A page for signed-in users (officials only, if asked); others go to the sign-in page."""

    def wrap(view: PageView) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            signed = request.get(SIGNED_IN)
            if signed is None:
                raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
            if officials and not signed.principal.is_official:
                return render(
                    request, "error.html", {"problem": None, "message_key": "forbidden"}, 403
                )
            try:
                context = await view(request, signed)
            except Problem as problem:
                # The API's words, in the page's language: one catalogue for both.
                problem = localize(problem, Language(choose_lang(request).value))
                context = {"problem": problem, "message_key": None}
                return render(request, "error.html", context, problem.status)
            # A refused form is shown again with what was wrong, under the status the API gives.
            return render(request, template, context, int(context.get(HTTP_STATUS, 200)))

        handler.__doc__ = view.__doc__
        return handler

    return wrap


MAX_OFFSET = 10_000_000  # as the API's PageQuery


def page_offset(request: web.Request) -> int:
    """The list page's `offset` query value, or 400 naming it."""
    raw = request.query.get("offset", "0")
    # Length first: int() of thousands of digits is slow, and past 4,300 an error.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) > MAX_OFFSET:
        raise Problem(400, "Bad Request", "offset must be a whole number")
    return int(raw)


async def checked_form(request: web.Request, expected: str) -> MultiDictProxy[Any]:
    """A posted form whose CSRF token matches the one issued with the page, or 403."""
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise Problem(413, "Payload Too Large", "the form is too large")
    form = await request.post()
    given = form.get("csrf")
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
        raise Problem(403, "Forbidden", "bad_form")
    return form
