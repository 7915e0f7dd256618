"""GET /api/v1/statements/changes: what changed since the last statement, and what it moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from aiohttp import web
from pydantic import BaseModel, Field

from incentives.since_statement import FactChange, InvoiceChanges
from incentives.statements.since import since_last_statement
from service.kit.keys import DB
from service.kit.principal import principal_of
from service.kit.problems import Problem
from service.kit.roles import require_official
from service.kit.web import Strict, operation, read_query, respond

MAX_ITEMS = 1000  # per list; the totals count them all


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class ChangesQuery(Strict):
    """Which run to compare with: the newest statement's by default."""

    run: int | None = Field(None, ge=1, le=2**31 - 1, description="a statement run's id")


class RunRef(BaseModel):
    """The run whose facts are compared."""

    id: int
    policy: str
    as_of: dt.date
    created_at: dt.datetime


class FactChangeOut(BaseModel):
    """A subject added or removed, or one field of it changed."""

    kind: str
    subject: str
    change: str
    field: str | None
    before: str | None
    after: str | None


class InvoiceChangesOut(BaseModel):
    """A buyer's invoices added, removed or changed since the run."""

    buyer: str
    added: int
    added_amount: str
    removed: int
    removed_amount: str
    changed: int


class AwardChangeOut(BaseModel):
    """One unit's award under one clause then and now."""

    clause: str
    unit: str
    then: str
    now: str
    change: str


class ChangesOut(BaseModel):
    """The comparison: facts, invoices and the awards they would move."""

    run: RunRef
    as_of: dt.date = Field(description="the live facts' day (today)")
    facts: list[FactChangeOut]
    facts_total: int
    invoices: list[InvoiceChangesOut]
    invoices_total: int
    awards: list[AwardChangeOut] = Field(description="only the awards that would change")
    awards_total: int


def _fact(c: FactChange) -> FactChangeOut:
    return FactChangeOut(
        kind=c.kind,
        subject=c.subject,
        change=c.change,
        field=c.field,
        before=c.before,
        after=c.after,
    )


def _invoices(c: InvoiceChanges) -> InvoiceChangesOut:
    return InvoiceChangesOut(
        buyer=c.buyer,
        added=c.added,
        added_amount=_money(c.added_amount),
        removed=c.removed,
        removed_amount=_money(c.removed_amount),
        changed=c.changed,
    )


@operation(
    summary="What changed in the facts since the last statement run, and the awards it moves",
    tag="statements",
    query=ChangesQuery,
    responses={200: ChangesOut},
    description=(
        "Compares the facts kept by the run behind the newest statement (or `run`) with the "
        "live facts as of today: subjects added, removed or changed field by field, each "
        "buyer's invoices, and each unit's award per clause under both."
    ),
    problems=(400, 401, 403, 404),
)
async def get_changes(request: web.Request) -> web.Response:
    """GET /api/v1/statements/changes."""
    principal = principal_of(request)
    require_official(principal, "read what changed since the last statement")
    query = read_query(request, ChangesQuery)
    async with request.app[DB]() as session:
        found = await since_last_statement(request.app, session, query.run)
    if found is None:
        raise Problem(404, "Not found", "no statement run to compare with")
    result = found.result
    moved = result.moved
    out = ChangesOut(
        run=RunRef(
            id=found.run.id,
            policy=found.run.policy,
            as_of=found.run.as_of,
            created_at=found.run.created_at,
        ),
        as_of=found.as_of,
        facts=[_fact(c) for c in result.facts[:MAX_ITEMS]],
        facts_total=len(result.facts),
        invoices=[_invoices(c) for c in result.invoices[:MAX_ITEMS]],
        invoices_total=len(result.invoices),
        awards=[
            AwardChangeOut(
                clause=d.clause,
                unit=d.unit,
                then=_money(d.current),
                now=_money(d.proposed),
                change=_money(d.change),
            )
            for d in moved[:MAX_ITEMS]
        ],
        awards_total=len(moved),
    )
    return respond(out)


def add_routes(app: web.Application) -> None:
    """Add the route under /api/v1."""
    app.router.add_get("/api/v1/statements/changes", get_changes, allow_head=False)
