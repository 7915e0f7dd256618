"""HTTP API of support from other policies: officials record, list and delete it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, Field, RootModel, StringConstraints
from sqlalchemy import Result, Select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.install_keys import POLICIES
from incentives.models import OtherSupportRecord
from incentives.other_support import (
    SupportIn,
    add_support,
    delete_support,
    listed_support,
    snapshot,
    support_by_id,
)
from incentives.parameters import Clause
from incentives.policy import DEFAULT_POLICY
from registry.api import unit_ids
from registry.audit import actor_of
from registry.fields import MONEY_PATTERN, Code, Yuan
from service.kit.paging import Page, PageQuery
from service.kit.principal import Principal, principal_of
from service.kit.problems import FieldError, Problem, invalid
from service.kit.roles import require_official
from service.kit.view import ObjectView
from service.kit.web import Operation, Strict, path_id, read_json, validate, validate_many

Subject = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]

# A stored record with its unit's code: what the API and the audit log name it by.
Stored = tuple[OtherSupportRecord, str]


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


class OtherSupportCreated(RootModel[list[OtherSupportOut]]):
    """What a create answers: the stored records, a list even for one object."""


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


# What each change is called in a refusal.
_VERBS = {"POST": "record", "DELETE": "delete"}


class SupportView(ObjectView[Principal, Stored]):
    """Records of support from other policies; the scope is the caller."""

    query = OtherSupportQuery
    create_body = OtherSupportIn
    out = OtherSupportOut

    async def scope(self, request: web.Request, session: AsyncSession) -> Principal:
        """Every token reads (its own unit's records); the list's filters narrow it."""
        return principal_of(request)

    def may_change(self, request: web.Request, scope: Principal) -> None:
        """Only officials record and delete."""
        require_official(scope, f"{_VERBS[request.method]} support from other policies")

    async def check_filters(
        self, request: web.Request, session: AsyncSession, scope: Principal, query: Any
    ) -> None:
        """A unit's token names no other unit (403); an official names a unit that exists."""
        if not scope.is_official:
            if query.unit is not None and query.unit != scope.unit_code:
                raise Problem(403, "Forbidden", "a unit's token sees only its own unit's support")
        elif query.unit is not None and query.unit not in await unit_ids(session, {query.unit}):
            raise Problem(404, "Not found", f"no unit with code {query.unit!r}")

    def listed(self, request: web.Request, scope: Principal, query: Any) -> Select[Any]:
        """Officials see every unit's records, a unit its own; oldest first."""
        unit_id = None if scope.is_official else scope.unit_id
        return listed_support(query.clause, unit_id, query.unit, query.subject)

    async def render_page(
        self, session: AsyncSession, scope: Principal, rows: Result[Any]
    ) -> list[Any]:
        """The records in the scenario format's words."""
        return [OtherSupportOut.model_validate(snapshot(r, c)) for r, c in rows.tuples()]

    async def lookup(self, request: web.Request, session: AsyncSession, scope: Principal) -> Stored:
        """The record of the path's id."""
        return await support_by_id(session, path_id(request, "other-support record"))

    async def read_create(self, request: web.Request) -> tuple[list[OtherSupportIn], bool]:
        """One object or a list of them, every item checked, and whether it was a list."""
        # The role first: a unit's token learns it may not record, not what its body lacks.
        self.may_change(request, principal_of(request))
        raw = await read_json(request)
        if isinstance(raw, list):
            if not raw:
                raise invalid([FieldError("body", "the list is empty")])
            return validate_many(OtherSupportIn, raw), True
        return [validate(OtherSupportIn, raw)], False

    async def perform_create(
        self,
        request: web.Request,
        session: AsyncSession,
        scope: Principal,
        given: tuple[list[OtherSupportIn], bool],
    ) -> BaseModel:
        """Check every item against the registry, then store all; each audited."""
        models, many = given
        items = [SupportIn(g.clause, g.unit, g.subject, g.amount, g.source) for g in models]
        out = await add_support(session, items, policy_years(request), actor_of(request), many)
        return OtherSupportCreated([OtherSupportOut.model_validate(o) for o in out])

    async def perform_destroy(
        self, request: web.Request, session: AsyncSession, scope: Principal, obj: Stored
    ) -> None:
        """Delete the record; audited with what it was."""
        row, unit_code = obj
        await delete_support(session, row, unit_code, actor_of(request))


OPERATIONS = {
    "create": Operation(
        summary="Record support from other policies (officials): one object or a list, all or none",
        tag="other-support",
        body=OtherSupportIn | list[OtherSupportIn],
        responses={201: list[OtherSupportOut]},
        problems=(400, 401, 403, 415, 422),
        description="The subject is a computing centre or identifier node built by the unit, or "
        "for compute_voucher a year of the policy. Amounts are yuan with at most two decimals.",
    ),
    "list": Operation(
        summary="List support from other policies (officials all; a unit its own)",
        tag="other-support",
        query=OtherSupportQuery,
        responses={200: Page[OtherSupportOut]},
        problems=(400, 401, 403, 404),
    ),
    "destroy": Operation(
        summary="Delete a record of support from other policies (officials)",
        tag="other-support",
        responses={204: None},
        problems=(401, 403, 404),
    ),
}


def install(app: web.Application) -> None:
    """Add the other-support routes."""
    SupportView(OPERATIONS).add_routes(app, "/api/v1/other-support", "/api/v1/other-support/{id}")
