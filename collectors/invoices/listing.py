"""Read stored invoices back, one page at a time, each with its status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from collectors.invoices.models import Invoice, InvoiceNumberClaim, SalesReport
from collectors.invoices.schemas import InvoiceOut
from collectors.invoices.status import InvoiceFacts, Listings, invoice_status
from registry.models import KeyProviderListing, Unit
from registry.money import from_fen

Buyer = aliased(Unit, name="buyer")
Seller = aliased(Unit, name="seller")
FirstClaimer = aliased(Unit, name="first_claimer")


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
    return (
        select(
            Invoice,
            Buyer.code,
            Buyer.credit_code,
            Seller.code,
            Seller.credit_code,
            InvoiceNumberClaim.buyer_unit_id,
            FirstClaimer.code,
        )
        .join(Buyer, Buyer.id == Invoice.buyer_unit_id)
        .join(Seller, Seller.id == Invoice.seller_unit_id)
        .join(InvoiceNumberClaim, InvoiceNumberClaim.number == Invoice.number)
        .join(FirstClaimer, FirstClaimer.id == InvoiceNumberClaim.buyer_unit_id)
        .where(*conditions)
    )


async def _confirmations(
    session: AsyncSession, numbers: Iterable[str]
) -> set[tuple[str, int, str, int]]:
    """(number, seller, buyer credit code, amount) of every sales report of these numbers."""
    wanted = sorted(set(numbers))
    if not wanted:
        return set()
    rows = await session.execute(
        select(
            SalesReport.number,
            SalesReport.seller_unit_id,
            SalesReport.buyer_credit_code,
            SalesReport.amount_fen,
        ).where(SalesReport.number.in_(wanted))
    )
    return {(n, s, b, a) for n, s, b, a in rows.tuples()}


async def _originals(session: AsyncSession, numbers: set[str]) -> dict[str, tuple[Any, str]]:
    """The first claim of each reversed number, with its buyer's credit code."""
    if not numbers:
        return {}
    rows = await session.execute(
        select(Invoice, Unit.credit_code)
        .join(
            InvoiceNumberClaim,
            and_(
                InvoiceNumberClaim.number == Invoice.number,
                InvoiceNumberClaim.buyer_unit_id == Invoice.buyer_unit_id,
            ),
        )
        .join(Unit, Unit.id == Invoice.buyer_unit_id)
        .where(Invoice.number.in_(sorted(numbers)))
    )
    return {inv.number: (inv, credit) for inv, credit in rows.tuples()}


def _facts(inv: Invoice, first: int, buyer_credit: str, confirmed: set[Any]) -> InvoiceFacts:
    key = (inv.number, inv.seller_unit_id, buyer_credit, inv.amount_fen)
    return InvoiceFacts(
        number=inv.number,
        buyer=inv.buyer_unit_id,
        seller=inv.seller_unit_id,
        issued_on=inv.issued_on,
        kind=inv.kind,
        reverses=inv.reverses,
        first_claimed_by=first,
        confirmed=key in confirmed,
    )


async def list_invoices(
    session: AsyncSession, buyer_id: int | None, year: int | None, limit: int, offset: int
) -> tuple[list[InvoiceOut], int]:
    """One page of stored invoices in order of issue, and how many match in all."""
    conditions = year_filter(Invoice.issued_on, year)
    if buyer_id is not None:
        conditions.append(Invoice.buyer_unit_id == buyer_id)
    total = await session.scalar(select(func.count()).select_from(Invoice).where(*conditions))
    page = (
        await session.execute(
            _page_query(conditions)
            .order_by(Invoice.issued_on, Invoice.number, Invoice.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    originals = await _originals(session, {r[0].reverses for r in page if r[0].reverses})
    numbers = [r[0].number for r in page] + list(originals)
    confirmed = await _confirmations(session, numbers)
    listings = await key_provider_listings(session)
    items = []
    for inv, b_code, b_credit, s_code, s_credit, first, first_code in page:
        facts = _facts(inv, first, b_credit, confirmed)
        original = None
        if inv.reverses in originals:
            o_inv, o_credit = originals[inv.reverses]
            original = _facts(o_inv, o_inv.buyer_unit_id, o_credit, confirmed)
        items.append(
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
                status=invoice_status(facts, listings, original),
                confirmed=facts.confirmed,
                first_claimed_by=first_code,
                upload=inv.upload_id,
                row=inv.row,
            )
        )
    return items, int(total or 0)
