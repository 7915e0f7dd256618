"""API keys over HTTP: admins create, list and revoke them; the token is shown once."""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from pydantic import BaseModel, Field

from registry.audit import actor_of
from registry.fields import Code, Name
from registry.keys import create_key, keys_page, revoke_key
from service.kit.keys import DB
from service.kit.paging import Page, PageQuery
from service.kit.principal import Role, principal_of
from service.kit.roles import require_admin
from service.kit.web import Strict, operation, read_json, read_query, respond, validate


class KeyIn(Strict):
    """A key to issue: for which unit and role, and to whom."""

    unit: Code
    role: Role
    name: Name = Field(description="the holder's name, shown in the audit log of every change")


class KeyOut(BaseModel):
    """A key as listed: never its secret."""

    key_id: str
    unit: str
    role: Role
    name: str | None
    created_at: dt.datetime | None
    revoked_at: dt.datetime | None


class KeyCreated(KeyOut):
    """A new key with its bearer token, which is shown only in this answer."""

    token: str


class KeyQuery(PageQuery):
    """Filters of the key list."""

    unit: Code | None = None
    active: bool | None = Field(None, description="true: not revoked; false: revoked")


@operation(
    summary="Issue an API key to a named holder (admins); the token is shown only here",
    tag="keys",
    body=KeyIn,
    responses={201: KeyCreated},
    problems=(400, 401, 403, 413, 415, 422),
)
async def create(request: web.Request) -> web.Response:
    """POST /api/v1/keys."""
    require_admin(principal_of(request), "issue API keys")
    wanted = validate(KeyIn, await read_json(request))
    async with request.app[DB]() as session, session.begin():
        key, token = await create_key(
            session, wanted.unit, wanted.role.value, actor_of(request), wanted.name
        )
    created = KeyCreated(
        key_id=key.key_id,
        unit=wanted.unit,
        role=wanted.role,
        name=key.name,
        created_at=key.created_at,
        revoked_at=None,
        token=token,
    )
    return respond(created, status=201)


@operation(
    summary="List API keys, newest first (admins)",
    tag="keys",
    query=KeyQuery,
    responses={200: Page[KeyOut]},
    problems=(400, 401, 403),
)
async def list_all(request: web.Request) -> web.Response:
    """GET /api/v1/keys."""
    require_admin(principal_of(request), "list API keys")
    q = read_query(request, KeyQuery)
    async with request.app[DB]() as session:
        rows, total = await keys_page(session, q.unit, q.active, q.limit, q.offset)
    items = [KeyOut.model_validate(r) for r in rows]
    return respond(Page[KeyOut](items=items, total=total, limit=q.limit, offset=q.offset))


@operation(
    summary="Revoke an API key (admins); its token stops working at once",
    tag="keys",
    responses={200: KeyOut},
    problems=(401, 403, 404),
)
async def revoke(request: web.Request) -> web.Response:
    """POST /api/v1/keys/{key_id}/revoke."""
    require_admin(principal_of(request), "revoke API keys")
    async with request.app[DB]() as session, session.begin():
        snapshot = await revoke_key(session, request.match_info["key_id"], actor_of(request))
    return respond(KeyOut.model_validate(snapshot))


def add_routes(app: web.Application) -> None:
    """POST/GET /api/v1/keys and POST /api/v1/keys/{key_id}/revoke."""
    app.router.add_post("/api/v1/keys", create)
    app.router.add_get("/api/v1/keys", list_all, allow_head=False)
    app.router.add_post("/api/v1/keys/{key_id}/revoke", revoke)
