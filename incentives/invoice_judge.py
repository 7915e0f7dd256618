"""Invoice statuses for the invoice list, from the engine's own ledger (build_ledger).

For a page of invoices it builds small facts: the page's invoices, every other claim of their
numbers, the originals of red invoices with their claims, the listings and confirmations; and
runs the same ledger statements run, so the status a buyer sees is the one a statement uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.judge import InvoiceStatus, StoredClaim
from collectors.invoices.models import Invoice
from incentives.evidence import invoice_fact, invoice_query
from incentives.facts import InvoiceFacts, KeyProviderListing
from incentives.policy import Policy
from incentives.rules.invoice_ledger import Ledger, build_ledger
from registry.models import KeyProviderListing as ListingRow

BATCH = 5000


class _UnitIds(dict[int, str]):
    """Unit ids as the codes the ledger compares: only equality matters here."""

    def __missing__(self, key: int) -> str:
        value = self[key] = str(key)
        return value


class LedgerJudge:
    """Implements collectors' InvoiceJudge with the policy engine's ledger."""

    def __init__(self, policy: Policy, timezone: str) -> None:
        self.policy = policy
        self.zone = ZoneInfo(timezone)

    async def statuses(
        self, session: AsyncSession, invoices: Sequence[StoredClaim]
    ) -> dict[int, InvoiceStatus]:
        """Each given invoice's status, by id."""
        if not invoices:
            return {}
        numbers: set[str] = set()
        for invoice in invoices:
            numbers.add(invoice.number)
            if invoice.reverses:
                numbers.add(invoice.reverses)
        ids, _, ledger = await self._ledger(session, numbers)
        excluded = {ids[i]: reason for i, reason in ledger.excluded}
        return {i.id: InvoiceStatus(excluded.get(i.id, "counted")) for i in invoices}

    async def counted_total(self, session: AsyncSession, buyer_id: int, year: int) -> int:
        """A buyer's net counted spend in a year, in fen, as the voucher clause tallies it."""
        numbers: set[str] = set()
        rows = await session.execute(
            select(Invoice.number, Invoice.reverses).where(Invoice.buyer_unit_id == buyer_id)
        )
        for number, reverses in rows.tuples():
            numbers.add(number)
            if reverses:
                numbers.add(reverses)
        _, _, ledger = await self._ledger(session, numbers)
        tally = ledger.tallies.get(str(buyer_id), {}).get(year)
        return 0 if tally is None else tally.spend_fen

    async def _ledger(
        self, session: AsyncSession, numbers: Iterable[str]
    ) -> tuple[list[int], list[InvoiceFacts], Ledger]:
        wanted = sorted(set(numbers))
        by_id = _UnitIds()
        days: dict[Any, dt.date] = {}
        found: list[tuple[int, InvoiceFacts]] = []
        for start in range(0, len(wanted), BATCH):
            query = invoice_query().where(Invoice.number.in_(wanted[start : start + BATCH]))
            for row in (await session.execute(query)).all():
                found.append((row[0], invoice_fact(row, by_id, days)))
        found.sort(key=lambda item: item[0])  # claim order across batches
        ids = [i for i, _ in found]
        invoices = [f for _, f in found]
        listings = [
            KeyProviderListing(by_id[u], start, until)
            for u, start, until in (
                await session.execute(
                    select(ListingRow.unit_id, ListingRow.listed_from, ListingRow.listed_until)
                )
            ).tuples()
        ]
        today = dt.datetime.now(self.zone).date()
        # Every stored invoice exists: one dated ahead is judged, not hidden.
        as_of = max([today, *(f.issued_on for f in invoices)])
        return ids, invoices, build_ledger(invoices, listings, self.policy, as_of)
