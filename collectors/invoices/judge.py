"""The hook through which the policy engine tells the invoice list each invoice's status.

collectors/ may not import incentives/, which alone judges; it declares what it needs here and
the composition root installs incentives' implementation (incentives/invoice_judge.py), so
the statuses buyers see are the engine's own ledger, the one that statements read.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple, Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession


class InvoiceStatus(StrEnum):
    """Counted, or the reason the compute_voucher clause excludes an invoice."""

    COUNTED = "counted"
    SELLER_NOT_KEY_PROVIDER = "seller_not_key_provider"
    OUTSIDE_POLICY_PERIOD = "outside_policy_period"
    DUPLICATE_INVOICE = "duplicate_invoice"
    SELF_DEALING = "self_dealing"
    NOT_CONFIRMED_BY_PROVIDER = "not_confirmed_by_provider"
    REVERSAL_WITHOUT_ORIGINAL = "reversal_without_original"


class StoredClaim(NamedTuple):
    """A stored invoice as the judge needs it: the list has read these columns already."""

    id: int
    number: str
    reverses: str | None


class InvoiceJudge(Protocol):
    """Judges stored invoices as the voucher clause does."""

    async def statuses(
        self, session: AsyncSession, invoices: Sequence[StoredClaim]
    ) -> dict[int, InvoiceStatus]:
        """Each given invoice's status, by invoice id."""
        ...

    async def counted_total(self, session: AsyncSession, buyer_id: int, year: int) -> int:
        """A buyer's net counted spend for a calendar year, in fen."""
        ...


INVOICE_JUDGE = web.AppKey("invoice_judge", InvoiceJudge)
