"""The officials' dashboard: what is registered, what is attested, what evidence arrives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from aiohttp import web
from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.models import Invoice
from collectors.scraping.models import CapacityAttestation
from collectors.telemetry.models import TelemetryDaily
from registry.fields import DIVISIONS
from registry.models import ComputingCenter, FiveGSite, IdentifierNode, Unit
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.workbench.awards import awards_chart
from service.workbench.charts import bar_chart, column_chart, grouped_bar_chart
from service.workbench.core import PageContext, page
from service.workbench.i18n import Translate, choose_lang
from service.workbench.reviews import pending_count

OPERATIONAL = "operational"
TEN_THOUSAND_FEN = 1_000_000  # 万元 in fen


async def _centres(session: AsyncSession) -> list[Any]:
    return list(
        (
            await session.execute(
                select(
                    ComputingCenter.id,
                    ComputingCenter.code,
                    ComputingCenter.name,
                    ComputingCenter.kind,
                    ComputingCenter.region,
                    ComputingCenter.status,
                    ComputingCenter.capacity_pflops,
                ).order_by(ComputingCenter.code)
            )
        ).all()
    )


async def _latest_attestations(session: AsyncSession) -> dict[int, dict[str, str]]:
    latest = (
        select(CapacityAttestation.center_id, func.max(CapacityAttestation.id).label("id"))
        .group_by(CapacityAttestation.center_id)
        .subquery()
    )
    rows = await session.execute(
        select(CapacityAttestation.center_id, CapacityAttestation.attested_pflops).join(
            latest, latest.c.id == CapacityAttestation.id
        )
    )
    return {center: pflops for center, pflops in rows.tuples()}


async def overview(session: AsyncSession, _: Translate) -> dict[str, Any]:
    """Figures and charts of the whole registry and its evidence."""
    centres = await _centres(session)
    attested = await _latest_attestations(session)
    by_division: dict[str, Decimal] = defaultdict(Decimal)
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    totals = {"FP16": Decimal(0), "FP64": Decimal(0)}
    versus: list[tuple[str, list[Decimal]]] = []
    for c in centres:
        pflops = {k: Decimal(v) for k, v in c.capacity_pflops.items()}
        if c.status == OPERATIONAL:
            for precision, value in pflops.items():
                by_kind[f"{_(c.kind)} {precision}"] += value
                if precision in totals:
                    totals[precision] += value
            if "FP16" in pflops:
                by_division[c.region or "—"] += pflops["FP16"]
        if c.id in attested:
            precision = "FP64" if c.kind == "supercomputing" else "FP16"
            seen = Decimal(attested[c.id].get(precision, "0"))
            versus.append((f"{c.code} {precision}", [pflops.get(precision, Decimal(0)), seen]))
    sites = dict(
        (await session.execute(
            select(FiveGSite.division, func.count()).group_by(FiveGSite.division)
        )).tuples().all()
    )  # fmt: skip
    year, month = extract("year", Invoice.issued_on), extract("month", Invoice.issued_on)
    months = (
        (
            await session.execute(
                select(year, month, func.sum(Invoice.amount_fen))
                .where(Invoice.kind == "blue")
                .group_by(year, month)
                .order_by(year, month)
            )
        )
        .tuples()
        .all()
    )
    since = dt.date.today() - dt.timedelta(days=90)
    days = (
        (
            await session.execute(
                select(TelemetryDaily.day, func.sum(TelemetryDaily.count))
                .where(TelemetryDaily.day >= since)
                .group_by(TelemetryDaily.day)
                .order_by(TelemetryDaily.day)
            )
        )
        .tuples()
        .all()
    )
    invoice_fen = await session.scalar(
        select(func.coalesce(func.sum(Invoice.amount_fen), 0)).where(Invoice.kind == "blue")
    )
    nothing = _("nothing")
    return {
        "figures": [
            ("units_total", await session.scalar(select(func.count()).select_from(Unit))),
            ("centers_total", len(centres)),
            ("fp16_total", totals["FP16"]),
            ("fp64_total", totals["FP64"]),
            ("nodes_total", await session.scalar(select(func.count()).select_from(IdentifierNode))),
            ("sites_total", sum(sites.values())),
            ("invoices_total", f"{Decimal(int(invoice_fen or 0)) / 100:,.2f}"),
        ],
        "charts": [
            ("capacity_by_division", bar_chart(
                [(d, by_division[d]) for d in DIVISIONS if by_division.get(d)],
                label=_("capacity_by_division"), empty=nothing)),
            ("capacity_by_kind", bar_chart(
                sorted(by_kind.items()), label=_("capacity_by_kind"), empty=nothing)),
            ("declared_vs_attested", grouped_bar_chart(
                versus, label=_("declared_vs_attested"), empty=nothing,
                series=(_("declared"), _("attested")))),
            ("sites_by_division", bar_chart(
                [(d, sites.get(d, 0)) for d in DIVISIONS], label=_("sites_by_division"),
                empty=nothing)),
            ("invoices_by_month", column_chart(
                [(f"{int(y)}-{int(m):02d}", Decimal(int(f)) / TEN_THOUSAND_FEN)
                 for y, m, f in months],
                label=_("invoices_by_month"), empty=nothing)),
            ("telemetry_by_day", column_chart(
                [(d.isoformat(), int(n)) for d, n in days], label=_("telemetry_by_day"),
                empty=nothing)),
        ],
    }  # fmt: skip


@page("dashboard.html", officials=True)
async def dashboard(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /dashboard: key figures and charts."""
    _ = Translate(choose_lang(request))
    async with request.app[DB]() as session:
        context = await overview(session, _)
        context["figures"].append(("reviews_pending", await pending_count(session)))
        context["charts"].insert(1, ("awards_by_clause", await awards_chart(session, _)))
    return context


def add_routes(app: web.Application) -> None:
    """The dashboard route."""
    app.router.add_get("/dashboard", dashboard, allow_head=False)
