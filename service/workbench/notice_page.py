"""The public notice page (公示): no sign-in, published and final lines, an objection form."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from incentives.objections_api import PublicObjectionIn, file_public
from incentives.public import notice_page as notice_lines_page
from registry.money import to_fen
from service.kit.problems import Problem
from service.workbench.core import checked_form, is_https, page_offset, render
from service.workbench.i18n import Translate, choose_lang
from service.workbench.statements_pages import local_time, money

NOTICE_CSRF_COOKIE = "ii_notice"
NONCE = re.compile(r"^[A-Za-z0-9_-]{32}$")
PAGE_SIZE = 200
FIELDS = ("statement", "line", "name", "contact", "text")
# The form's fields and their bounds: the same as PublicObjectionIn's.
LIMITS = {"statement": 10, "line": 10, "name": 100, "contact": 100, "text": 2000}


async def _render(
    request: web.Request,
    form: Mapping[str, str],
    received: int | None,
    errors: list[str],
    status: int = 200,
) -> web.Response:
    offset = page_offset(request)
    page = await notice_lines_page(request, PAGE_SIZE, offset)
    # One nonce per browser for an hour, so a second tab or a corrected form still goes through.
    kept = request.cookies.get(NOTICE_CSRF_COOKIE, "")
    nonce = kept if NONCE.match(kept) else secrets.token_urlsafe(24)
    items = [
        {
            "statement": item.statement,
            "line": item.line,
            "unit": item.unit,
            "clause_title": item.clause_title,
            "period": item.period,
            "subject": item.subject,
            "amount": money(to_fen(Decimal(item.amount))),
            "status": item.status,
            "published_at": local_time(request.app, item.published_at),
            "notice_ends_at": local_time(request.app, item.notice_ends_at),
            "objections_open": item.objections_open,
        }
        for item in page.items
    ]
    context: dict[str, Any] = {
        "items": items,
        "total": page.total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "notice_csrf": nonce,
        "form": form,
        "received": received,
        "errors": errors,
        "limits": LIMITS,
    }
    response = render(request, "notice.html", context, status)
    response.set_cookie(
        NOTICE_CSRF_COOKIE, nonce, max_age=3600, httponly=True, samesite="Strict",
        secure=is_https(request), path="/notice",
    )  # fmt: skip
    return response


async def notice(request: web.Request) -> web.StreamResponse:
    """GET /notice: the lines on public notice and the objection form, for anyone."""
    # "Object to this line" links fill in the statement and line numbers.
    chosen = {k: request.query.get(k, "") for k in ("statement", "line")}
    form = {k: v for k, v in chosen.items() if v.isascii() and v.isdigit() and len(v) <= 10}
    return await _render(request, form, None, [])


def _messages(request: web.Request, fields: list[str], problem: Problem | None) -> list[str]:
    """What went wrong, in the page's language, field by field."""
    _ = Translate(choose_lang(request))
    said = []
    for field in fields:
        if field in ("statement", "line"):
            said.append(f"{_('field_' + field)}：{_('bad_number')}")
        elif field in LIMITS:
            said.append(f"{_('field_' + field)}：{_('bad_text', limit=LIMITS[field])}")
    if problem is not None:
        if problem.status == 409:
            said.append(_("objection_closed"))
        elif problem.status == 429:
            said.append(_("objection_too_many"))
        elif problem.errors:
            said += [f"{_('field_' + e.field)}：{_('unknown_' + e.field)}" for e in problem.errors]
        else:
            said.append(problem.detail or problem.title)
    return said


async def post_notice(request: web.Request) -> web.StreamResponse:
    """POST /notice: an objection from the form; a clear confirmation or what to correct."""
    try:
        posted = await checked_form(request, request.cookies.get(NOTICE_CSRF_COOKIE, ""))
    except Problem as problem:
        status = 413 if problem.status == 413 else 403
        _ = Translate(choose_lang(request))
        return await _render(request, {}, None, [_("bad_form")], status)
    form = {k: str(posted.get(k, ""))[: LIMITS[k] + 1] for k in FIELDS}
    data: dict[str, Any] = dict(form)
    for key in ("statement", "line"):
        raw = form[key].strip()
        data[key] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 11 else raw
    try:
        body = PublicObjectionIn.model_validate(data)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}, key=FIELDS.index)
        return await _render(request, form, None, _messages(request, fields, None), 422)
    try:
        objection = await file_public(request, body)
    except Problem as problem:
        return await _render(request, form, None, _messages(request, [], problem), problem.status)
    return await _render(request, {}, objection.id, [])


def add_routes(app: web.Application) -> None:
    """The public notice page."""
    app.router.add_get("/notice", notice, allow_head=False)
    app.router.add_post("/notice", post_notice)
