"""HTTP API of objections: units file to their own lines, anyone publicly, officials resolve."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints

from incentives.install_keys import POLICIES
from incentives.models import Objection
from incentives.objections import (
    PUBLIC_OPEN_PER_LINE,
    Decision,
    Filer,
    ObjectionStatus,
    file_objection,
    list_objections,
    resolve_objection,
    unit_code_of,
)
from incentives.statements.workflow_api import rules_of
from registry.audit import Actor, actor_of
from registry.models import utcnow
from service.kit.keys import DB, REQUEST_ID
from service.kit.paging import Page, PageQuery
from service.kit.principal import principal_of
from service.kit.problems import forbidden
from service.kit.roles import require_official
from service.kit.web import (
    MAX_ID,
    Strict,
    operation,
    path_id,
    read_json,
    read_query,
    respond,
    validate,
)

Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ObjectionIn(Strict):
    """A unit's objection to one of its own lines."""

    statement: Id
    line: Id
    text: Text


class PublicObjectionIn(Strict):
    """An objection from the public notice page: who you are, how to reach you, and why."""

    statement: Id
    line: Id
    name: Short
    contact: Short
    text: Text


class ResolutionIn(Strict):
    """An official's decision on an objection; a dismissal needs a reason."""

    decision: Decision
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ObjectionOut(BaseModel):
    """An objection as officials (all) and units (their own) see it."""

    id: int
    statement: int
    line: int | None = Field(description="null once a run replaced the line (after upheld)")
    unit: str | None
    filed_by: str
    name: str | None
    contact: str | None
    text: str
    status: ObjectionStatus
    resolution: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None


class FiledOut(BaseModel):
    """What the public page is told: the objection's number and status, nothing else."""

    id: int
    status: ObjectionStatus


class ObjectionQuery(PageQuery):
    """Filters of the objection list."""

    status: ObjectionStatus | None = None
    statement: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


def objection_out(objection: Objection, unit_code: str | None) -> ObjectionOut:
    """The wire form of an objection."""
    return ObjectionOut(
        id=objection.id,
        statement=objection.statement_id,
        line=objection.line_id,
        unit=unit_code,
        filed_by=objection.filed_by,
        name=objection.name,
        contact=objection.contact,
        text=objection.text,
        status=ObjectionStatus(objection.status),
        resolution=objection.resolution,
        created_at=objection.created_at,
        resolved_at=objection.resolved_at,
        resolved_by=objection.resolved_by,
    )


@operation(
    summary="File an objection (异议) to one of your unit's lines during the public notice",
    tag="objections",
    body=ObjectionIn,
    responses={201: ObjectionOut},
    problems=(400, 401, 403, 409, 415, 422),
)
async def post_objection(request: web.Request) -> web.Response:
    """POST /api/v1/objections."""
    principal = principal_of(request)
    if principal.is_official:
        raise forbidden("officials resolve objections; a unit's token files them")
    body = validate(ObjectionIn, await read_json(request))
    filer = Filer(key_id=principal.key_id, unit_id=principal.unit_id)
    async with request.app[DB]() as session, session.begin():
        objection = await file_objection(
            session, body.statement, body.line, body.text, filer, actor_of(request), utcnow()
        )
        out = objection_out(objection, principal.unit_code)
    return respond(out, status=201)


async def file_public(request: web.Request, body: PublicObjectionIn) -> Objection:
    """Store an objection from the public page (also used by the /notice form)."""
    actor = Actor(None, None, "public", request.get(REQUEST_ID))
    filer = Filer(key_id=None, unit_id=None, name=body.name, contact=body.contact)
    async with request.app[DB]() as session, session.begin():
        return await file_objection(
            session, body.statement, body.line, body.text, filer, actor, utcnow()
        )


@operation(
    summary="File an objection from the public notice page (no token)",
    tag="public",
    body=PublicObjectionIn,
    responses={201: FiledOut},
    problems=(400, 409, 415, 422, 429),
    public=True,
    description="Anyone may object to a line while its statement is under public notice. "
    f"A line takes at most {PUBLIC_OPEN_PER_LINE} open objections from the public page at a time.",
)
async def post_public_objection(request: web.Request) -> web.Response:
    """POST /api/v1/public/objections."""
    body = validate(PublicObjectionIn, await read_json(request))
    objection = await file_public(request, body)
    return respond(FiledOut(id=objection.id, status=ObjectionStatus.OPEN), status=201)


@operation(
    summary="List objections (officials all; a unit the ones it filed)",
    tag="objections",
    query=ObjectionQuery,
    responses={200: Page[ObjectionOut]},
    problems=(400, 401, 403),
)
async def get_objections(request: web.Request) -> web.Response:
    """GET /api/v1/objections."""
    principal = principal_of(request)
    query = read_query(request, ObjectionQuery)
    unit_id = None if principal.is_official else principal.unit_id
    async with request.app[DB]() as session:
        rows, total = await list_objections(
            session, unit_id, query.status, query.statement, query.limit, query.offset
        )
    items = [objection_out(o, code) for o, code in rows]
    return respond(
        Page[ObjectionOut](items=items, total=total, limit=query.limit, offset=query.offset)
    )


@operation(
    summary="Resolve an objection: upheld (the statement returns to draft) or dismissed",
    tag="objections",
    body=ResolutionIn,
    responses={200: ObjectionOut},
    problems=(400, 401, 403, 404, 409, 415, 422),
    description="A dismissal needs a reason. Upholding returns a published statement to "
    "draft, so the next run refreshes it.",
)
async def post_resolution(request: web.Request) -> web.Response:
    """POST /api/v1/objections/{id}/resolve."""
    principal = principal_of(request)
    require_official(principal, "resolve objections")
    objection_id = path_id(request, "objection")
    body = validate(ResolutionIn, await read_json(request))
    async with request.app[DB]() as session, session.begin():
        objection = await resolve_objection(
            session,
            objection_id,
            body.decision,
            body.reason,
            actor_of(request),
            rules_of(request.app),
            request.app[POLICIES],
            utcnow(),
        )
        out = objection_out(objection, await unit_code_of(session, objection.unit_id))
    return respond(out)


def install(app: web.Application) -> None:
    """Add the objection routes, the public one included."""
    app.router.add_post("/api/v1/objections", post_objection)
    app.router.add_get("/api/v1/objections", get_objections, allow_head=False)
    app.router.add_post("/api/v1/objections/{id}/resolve", post_resolution)
    app.router.add_post("/api/v1/public/objections", post_public_objection)
