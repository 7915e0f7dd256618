"""The public notice (公示): published and final lines, as JSON (the page is the workbench's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.install_keys import POLICIES
from incentives.models import Statement, StatementLine
from incentives.policy import Policy
from incentives.statements.workflow import NOTICED, notice_running
from registry.models import Unit, utcnow
from registry.money import fen_text
from service.kit.keys import DB
from service.kit.paging import Page, PageQuery, paginate
from service.kit.web import operation, read_query, respond

SIGNED_MONEY = r"^-?[0-9]+\.[0-9]{2}$"


class NoticeLine(BaseModel):
    """One line on public notice: who, for what, how much, and when the notice runs."""

    statement: int
    line: int
    clause: str
    clause_title: str
    period: str
    unit: str = Field(description="the unit's name")
    subject: str
    amount: Annotated[str, Field(pattern=SIGNED_MONEY)]
    status: str
    published_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    objections_open: bool = Field(description="whether the notice still takes objections")


@dataclass(frozen=True)
class _Row:
    line: int
    statement: int
    subject: str
    amount_fen: int
    unit: str
    policy: str
    clause: str
    period: str
    status: str
    published_at: dt.datetime | None
    notice_ends_at: dt.datetime | None


async def notice_lines(session: AsyncSession, limit: int, offset: int) -> tuple[list[_Row], int]:
    """Lines of published, final and disbursed statements, newest publication first."""
    noticed = [s.value for s in NOTICED]
    query = (
        select(
            StatementLine.id,
            StatementLine.statement_id,
            StatementLine.subject,
            StatementLine.amount_fen,
            Unit.name,
            Statement.policy,
            Statement.clause,
            Statement.period,
            Statement.status,
            Statement.published_at,
            Statement.notice_ends_at,
        )
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(Unit, StatementLine.unit_id == Unit.id)
        .where(Statement.status.in_(noticed))
        .order_by(Statement.published_at.desc(), Statement.id.desc(), StatementLine.position)
    )
    count = (
        select(func.count())
        .select_from(StatementLine)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .where(Statement.status.in_(noticed))
    )
    result, total = await paginate(session, query, limit, offset, count)
    return [_Row(*r) for r in result.tuples()], total


def notice_line(row: _Row, policies: Mapping[str, Policy], now: dt.datetime) -> NoticeLine:
    """The public form of a line: nothing beyond who, what, how much and when."""
    policy = policies.get(row.policy)
    clause = policy.clauses.get(row.clause) if policy else None
    return NoticeLine(
        statement=row.statement,
        line=row.line,
        clause=row.clause,
        clause_title=clause.title_zh if clause else row.clause,
        period=row.period,
        unit=row.unit,
        subject=row.subject,
        amount=fen_text(row.amount_fen),
        status=row.status,
        published_at=row.published_at,
        notice_ends_at=row.notice_ends_at,
        objections_open=row.status == "published" and notice_running(row.notice_ends_at, now),
    )


async def notice_page(request: web.Request, limit: int, offset: int) -> Page[NoticeLine]:
    async with request.app[DB]() as session:
        rows, total = await notice_lines(session, limit, offset)
    now = utcnow()
    items = [notice_line(r, request.app[POLICIES], now) for r in rows]
    return Page[NoticeLine](items=items, total=total, limit=limit, offset=offset)


@operation(
    summary="The public notice (公示): lines of published and final statements (no token)",
    tag="public",
    query=PageQuery,
    responses={200: Page[NoticeLine]},
    problems=(400,),
    public=True,
    description="Unit name, clause, subject, amount and notice period only: no credit "
    "codes, no explanations, no evidence.",
)
async def get_notices(request: web.Request) -> web.Response:
    """GET /api/v1/public/notices."""
    query = read_query(request, PageQuery)
    return respond(await notice_page(request, query.limit, query.offset))


def install(app: web.Application) -> None:
    """Add the public notice's JSON route (the workbench serves the /notice page)."""
    app.router.add_get("/api/v1/public/notices", get_notices, allow_head=False)
