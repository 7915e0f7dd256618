"""HTTP API of support from other policies: officials record, list and delete it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints

from incentives.install_keys import POLICIES
from incentives.other_support import SupportIn, add_support, delete_support, list_support
from incentives.parameters import Clause
from incentives.policy import DEFAULT_POLICY
from registry.api import unit_ids
from registry.audit import actor_of
from registry.fields import MONEY_PATTERN, Code, Yuan
from service.kit.keys import DB
from service.kit.paging import Page, PageQuery
from service.kit.principal import principal_of
from service.kit.problems import FieldError, Problem, invalid
from service.kit.roles import require_official
from service.kit.web import (
    Strict,
    operation,
    path_id,
    read_json,
    read_query,
    respond,
    validate,
    validate_many,
)

Subject = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]


class OtherSupportIn(Strict):
    """Support a unit received from another policy for a subject: a centre, a node or a year."""

    clause: Clause
    unit: Code
    subject: Subject
    amount: Yuan
    source: Annotated[str, StringConstraints(max_length=200)] | None = None


class OtherSupportOut(BaseModel):
    """A stored record, in the scenario format's words."""

    id: int
    clause: Clause
    unit: str
    subject: str
    amount: Annotated[str, Field(pattern=MONEY_PATTERN)]
    source: str | None


class OtherSupportQuery(PageQuery):
    """Filters of the list."""

    clause: Clause | None = None
    unit: Code | None = None
    subject: Subject | None = None


def policy_years(request: web.Request) -> range:
    """The calendar years the shipped policy covers (for voucher subjects)."""
    policy = request.app[POLICIES][DEFAULT_POLICY]
    last = policy.valid_until - dt.timedelta(days=1)
    return range(policy.valid_from.year, last.year + 1)


@operation(
    summary="Record support from other policies (officials): one object or a list, all or none",
    tag="other-support",
    body=OtherSupportIn | list[OtherSupportIn],
    responses={201: list[OtherSupportOut]},
    problems=(400, 401, 403, 415, 422),
    description="The subject is a computing centre or identifier node built by the unit, or "
    "for compute_voucher a year of the policy. Amounts are yuan with at most two decimals.",
)
async def post_support(request: web.Request) -> web.Response:
    """POST /api/v1/other-support."""
    principal = principal_of(request)
    require_official(principal, "record support from other policies")
    raw = await read_json(request)
    if isinstance(raw, list):
        if not raw:
            raise invalid([FieldError("body", "the list is empty")])
        given = validate_many(OtherSupportIn, raw)
    else:
        given = [validate(OtherSupportIn, raw)]
    items = [SupportIn(g.clause, g.unit, g.subject, g.amount, g.source) for g in given]
    async with request.app[DB]() as session, session.begin():
        out = await add_support(
            session, items, policy_years(request), actor_of(request), isinstance(raw, list)
        )
    created = [OtherSupportOut.model_validate(o) for o in out]
    return respond(created, status=201, adapter=list[OtherSupportOut])


@operation(
    summary="List support from other policies (officials all; a unit its own)",
    tag="other-support",
    query=OtherSupportQuery,
    responses={200: Page[OtherSupportOut]},
    problems=(400, 401, 403, 404),
)
async def get_support(request: web.Request) -> web.Response:
    """GET /api/v1/other-support."""
    principal = principal_of(request)
    query = read_query(request, OtherSupportQuery)
    unit_id: int | None = None
    async with request.app[DB]() as session:
        if not principal.is_official:
            unit_id = principal.unit_id
            if query.unit is not None and query.unit != principal.unit_code:
                raise Problem(403, "Forbidden", "a unit's token sees only its own unit's support")
        elif query.unit is not None:
            found = await unit_ids(session, {query.unit})
            if query.unit not in found:
                raise Problem(404, "Not found", f"no unit with code {query.unit!r}")
            unit_id = found[query.unit]
        items, total = await list_support(
            session, query.clause, unit_id, query.subject, query.limit, query.offset
        )
    page = Page[OtherSupportOut](
        items=[OtherSupportOut.model_validate(i) for i in items],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
    return respond(page)


@operation(
    summary="Delete a record of support from other policies (officials)",
    tag="other-support",
    responses={204: None},
    problems=(401, 403, 404),
)
async def delete_one(request: web.Request) -> web.Response:
    """DELETE /api/v1/other-support/{id}."""
    principal = principal_of(request)
    require_official(principal, "delete support from other policies")
    support_id = path_id(request, "other-support record")
    async with request.app[DB]() as session, session.begin():
        await delete_support(session, support_id, actor_of(request))
    return web.Response(status=204)


def install(app: web.Application) -> None:
    """Add the other-support routes."""
    app.router.add_post("/api/v1/other-support", post_support)
    app.router.add_get("/api/v1/other-support", get_support, allow_head=False)
    app.router.add_delete("/api/v1/other-support/{id}", delete_one)
