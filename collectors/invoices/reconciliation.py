"""Reconciliation: each sales report against the buyer's uploaded invoice and the listings.

A buyer's invoice is confirmed when a report of its seller names the same number, the same
buyer (by credit code) and the same amount; the invoice list computes that on reading, so it
never goes stale whichever of the two arrives first. Here every report that does not confirm
an invoice, or comes from a seller not listed on the invoice date, is listed as a mismatch.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from collectors.invoices.listing import key_provider_listings, year_filter
from collectors.invoices.models import Invoice, SalesReport
from collectors.invoices.provider_listings import Listings, is_listed
from collectors.invoices.schemas import Mismatch, MismatchKind, ReconciliationOut
from registry.models import Unit
from registry.money import fen_text, from_fen

Seller = aliased(Unit, name="seller")
Buyer = aliased(Unit, name="buyer")
InvoiceSeller = aliased(Unit, name="invoice_seller")


def mismatches_of(row: Any, listings: Listings) -> list[Mismatch]:
    """Every way one report (joined with the buyer's invoice, if any) disagrees."""
    report: SalesReport = row.SalesReport
    found: list[tuple[MismatchKind, str]] = []
    if not is_listed(listings, report.seller_unit_id, report.issued_on):
        found.append(
            (
                MismatchKind.SELLER_NOT_LISTED,
                f"seller {row.seller_code} was not listed as key compute provider "
                f"on {report.issued_on.isoformat()}",
            )
        )
    if row.invoice_amount is None:
        whose = (
            f"buyer {row.buyer_code} has not uploaded it"
            if row.buyer_code is not None
            else f"no unit with credit code {report.buyer_credit_code} is registered"
        )
        found.append((MismatchKind.INVOICE_UNKNOWN_TO_BUYER, f"invoice {report.number}: {whose}"))
    else:
        if row.invoice_seller_id != report.seller_unit_id:
            found.append(
                (
                    MismatchKind.SELLER_DIFFERS,
                    f"the buyer's invoice names seller {row.invoice_seller_code}, "
                    f"the report comes from {row.seller_code}",
                )
            )
        if row.invoice_amount != report.amount_fen:
            found.append(
                (
                    MismatchKind.AMOUNT_DIFFERS,
                    f"reported {fen_text(report.amount_fen)}, "
                    f"the buyer uploaded {fen_text(row.invoice_amount)}",
                )
            )
    return [
        Mismatch(
            kind=kind,
            number=report.number,
            seller=row.seller_code,
            buyer_credit_code=report.buyer_credit_code,
            buyer=row.buyer_code,
            issued_on=report.issued_on,
            reported_amount=from_fen(report.amount_fen),
            invoiced_amount=None if row.invoice_amount is None else from_fen(row.invoice_amount),
            message=message,
        )
        for kind, message in found
    ]


async def reconcile(
    session: AsyncSession,
    seller_id: int | None,
    buyer_id: int | None,
    year: int | None,
    kind: MismatchKind | None,
    limit: int,
    offset: int,
) -> ReconciliationOut:
    """Count the confirming reports and list one page of mismatches."""
    conditions = year_filter(SalesReport.issued_on, year)
    if seller_id is not None:
        conditions.append(SalesReport.seller_unit_id == seller_id)
    if buyer_id is not None:
        conditions.append(Buyer.id == buyer_id)
    query = (
        select(
            SalesReport,
            Seller.code.label("seller_code"),
            Buyer.code.label("buyer_code"),
            Invoice.amount_fen.label("invoice_amount"),
            Invoice.seller_unit_id.label("invoice_seller_id"),
            InvoiceSeller.code.label("invoice_seller_code"),
        )
        .join(Seller, Seller.id == SalesReport.seller_unit_id)
        .outerjoin(Buyer, Buyer.credit_code == SalesReport.buyer_credit_code)
        .outerjoin(
            Invoice,
            and_(Invoice.number == SalesReport.number, Invoice.buyer_unit_id == Buyer.id),
        )
        .outerjoin(InvoiceSeller, InvoiceSeller.id == Invoice.seller_unit_id)
        .where(*conditions)
        .order_by(SalesReport.issued_on, SalesReport.number, SalesReport.id)
    )
    listings = await key_provider_listings(session)
    reports = confirmed = 0
    found: list[Mismatch] = []
    for row in await session.execute(query):
        reports += 1
        report: SalesReport = row.SalesReport
        if (
            row.invoice_amount == report.amount_fen
            and row.invoice_seller_id == report.seller_unit_id
        ):
            confirmed += 1
        found.extend(m for m in mismatches_of(row, listings) if kind is None or m.kind is kind)
    return ReconciliationOut(
        reports=reports,
        confirmed=confirmed,
        mismatches=found[offset : offset + limit],
        total=len(found),
        limit=limit,
        offset=offset,
    )
