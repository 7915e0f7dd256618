"""A unit's own lines of published, final and disbursed statements, for its /my page."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from incentives.models import Statement, StatementLine
from incentives.statements.workflow import NOTICED
from service.kit.keys import DB
from service.workbench.statements_pages import clause_title, local_time, money


async def my_statement_lines(request: web.Request, unit_id: int) -> list[dict[str, Any]]:
    """The unit's lines once public, newest statement first (never a draft's)."""
    async with request.app[DB]() as session:
        rows = await session.execute(
            select(StatementLine, Statement)
            .join(Statement, Statement.id == StatementLine.statement_id)
            .where(
                StatementLine.unit_id == unit_id,
                Statement.status.in_([s.value for s in NOTICED]),
            )
            .order_by(Statement.id.desc(), StatementLine.position)
            .limit(500)
        )
        found = rows.tuples().all()
    return [
        {
            "statement": s.id,
            "line": line.id,
            "clause_title": clause_title(request.app, request, s.clause),
            "period": s.period,
            "status": s.status,
            "subject": line.subject,
            "kind": line.kind,
            "amount": money(line.amount_fen),
            "notice_ends_at": local_time(request.app, s.notice_ends_at),
            "paid_on": s.paid_on.isoformat() if s.paid_on else "",
        }
        for line, s in found
    ]
