"""The statements API: runs, statements, their lines' evidence and the facts behind them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES, RUN_OBSERVER
from incentives.models import Statement
from incentives.statements.facts_store import facts_json
from incentives.statements.queries import (
    expand_evidence,
    list_statements,
    run_facts,
    statement_lines,
)
from incentives.statements.run import RunError, RunResult, run_statements
from incentives.statements.schemas import (
    EvidenceOut,
    LineOut,
    RunIn,
    RunItem,
    RunOut,
    StatementOut,
    StatementQuery,
    StatementSummary,
)
from registry.audit import actor_of
from registry.money import fen_text
from service.kit.keys import DB
from service.kit.paging import Page
from service.kit.principal import Principal, principal_of
from service.kit.problems import FieldError, Problem, invalid
from service.kit.roles import require_official
from service.kit.web import operation, read_json, read_query, respond, validate

TAG = "statements"


def _missing(what: str, ident: object) -> Problem:
    return Problem(404, "Not found", f"no {what} {ident}")


def _int(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isascii() or not raw.isdigit():
        raise _missing(name, raw)
    return int(raw)


def _unit_filter(principal: Principal) -> int | None:
    """None for officials (everything); a unit's id otherwise (its own published lines)."""
    return None if principal.is_official else principal.unit_id


def _summary(s: Statement) -> StatementSummary:
    return StatementSummary(
        id=s.id,
        policy=s.policy,
        clause=s.clause,
        period=s.period,
        number=s.number,
        status=s.status,
        as_of=s.as_of,
        total=fen_text(s.total_fen),
    )


def _item(policy: str, r: RunResult) -> RunItem:
    return RunItem(
        policy=policy,
        clause=r.clause,
        period=r.period,
        action=r.action,
        statement=r.statement_id,
        number=r.number,
        status=r.status,
        lines=r.lines,
        total=fen_text(r.total_fen),
    )


@operation(
    summary="Run statements: recompute every entitlement and settle what differs (officials)",
    tag=TAG,
    body=RunIn,
    responses={200: RunOut},
    problems=(400, 401, 403, 415, 422),
    description="One evaluation of the live facts as of the day; per clause and period, the "
    "open draft is refreshed, a statement under review is left alone, and after a final one "
    "number n+1 opens only if something differs. No period after the policy window opens.",
)
async def post_runs(request: web.Request) -> web.Response:
    """POST /api/v1/statements/runs."""
    principal = principal_of(request)
    require_official(principal, "run statements")
    body = validate(RunIn, await read_json(request))
    zone = ZoneInfo(request.app[INCENTIVES_SETTINGS].timezone)
    now = dt.datetime.now(dt.UTC)
    as_of = body.as_of or now.astimezone(zone).date()
    policies = request.app[POLICIES]
    if body.policy is not None and body.policy not in policies:
        known = ", ".join(policies)
        raise invalid([FieldError("policy", f"unknown policy {body.policy!r}; loaded: {known}")])
    chosen = [policies[body.policy]] if body.policy else list(policies.values())
    items: list[RunItem] = []
    try:
        async with request.app[DB]() as session, session.begin():
            for policy in chosen:
                results = await run_statements(
                    session, policy, as_of, actor_of(request), body.clause, body.period, now,
                    observe=request.app.get(RUN_OBSERVER),
                )  # fmt: skip
                items += [_item(policy.name, r) for r in results]
    except RunError as exc:
        raise invalid([FieldError(exc.field, str(exc))]) from None
    return respond(RunOut(as_of=as_of, items=items))


@operation(
    summary="List statements (officials; a unit sees published and later ones with its lines)",
    tag=TAG,
    query=StatementQuery,
    responses={200: Page[StatementSummary]},
    problems=(400, 401),
)
async def get_statements(request: web.Request) -> web.Response:
    """GET /api/v1/statements."""
    principal = principal_of(request)
    query = read_query(request, StatementQuery)
    async with request.app[DB]() as session:
        rows, total = await list_statements(
            session,
            query.clause,
            query.period,
            query.status,
            query.limit,
            query.offset,
            _unit_filter(principal),
        )
    page = Page[StatementSummary](
        items=[_summary(s) for s in rows], total=total, limit=query.limit, offset=query.offset
    )
    return respond(page)


@operation(
    summary="A statement with its lines, each with its explanation in Chinese and English",
    tag=TAG,
    responses={200: StatementOut},
    problems=(401, 404),
)
async def get_statement(request: web.Request) -> web.Response:
    """GET /api/v1/statements/{id}."""
    principal = principal_of(request)
    statement_id = _int(request, "id")
    async with request.app[DB]() as session:
        found = await statement_lines(
            session, statement_id, _unit_filter(principal), with_evidence=False
        )
    if found is None:
        raise _missing("statement", statement_id)
    s, lines = found
    out = StatementOut(
        **_summary(s).model_dump(),
        lines=[
            LineOut(
                id=line.id,
                unit=line.unit,
                subject=line.subject,
                kind=line.kind,
                corrects=line.corrects_id,
                amount=fen_text(line.amount_fen),
                entitlement=fen_text(line.entitlement_fen),
                explanation=line.explanation,
                explanation_en=line.explanation_en,
            )
            for line in lines
        ],
    )
    return respond(out)


@operation(
    summary="The evidence of one line: invoices counted and excluded, capacities, costs, node",
    tag=TAG,
    responses={200: EvidenceOut},
    problems=(401, 404),
)
async def get_evidence(request: web.Request) -> web.Response:
    """GET /api/v1/statements/{id}/lines/{line}/evidence."""
    principal = principal_of(request)
    statement_id, line_id = _int(request, "id"), _int(request, "line")
    async with request.app[DB]() as session:
        found = await statement_lines(
            session, statement_id, _unit_filter(principal), line_id=line_id
        )
        line = next(iter(found[1]), None) if found else None
        if found is None or line is None:
            raise _missing("line", f"{line_id} in statement {statement_id}")
        evidence = await expand_evidence(session, line.evidence)
    out = EvidenceOut(
        statement=statement_id,
        line=line_id,
        clause=found[0].clause,
        subject=line.subject,
        evidence=evidence,
    )
    return respond(out)


@operation(
    summary="The facts a statement was computed from, as a scenario simulate reproduces",
    tag=TAG,
    responses={200: dict[str, Any]},
    description="A scenario (FORMAT.md) as JSON, kept once per run: every clause's facts.",
    problems=(401, 403, 404),
)
async def get_facts(request: web.Request) -> web.Response:
    """GET /api/v1/statements/{id}/facts."""
    principal = principal_of(request)
    require_official(principal, "read a statement's facts")
    statement_id = _int(request, "id")
    async with request.app[DB]() as session:
        statement = await session.get(Statement, statement_id)
        if statement is None:
            raise _missing("statement", statement_id)
        blob = await run_facts(session, statement)
    if blob is None:
        raise _missing("facts of statement", statement_id)
    return web.Response(
        text=facts_json(blob),
        content_type="application/json",
        headers={"Content-Disposition": f'inline; filename="statement-{statement_id}.json"'},
    )


def add_routes(app: web.Application) -> None:
    """Add the statement routes under /api/v1."""
    app.router.add_post("/api/v1/statements/runs", post_runs)
    app.router.add_get("/api/v1/statements", get_statements, allow_head=False)
    app.router.add_get(r"/api/v1/statements/{id:[0-9]+}", get_statement, allow_head=False)
    app.router.add_get(
        r"/api/v1/statements/{id:[0-9]+}/lines/{line:[0-9]+}/evidence",
        get_evidence,
        allow_head=False,
    )
    app.router.add_get(r"/api/v1/statements/{id:[0-9]+}/facts", get_facts, allow_head=False)
