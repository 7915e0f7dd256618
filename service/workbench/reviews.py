"""The evidence review queue for officials: declared values beside verified ones, decided here."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import Actor
from registry.models import PendingChange
from registry.review import ReviewStatus, get_entry
from registry.review_api import ReviewOut, accept_entry, reject_entry, render_reviews
from registry.web_sessions import SignedIn
from service.kit.keys import DB, REQUEST_ID
from service.kit.paging import paginate
from service.kit.problems import Problem
from service.kit.transaction import commit
from service.workbench.core import HTTP_STATUS, PageContext, checked_form, page, page_offset

PAGE_SIZE = 25
_ID = re.compile(r"^[0-9]{1,18}$")
MAX_COMMENT = 2000


def show(value: Any) -> str:
    """A declared or verified value as a person reads it."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {show(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return "; ".join(
                " ".join(str(v.get(k, "")) for k in ("category", "amount", "label") if k in v)
                or json.dumps(v, ensure_ascii=False)
                for v in value
            )
        return ", ".join(show(v) for v in value)
    return str(value)


def rows_of(item: ReviewOut) -> list[tuple[str, str, str, str]]:
    """Per declared field: (field, declared, verified now, value when declared)."""
    verified = item.verified or {}
    # A deletion declares no values: each field is shown as it would go.
    declared = item.declared or ({f: None for f in item.previous} if item.kind == "delete" else {})
    return [
        (
            f,
            "deleted" if item.kind == "delete" else show(v),
            show(verified.get(f)) if item.verified else "—",
            show(item.previous.get(f)),
        )
        for f, v in sorted(declared.items())
    ]


async def pending_count(session: AsyncSession) -> int:
    """Declarations waiting for an official (the dashboard shows it)."""
    count = await session.scalar(
        select(func.count())
        .select_from(PendingChange)
        .where(PendingChange.status == ReviewStatus.PENDING)
    )
    return int(count or 0)


async def _queue(request: web.Request) -> dict[str, Any]:
    offset = page_offset(request)
    async with request.app[DB]() as session:
        rows, total = await paginate(
            session,
            select(PendingChange)
            .where(PendingChange.status == ReviewStatus.PENDING)
            .order_by(PendingChange.id),
            PAGE_SIZE,
            offset,
        )
        items = await render_reviews(session, list(rows.scalars()))
    done = request.query.get("done", "")
    done_id = request.query.get("id", "")
    note = None
    if done in ("accepted", "rejected") and _ID.match(done_id):
        note = (f"{done}_note", int(done_id))
    return {
        "items": [(item, rows_of(item)) for item in items],
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "chosen": {},
        "note": note,
        "failure": None,
    }


@page("reviews.html", officials=True)
async def reviews(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /reviews: the pending declarations, oldest first."""
    return await _queue(request)


async def _decide(request: web.Request, signed: SignedIn, accept: bool) -> PageContext:
    form = await checked_form(request, signed.csrf_token)
    raw = request.match_info["id"]
    comment = str(form.get("comment", "")).strip()[:MAX_COMMENT]
    failure: str | None = None
    if not accept and not comment:
        failure = "comment_required"
    else:
        actor = Actor.of(signed.principal, request.get(REQUEST_ID))
        try:
            async with request.app[DB]() as session:
                entry = await get_entry(session, int(raw)) if _ID.match(raw) else None
                if entry is None:
                    raise Problem(404, "Not Found", f"no review {raw[:20]}")
                if accept:
                    await accept_entry(session, entry, actor)
                else:
                    await reject_entry(session, entry, actor, comment)
                await commit(session)
        except Problem as problem:
            if problem.status != 409:
                raise
            failure = problem.detail or problem.title
        else:
            done = "accepted" if accept else "rejected"
            raise web.HTTPSeeOther(f"/reviews?done={done}&id={int(raw)}")
    context = await _queue(request)
    context["failure"] = failure
    context[HTTP_STATUS] = 422 if failure == "comment_required" else 409
    return context


@page("reviews.html", officials=True)
async def accept(request: web.Request, signed: SignedIn) -> PageContext:
    """POST /reviews/{id}/accept: the declared values become the verified ones, audited."""
    return await _decide(request, signed, accept=True)


@page("reviews.html", officials=True)
async def reject(request: web.Request, signed: SignedIn) -> PageContext:
    """POST /reviews/{id}/reject: the object keeps its values; the unit sees the reason."""
    return await _decide(request, signed, accept=False)


def add_routes(app: web.Application) -> None:
    """The review queue and its two decisions."""
    app.router.add_get("/reviews", reviews, allow_head=False)
    app.router.add_post("/reviews/{id}/accept", accept)
    app.router.add_post("/reviews/{id}/reject", reject)
