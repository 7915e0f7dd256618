"""Awards as people ask about them: a unit's expected and granted per period; all by status."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.engine import evaluate
from incentives.install_keys import POLICIES
from incentives.models import Statement, StatementLine
from incentives.parameters import CLAUSES
from incentives.policy import DEFAULT_POLICY
from incentives.statements.periods import period_of
from registry.money import from_fen
from service.workbench.charts import grouped_bar_chart
from service.workbench.i18n import Translate
from service.workbench.live import live_facts

GRANTED = ("final", "disbursed")
ZERO = Decimal("0.00")
TEN_THOUSAND = Decimal(10_000)
# Statement statuses as the dashboard groups them: forecast, approved, published, paid.
STAGES: dict[str, str] = {
    "draft": "awards_forecast",
    "submitted": "awards_forecast",
    "approved": "awards_approved",
    "published": "awards_published",
    "final": "awards_published",
    "disbursed": "awards_disbursed",
}
STAGE_ORDER = ("awards_forecast", "awards_approved", "awards_published", "awards_disbursed")


@dataclass(frozen=True)
class PeriodAwards:
    """What one unit may expect and was granted under one clause for one period."""

    clause: str
    period: str
    expected: Decimal
    granted: Decimal


async def unit_awards(
    app: web.Application, session: AsyncSession, unit_id: int
) -> list[PeriodAwards]:
    """Expected (today's evaluation of the live facts) and granted (final, disbursed) awards."""
    policy = app[POLICIES][DEFAULT_POLICY]
    live = await live_facts(app, session)
    code = next((c for c, u in live.units.items() if u.id == unit_id), None)
    outcome = await asyncio.to_thread(evaluate, live.facts, policy)
    expected: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for award in outcome.awards:
        if award.unit == code:
            expected[(award.clause, period_of(award.clause, award.subject, policy))] += award.amount
    rows = await session.execute(
        select(Statement.clause, Statement.period, func.sum(StatementLine.amount_fen))
        .join(StatementLine, StatementLine.statement_id == Statement.id)
        .where(
            StatementLine.unit_id == unit_id,
            Statement.status.in_(GRANTED),
            Statement.policy == policy.name,
        )
        .group_by(Statement.clause, Statement.period)
    )
    granted = {(c, p): from_fen(int(f or 0)) for c, p, f in rows.tuples()}
    order: dict[str, int] = {c: i for i, c in enumerate(CLAUSES)}
    keys = sorted(set(expected) | set(granted), key=lambda k: (k[1], order.get(k[0], 99)))
    return [
        PeriodAwards(c, p, expected.get((c, p), ZERO), granted.get((c, p), ZERO)) for c, p in keys
    ]


async def awards_chart(session: AsyncSession, _: Translate) -> Markup:
    """Statement totals per clause, one bar per stage (forecast, approved, published, paid)."""
    rows = await session.execute(
        select(Statement.clause, Statement.status, func.sum(Statement.total_fen)).group_by(
            Statement.clause, Statement.status
        )
    )
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for clause, status, fen in rows.tuples():
        stage = STAGES.get(status)
        if stage is not None:
            sums[clause][stage] += Decimal(int(fen or 0)) / 100 / TEN_THOUSAND
    items = [
        (_(clause), [max(sums[clause][s], Decimal(0)) for s in STAGE_ORDER])
        for clause in CLAUSES
        if clause in sums
    ]
    return grouped_bar_chart(
        items,
        label=_("awards_by_clause"),
        series=[_(s) for s in STAGE_ORDER],
        empty=_("nothing"),
    )
