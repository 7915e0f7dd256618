"""Officials' objection page: open and resolved objections, resolved from a form."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from incentives.install_keys import POLICIES
from incentives.models import Objection
from incentives.objections import Decision, ObjectionStatus, list_objections, resolve_objection
from incentives.statements.workflow_api import rules_of
from registry.models import utcnow
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.kit.problems import FieldError, Problem, invalid
from service.workbench.core import PageContext, checked_form, page, page_offset, render
from service.workbench.statements_pages import (
    actor_of_page,
    field_errors,
    local_time,
    officials_only,
    positive_id,
)

PAGE_SIZE = 100


def _row(request: web.Request, objection: Objection, unit_code: str | None) -> dict[str, Any]:
    return {
        "id": objection.id,
        "statement": objection.statement_id,
        "line": objection.line_id,
        "unit": unit_code,
        "filed_by": objection.filed_by,
        "name": objection.name,
        "contact": objection.contact,
        "text": objection.text,
        "status": objection.status,
        "resolution": objection.resolution,
        "created_at": local_time(request.app, objection.created_at),
        "resolved_at": local_time(request.app, objection.resolved_at),
        "resolved_by": objection.resolved_by,
    }


async def _context(request: web.Request) -> dict[str, Any]:
    offset = page_offset(request)
    async with request.app[DB]() as session:
        pending, pending_total = await list_objections(
            session, None, ObjectionStatus.OPEN, None, PAGE_SIZE, offset
        )
        # The newest decisions of either kind; the API pages through all of them.
        decided: list[tuple[Objection, str | None]] = []
        resolved_total = 0
        for status in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
            rows, total = await list_objections(session, None, status, None, PAGE_SIZE, 0)
            decided += rows
            resolved_total += total
    decided.sort(key=lambda row: row[0].id, reverse=True)
    return {
        "pending": [_row(request, o, c) for o, c in pending],
        "pending_total": pending_total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "resolved": [_row(request, o, c) for o, c in decided[:PAGE_SIZE]],
        "resolved_total": resolved_total,
        "done": None,
        "refused": None,
        "form": {},
    }


@page("objections.html", officials=True)
async def objections(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /objections: what waits for an official, and what was decided."""
    context = await _context(request)
    done = request.query.get("done", "")
    if done.isascii() and done.isdigit() and len(done) < 11:
        context["done"] = int(done)
    return context


async def resolve(request: web.Request) -> web.StreamResponse:
    """POST /objections/{id}/resolve: upheld or dismissed, the same audited step as the API."""
    signed = officials_only(request)
    if not isinstance(signed, SignedIn):
        return signed
    objection_id = positive_id(request.match_info["id"])
    try:
        form = await checked_form(request, signed.csrf_token)
    except Problem as problem:
        return render(request, "error.html", {"problem": problem, "message_key": None}, 403)
    raw_decision = form.get("decision")
    raw_reason = form.get("reason")
    reason = raw_reason.strip()[:2000] if isinstance(raw_reason, str) else ""
    refused: Problem | None = None
    if raw_decision not in {d.value for d in Decision}:
        refused = invalid([FieldError("decision", "choose upheld or dismissed")])
    else:
        try:
            async with request.app[DB]() as session, session.begin():
                await resolve_objection(
                    session,
                    objection_id,
                    Decision(raw_decision),
                    reason or None,
                    actor_of_page(request, signed),
                    rules_of(request.app),
                    request.app[POLICIES],
                    utcnow(),
                )
        except Problem as problem:
            refused = problem
    if refused is None:
        raise web.HTTPSeeOther(f"/objections?done={objection_id}")
    context = await _context(request)
    context["refused"] = {"id": objection_id, "status": refused.status,
                          "messages": field_errors(request, refused)}  # fmt: skip
    context["form"] = {"id": objection_id, "reason": reason, "decision": raw_decision}
    return render(request, "objections.html", context, refused.status)


def add_routes(app: web.Application) -> None:
    """The objection pages."""
    app.router.add_get("/objections", objections, allow_head=False)
    app.router.add_post(r"/objections/{id:[0-9]+}/resolve", resolve)
