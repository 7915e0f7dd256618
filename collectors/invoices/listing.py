"""Read stored invoices back, one page at a time, each with the status the engine gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from collectors.invoices.judge import InvoiceJudge, InvoiceStatus, StoredClaim
from collectors.invoices.models import Invoice, SalesReport
from collectors.invoices.provider_listings import Listings
from collectors.invoices.schemas import InvoiceOut
from registry.models import KeyProviderListing, Unit
from registry.money import from_fen
from service.kit.paging import paginate

Buyer = aliased(Unit, name="buyer")
Seller = aliased(Unit, name="seller")
Other = aliased(Invoice, name="other")


async def key_provider_listings(session: AsyncSession) -> Listings:
    """Every unit's listing windows as key compute provider."""
    windows: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    rows = await session.execute(
        select(
            KeyProviderListing.unit_id,
            KeyProviderListing.listed_from,
            KeyProviderListing.listed_until,
        )
    )
    for unit_id, start, until in rows.tuples():
        windows.setdefault(unit_id, []).append((start, until))
    return windows


def year_filter(column: Any, year: int | None) -> list[ColumnElement[bool]]:
    """Dates inside one calendar year."""
    if year is None:
        return []
    return [column >= dt.date(year, 1, 1), column < dt.date(year + 1, 1, 1)]


def _page_query(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    others = exists().where(
        Other.number == Invoice.number, Other.buyer_unit_id != Invoice.buyer_unit_id
    )
    confirmed = exists().where(
        SalesReport.seller_unit_id == Invoice.seller_unit_id,
        SalesReport.number == Invoice.number,
        SalesReport.buyer_credit_code == Buyer.credit_code,
        SalesReport.amount_fen == Invoice.amount_fen,
    )
    return (
        select(
            Invoice,
            Buyer.code,
            Buyer.credit_code,
            Seller.code,
            Seller.credit_code,
            others.label("others"),
            confirmed.label("confirmed"),
        )
        .join(Buyer, Buyer.id == Invoice.buyer_unit_id)
        .join(Seller, Seller.id == Invoice.seller_unit_id)
        .where(*conditions)
        .order_by(Invoice.issued_on, Invoice.number, Invoice.id)
    )


async def list_invoices(
    session: AsyncSession,
    judge: InvoiceJudge,
    buyer_id: int | None,
    year: int | None,
    limit: int,
    offset: int,
    status: InvoiceStatus | None = None,
) -> tuple[list[InvoiceOut], int]:
    """One page of stored invoices in order of issue, and how many match in all.

    With a status, every matching invoice of the buyer is judged and the page cut after.
    """
    conditions = year_filter(Invoice.issued_on, year)
    if buyer_id is not None:
        conditions.append(Invoice.buyer_unit_id == buyer_id)
    if status is None:
        counted = select(func.count()).select_from(Invoice).where(*conditions)
        result, total = await paginate(session, _page_query(conditions), limit, offset, counted)
        page = list(result.all())
        statuses = await judge.statuses(session, [_claim(r[0]) for r in page])
    else:
        rows = (await session.execute(_page_query(conditions))).all()
        statuses = await judge.statuses(session, [_claim(r[0]) for r in rows])
        rows = [r for r in rows if statuses[r[0].id] is status]
        total, page = len(rows), rows[offset : offset + limit]
    items = [
        InvoiceOut(
            number=inv.number,
            code=inv.code,
            buyer=b_code,
            buyer_credit_code=b_credit,
            seller=s_code,
            seller_credit_code=s_credit,
            issued_on=inv.issued_on,
            amount=from_fen(inv.amount_fen),
            kind="red" if inv.kind == "red" else "blue",
            reverses=inv.reverses,
            status=statuses[inv.id],
            confirmed=bool(confirmed),
            claimed_by_others=bool(others),
            upload=inv.upload_id,
            row=inv.row,
        )
        for inv, b_code, b_credit, s_code, s_credit, others, confirmed in page
    ]
    return items, int(total or 0)


def _claim(invoice: Invoice) -> StoredClaim:
    return StoredClaim(invoice.id, invoice.number, invoice.reverses)
