"""Whether a stored invoice counts for a compute voucher, or why not: a pure function.

This mirrors the invoice conditions of DESIGN.md's compute_voucher clause (五(十九)) so the
invoice list can show a status; collectors must not import incentives/, so the policy engine
keeps its own copy and stays the authority for awards. Checks, in the engine's order:
a blue invoice needs a seller listed as key provider on the invoice date, a date inside the
policy period, the first claim of its number, a seller other than the buyer, and the seller's
confirmation in a sales report; a red invoice needs the first claim of its own number and a
counted original of the same buyer and seller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

# The shipped policy's window (valid_from, valid_until exclusive); the policy file may differ
# once the lead reconciles the two, so these are named, not scattered.
VALID_FROM = dt.date(2023, 12, 1)
VALID_UNTIL = dt.date(2026, 12, 1)


class InvoiceStatus(StrEnum):
    """Counted, or the exclusion reason of the compute_voucher clause."""

    COUNTED = "counted"
    SELLER_NOT_KEY_PROVIDER = "seller_not_key_provider"
    OUTSIDE_POLICY_PERIOD = "outside_policy_period"
    DUPLICATE_INVOICE = "duplicate_invoice"
    SELF_DEALING = "self_dealing"
    NOT_CONFIRMED_BY_PROVIDER = "not_confirmed_by_provider"
    REVERSAL_WITHOUT_ORIGINAL = "reversal_without_original"


@dataclass(frozen=True)
class InvoiceFacts:
    """What the status of one stored invoice depends on."""

    number: str
    buyer: int
    seller: int
    issued_on: dt.date
    kind: str  # blue | red
    reverses: str | None
    first_claimed_by: int  # the buyer whose claim of this number came first
    confirmed: bool  # the seller reported the same number, buyer and amount


Listings = Mapping[int, Sequence[tuple[dt.date, dt.date | None]]]


def is_listed(listings: Listings, unit: int, day: dt.date) -> bool:
    """Whether a unit was listed as key compute provider on a day (until is exclusive)."""
    return any(
        start <= day and (until is None or day < until) for start, until in listings.get(unit, ())
    )


def blue_status(inv: InvoiceFacts, listings: Listings) -> InvoiceStatus:
    """The status of an ordinary (blue) invoice."""
    if not is_listed(listings, inv.seller, inv.issued_on):
        return InvoiceStatus.SELLER_NOT_KEY_PROVIDER
    if not VALID_FROM <= inv.issued_on < VALID_UNTIL:
        return InvoiceStatus.OUTSIDE_POLICY_PERIOD
    if inv.first_claimed_by != inv.buyer:
        return InvoiceStatus.DUPLICATE_INVOICE
    if inv.seller == inv.buyer:
        return InvoiceStatus.SELF_DEALING
    if not inv.confirmed:
        return InvoiceStatus.NOT_CONFIRMED_BY_PROVIDER
    return InvoiceStatus.COUNTED


def invoice_status(
    inv: InvoiceFacts, listings: Listings, original: InvoiceFacts | None = None
) -> InvoiceStatus:
    """Counted or the exclusion reason; a red invoice is judged with its original (or None).

    `original` is the first claim of the number a red invoice reverses; a reversal counts
    (reduces its original) whatever its own date or listing, as a cancelled purchase must
    not keep its voucher.
    """
    if inv.kind == "blue":
        return blue_status(inv, listings)
    if inv.first_claimed_by != inv.buyer:
        return InvoiceStatus.DUPLICATE_INVOICE
    if (
        original is None
        or original.kind != "blue"
        or original.buyer != inv.buyer
        or original.seller != inv.seller
        or blue_status(original, listings) is not InvoiceStatus.COUNTED
    ):
        return InvoiceStatus.REVERSAL_WITHOUT_ORIGINAL
    return InvoiceStatus.COUNTED
