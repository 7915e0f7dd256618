"""Reading the audit log: officials and admins only; nothing changes or removes an entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select

from registry.fields import Code, Instant
from registry.models import AuditEntry
from service.kit.keys import DB
from service.kit.paging import Page, PageQuery, paginate
from service.kit.principal import principal_of
from service.kit.roles import require_official
from service.kit.web import operation, read_query, respond


class AuditQuery(PageQuery):
    """Filters of the audit log."""

    object_type: str | None = None
    object_code: Code | None = None
    request_id: str | None = None
    actor_unit: Code | None = None
    since: Instant | None = None
    until: Instant | None = None


class AuditEntryOut(BaseModel):
    """One change as recorded."""

    id: int
    at: dt.datetime
    actor_key: str | None
    actor_unit: str | None
    actor_role: str | None
    actor_name: str | None
    request_id: str | None
    client_request_id: str | None
    action: str
    object_type: str
    object_code: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


@operation(
    summary="Read the audit log, newest first",
    tag="audit",
    query=AuditQuery,
    responses={200: Page[AuditEntryOut]},
    problems=(400, 401, 403),
)
async def list_audit(request: web.Request) -> web.Response:
    """The audit log, filtered and paged."""
    require_official(principal_of(request), "read the audit log")
    q = read_query(request, AuditQuery)
    conditions = []
    for name in ("object_type", "object_code", "request_id", "actor_unit"):
        value = getattr(q, name)
        if value is not None:
            conditions.append(getattr(AuditEntry, name) == value)
    if q.since is not None:
        conditions.append(AuditEntry.at >= q.since)
    if q.until is not None:
        conditions.append(AuditEntry.at < q.until)
    async with request.app[DB]() as session:
        rows, total = await paginate(
            session,
            select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()),
            q.limit,
            q.offset,
        )
        items = [AuditEntryOut.model_validate(r, from_attributes=True) for r in rows.scalars()]
    return respond(Page[AuditEntryOut](items=items, total=total, limit=q.limit, offset=q.offset))


def add_routes(app: web.Application) -> None:
    """GET /api/v1/audit."""
    app.router.add_get("/api/v1/audit", list_audit, allow_head=False)
