"""A unit's own page: its record, its facilities and what it has uploaded."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select

from collectors.invoices.models import Invoice
from registry.models import ComputingCenter, FiveGSite, IdentifierNode, Unit
from registry.money import from_fen
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.workbench.awards import unit_awards
from service.workbench.core import PageContext, page
from service.workbench.my_lines import my_statement_lines


@page("my_unit.html")
async def my_unit(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /my: the signed-in unit's own record, facilities and invoices by year."""
    unit_id = signed.principal.unit_id
    year = func.extract("year", Invoice.issued_on)
    async with request.app[DB]() as session:
        unit = await session.get(Unit, unit_id)
        centres = list(
            await session.scalars(
                select(ComputingCenter)
                .where(ComputingCenter.unit_id == unit_id)
                .order_by(ComputingCenter.code)
            )
        )
        nodes = list(
            await session.scalars(
                select(IdentifierNode)
                .where(IdentifierNode.unit_id == unit_id)
                .order_by(IdentifierNode.code)
            )
        )
        sites = await session.scalar(
            select(func.count()).select_from(FiveGSite).where(FiveGSite.unit_id == unit_id)
        )
        years = (
            (
                await session.execute(
                    select(year, func.count(), func.sum(Invoice.amount_fen))
                    .where(Invoice.buyer_unit_id == unit_id, Invoice.kind == "blue")
                    .group_by(year)
                    .order_by(year)
                )
            )
            .tuples()
            .all()
        )
        awards = await unit_awards(request.app, session, unit_id)  # my_awards.html
    return {
        "awards": awards,
        "unit": unit,
        "centres": centres,
        "nodes": nodes,
        "sites": sites or 0,
        "invoice_years": [(int(y), n, from_fen(int(f or 0))) for y, n, f in years],
        "my_lines": await my_statement_lines(request, unit_id),
    }


def add_routes(app: web.Application) -> None:
    """The unit page."""
    app.router.add_get("/my", my_unit, allow_head=False)
