"""The public notice (公示): published and final lines, as JSON and as one Chinese page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES
from incentives.models import Statement, StatementLine
from incentives.objections_api import PublicObjectionIn, file_public
from incentives.policy import Policy
from incentives.statements.workflow import NOTICED, notice_running
from registry.models import Unit, utcnow
from registry.money import fen_text
from registry.problems import Problem
from registry.schemas import Page, PageQuery
from registry.web import DB, operation, pydantic_errors, read_query, respond

TEMPLATES = web.AppKey("notice_templates", jinja2.Environment)
SIGNED_MONEY = r"^-?[0-9]+\.[0-9]{2}$"
PAGE_SIZE = 200


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
        .limit(limit)
        .offset(offset)
    )
    count = (
        select(func.count())
        .select_from(StatementLine)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .where(Statement.status.in_(noticed))
    )
    rows = [_Row(*r) for r in (await session.execute(query)).tuples()]
    return rows, int(await session.scalar(count) or 0)


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


async def _page(request: web.Request, limit: int, offset: int) -> Page[NoticeLine]:
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
    return respond(await _page(request, query.limit, query.offset))


def _offset(request: web.Request) -> int:
    raw = request.query.get("offset", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else 0


async def _render(
    request: web.Request, form: Mapping[str, str], message: str | None, errors: list[str]
) -> web.Response:
    offset = _offset(request)
    page = await _page(request, PAGE_SIZE, offset)
    zone = ZoneInfo(request.app[INCENTIVES_SETTINGS].timezone)
    context: dict[str, Any] = {
        "page": page,
        "form": form,
        "message": message,
        "errors": errors,
        "local": lambda t: t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "",
        "money": _grouped,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < page.total else None,
        "prev_offset": max(0, offset - PAGE_SIZE) if offset > 0 else None,
    }
    status = 422 if errors else 200
    response = aiohttp_jinja2.render_template(
        "notice.html", request, context, app_key=TEMPLATES, status=status
    )
    response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _grouped(text: str) -> str:
    whole, _, cents = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"


async def get_notice_page(request: web.Request) -> web.Response:
    """GET /notice: the 公示 page with an objection form."""
    return await _render(request, {}, None, [])


async def post_notice_page(request: web.Request) -> web.Response:
    """POST /notice: an objection from the page's form."""
    posted = await request.post()
    form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
    data: dict[str, Any] = {k: form.get(k, "") for k in ("name", "contact", "text")}
    for key in ("statement", "line"):
        raw = form.get(key, "")
        data[key] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 11 else raw
    try:
        body = PublicObjectionIn.model_validate(data)
    except ValidationError as exc:
        errors = [_said(e.field, e.message) for e in pydantic_errors(exc)]
        return await _render(request, form, None, errors)
    try:
        objection = await file_public(request, body)
    except Problem as problem:
        errors = [_said(e.field, e.message) for e in problem.errors] or [problem.detail or ""]
        return await _render(request, form, None, errors)
    message = f"已收到您的异议（编号 {objection.id}），工作人员将予以核实处理。"
    return await _render(request, {}, message, [])


FIELD_NAMES = {"statement": "结算单", "line": "明细行", "name": "姓名", "contact": "联系方式",
               "text": "异议内容"}  # fmt: skip


def _said(field: str, message: str) -> str:
    return f"{FIELD_NAMES.get(field, field)}: {message}"


def install(app: web.Application) -> None:
    """Add the public notice routes and the page's template environment."""
    aiohttp_jinja2.setup(
        app,
        app_key=TEMPLATES,
        loader=jinja2.PackageLoader("incentives", "templates"),
        autoescape=True,
        default_helpers=False,
    )
    app.router.add_get("/api/v1/public/notices", get_notices, allow_head=False)
    app.router.add_get("/notice", get_notice_page)
    app.router.add_post("/notice", post_notice_page)
