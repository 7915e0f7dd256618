"""The review queue over HTTP: units see their declarations, officials accept or reject them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api import (
    apply_changes,
    delete_row,
    get_row,
    refuse_if_depended_on,
    snapshot,
    whole_of,
)
from registry.audit import Actor, actor_of, record
from registry.fields import Code
from registry.models import PendingChange
from registry.resources import Context, Resource
from registry.review import (
    REVIEWED,
    ReviewedType,
    ReviewKind,
    ReviewStatus,
    check_not_decided,
    claim,
    decide,
    get_entry,
    load_pending,
    stale_fields,
)
from service.kit.keys import DB
from service.kit.paging import Page, PageQuery, paginate
from service.kit.principal import Principal, principal_of
from service.kit.problems import Problem, conflict, not_found
from service.kit.roles import require_official
from service.kit.transaction import commit, flush
from service.kit.web import Strict, operation, read_json, read_query, respond, validate

_ID = re.compile(r"^[0-9]{1,18}$")


class ReviewQuery(PageQuery):
    """Filters of the review queue."""

    status: ReviewStatus | None = None
    object_type: ReviewedType | None = None
    object_code: Code | None = None
    unit: Code | None = None


class ReviewOut(BaseModel):
    """One declaration of money-deciding values, beside the values the object holds."""

    id: int
    object_type: ReviewedType
    object_code: str
    unit: str
    kind: ReviewKind = Field(
        description="create: accepting also verifies the object; delete: accepting deletes it"
    )
    status: ReviewStatus
    declared: dict[str, Any] = Field(description="field: the value the unit declared")
    previous: dict[str, Any] = Field(description="field: the object's value when declared")
    verified: dict[str, Any] | None = Field(
        description="field: the verified value now; null while the object is unverified or gone"
    )
    stale: bool = Field(description="the object changed since the declaration: accept is a 409")
    submitted_by: str | None
    submitted_by_name: str | None
    submitted_at: dt.datetime
    decided_by: str | None
    decided_by_name: str | None
    decided_at: dt.datetime | None
    comment: str | None


class RejectIn(Strict):
    """Why the declared values are rejected; the unit sees it."""

    comment: Annotated[str, Field(min_length=1, max_length=2000)]


async def _stored(
    session: AsyncSession, entries: Sequence[PendingChange]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The objects the entries are about, in their wire form, by (type, code)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for object_type, res in REVIEWED.items():
        codes = sorted({e.object_code for e in entries if e.object_type == object_type})
        if not codes:
            continue
        ctx = Context()
        await ctx.load_catalogue(session)
        rows = await session.scalars(
            select(res.table).options(*res.options).where(res.code_column.in_(codes))
        )
        for row in rows.unique():
            out[(object_type, row.code)] = snapshot(res, row, ctx)  # type: ignore[attr-defined]
    return out


async def render_reviews(
    session: AsyncSession, entries: Sequence[PendingChange]
) -> list[ReviewOut]:
    """Review entries in their wire form, each beside the values its object holds now."""
    stored = await _stored(session, entries)
    items = []
    for e in entries:
        now = stored.get((e.object_type, e.object_code))
        fields = e.previous if e.kind == ReviewKind.DELETE else e.changes
        verified = {f: now.get(f) for f in fields} if now and now["verified"] else None
        stale = e.status == ReviewStatus.PENDING and (now is None or bool(stale_fields(e, now)))
        items.append(
            ReviewOut(
                id=e.id,
                object_type=ReviewedType(e.object_type),
                object_code=e.object_code,
                unit=e.unit_code,
                kind=ReviewKind(e.kind),
                status=ReviewStatus(e.status),
                declared=e.changes,
                previous=e.previous,
                verified=verified,
                stale=stale,
                submitted_by=e.submitted_by,
                submitted_by_name=e.submitted_by_name,
                submitted_at=e.submitted_at,
                decided_by=e.decided_by,
                decided_by_name=e.decided_by_name,
                decided_at=e.decided_at,
                comment=e.comment,
            )
        )
    return items


async def accept_entry(session: AsyncSession, entry: PendingChange, actor: Actor) -> ReviewOut:
    """Set a pending declaration's values on its object, audited; 409 if decided or stale."""
    check_not_decided(entry)
    res = REVIEWED[entry.object_type]
    code = entry.object_code
    ctx = Context()
    await ctx.load_catalogue(session)
    row = await get_row(session, res, code)
    await load_pending(session, res, ctx, [code])
    before = snapshot(res, row, ctx)
    await claim(session, entry, ReviewStatus.ACCEPTED)
    stale = stale_fields(entry, before)
    if stale:
        changed = ", ".join(
            f"{f} is now {before.get(f)!r}, was {entry.previous.get(f)!r}" for f in stale
        )
        raise conflict(
            f"{res.label} {code!r} changed since the declaration ({changed}); "
            "reject this one and ask the unit to declare again"
        )
    if entry.kind == ReviewKind.DELETE:
        return await _accept_deletion(session, entry, actor, res, row, before)
    try:
        whole = validate(res.create, whole_of(res, before) | entry.changes)
    except Problem as problem:
        raise Problem(
            409, "Conflict", f"the declared values no longer fit {res.label} {code!r}",
            problem.errors,
        ) from None  # fmt: skip
    full = whole.model_dump()
    apply_changes(res, row, {f: full[f] for f in entry.changes}, ctx)
    row.verified = True
    await decide(session, entry, ReviewStatus.ACCEPTED, actor, None)
    await flush(session)
    session.expire(row)
    row = await get_row(session, res, code)
    ctx.pending.clear()
    after = snapshot(res, row, ctx)
    note = f"review {entry.id} accepted"
    await record(session, actor, "update", res.object_type, code, before, after, note)
    (out,) = await render_reviews(session, [entry])
    return out


async def _accept_deletion(
    session: AsyncSession,
    entry: PendingChange,
    actor: Actor,
    res: Resource,
    row: Any,
    before: dict[str, Any],
) -> ReviewOut:
    """Delete the object its unit asked to remove, audited, unless something still needs it."""
    code = entry.object_code
    await refuse_if_depended_on(session, res, row, code)
    await decide(session, entry, ReviewStatus.ACCEPTED, actor, None)
    await delete_row(session, res, row, code)
    note = f"review {entry.id} accepted"
    await record(session, actor, "delete", res.object_type, code, before, None, note)
    (out,) = await render_reviews(session, [entry])
    return out


async def reject_entry(
    session: AsyncSession, entry: PendingChange, actor: Actor, comment: str
) -> ReviewOut:
    """Reject a pending declaration with the official's reason, audited; 409 if decided."""
    check_not_decided(entry)
    await claim(session, entry, ReviewStatus.REJECTED)
    await decide(session, entry, ReviewStatus.REJECTED, actor, comment)
    (out,) = await render_reviews(session, [entry])
    return out


def _check_own(principal: Principal, entry: PendingChange) -> None:
    # Another unit's declaration answers as an absent one: a 403 would confirm that review
    # exists (and that its unit is declaring something).
    if not principal.is_official and entry.unit_code != principal.unit_code:
        raise not_found("review", str(entry.id))


async def _entry(session: AsyncSession, request: web.Request) -> PendingChange:
    raw = request.match_info["id"]
    entry = await get_entry(session, int(raw)) if _ID.match(raw) else None
    if entry is None:
        raise not_found("review", raw)
    return entry


@operation(
    summary="The review queue: declared money-deciding values beside the verified ones",
    tag="reviews",
    query=ReviewQuery,
    responses={200: Page[ReviewOut]},
    problems=(400, 401, 403),
    description="Officials and admins see every unit's; any other token only its own unit's.",
)
async def list_reviews(request: web.Request) -> web.Response:
    """GET /api/v1/reviews."""
    principal = principal_of(request)
    q = read_query(request, ReviewQuery)
    conditions = []
    for name, column in (
        ("status", PendingChange.status),
        ("object_type", PendingChange.object_type),
        ("object_code", PendingChange.object_code),
        ("unit", PendingChange.unit_code),
    ):
        value = getattr(q, name)
        if value is not None:
            conditions.append(column == value)
    if not principal.is_official:
        conditions.append(PendingChange.unit_code == principal.unit_code)
    async with request.app[DB]() as session:
        rows, total = await paginate(
            session,
            select(PendingChange).where(*conditions).order_by(PendingChange.id.desc()),
            q.limit,
            q.offset,
        )
        items = await render_reviews(session, list(rows.scalars()))
    return respond(Page[ReviewOut](items=items, total=total, limit=q.limit, offset=q.offset))


@operation(
    summary="One declaration under review",
    tag="reviews",
    responses={200: ReviewOut},
    problems=(401, 403, 404),
)
async def get_review(request: web.Request) -> web.Response:
    """GET /api/v1/reviews/{id}."""
    principal = principal_of(request)
    async with request.app[DB]() as session:
        entry = await _entry(session, request)
        _check_own(principal, entry)
        (out,) = await render_reviews(session, [entry])
    return respond(out)


@operation(
    summary="Accept declared values (officials): they become the object's verified values",
    tag="reviews",
    responses={200: ReviewOut},
    problems=(401, 403, 404, 409),
    description=(
        "Sets the declared values on the object (and marks an object its unit registered as "
        "verified), audited on the object and on the review. 409 when the review is no longer "
        "pending, or when the object changed since the declaration."
    ),
)
async def accept(request: web.Request) -> web.Response:
    """POST /api/v1/reviews/{id}/accept."""
    require_official(principal_of(request), "accept declared values")
    actor = actor_of(request)
    async with request.app[DB]() as session:
        entry = await _entry(session, request)
        out = await accept_entry(session, entry, actor)
        await commit(session)
    return respond(out)


@operation(
    summary="Reject declared values (officials), saying why",
    tag="reviews",
    body=RejectIn,
    responses={200: ReviewOut},
    problems=(400, 401, 403, 404, 409, 413, 415, 422),
    description="The object keeps its verified values; 409 when the review is not pending.",
)
async def reject(request: web.Request) -> web.Response:
    """POST /api/v1/reviews/{id}/reject."""
    require_official(principal_of(request), "reject declared values")
    why = validate(RejectIn, await read_json(request))
    actor = actor_of(request)
    async with request.app[DB]() as session:
        entry = await _entry(session, request)
        out = await reject_entry(session, entry, actor, why.comment)
        await commit(session)
    return respond(out)


def add_routes(app: web.Application) -> None:
    """GET /api/v1/reviews[/{id}], POST /api/v1/reviews/{id}/accept and …/reject."""
    app.router.add_get("/api/v1/reviews", list_reviews, allow_head=False)
    app.router.add_get("/api/v1/reviews/{id}", get_review, allow_head=False)
    app.router.add_post("/api/v1/reviews/{id}/accept", accept)
    app.router.add_post("/api/v1/reviews/{id}/reject", reject)
