"""The invoice status is the compute_voucher clause's invoice conditions, in the engine's order."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from collectors.invoices.status import InvoiceFacts, InvoiceStatus, invoice_status

BUYER, SELLER, OTHER = 1, 2, 3
LISTINGS = {
    SELLER: [(dt.date(2024, 1, 1), None)],
    OTHER: [(dt.date(2024, 1, 1), dt.date(2025, 1, 1))],
}
BLUE = InvoiceFacts(
    number="25230000000000000001", buyer=BUYER, seller=SELLER, issued_on=dt.date(2025, 3, 1),
    kind="blue", reverses=None, first_claimed_by=BUYER, confirmed=True,
)  # fmt: skip
RED = replace(BLUE, number="25230000000000000002", kind="red", reverses=BLUE.number)


def test_a_confirmed_first_claim_from_a_listed_seller_counts() -> None:
    assert invoice_status(BLUE, LISTINGS) is InvoiceStatus.COUNTED


def test_each_condition_names_its_reason() -> None:
    cases = {
        InvoiceStatus.SELLER_NOT_KEY_PROVIDER: replace(BLUE, seller=OTHER),
        InvoiceStatus.OUTSIDE_POLICY_PERIOD: replace(BLUE, issued_on=dt.date(2026, 12, 1)),
        InvoiceStatus.DUPLICATE_INVOICE: replace(BLUE, first_claimed_by=OTHER),
        InvoiceStatus.SELF_DEALING: replace(BLUE, buyer=SELLER, first_claimed_by=SELLER),
        InvoiceStatus.NOT_CONFIRMED_BY_PROVIDER: replace(BLUE, confirmed=False),
    }
    for reason, facts in cases.items():
        assert invoice_status(facts, LISTINGS) is reason


def test_the_last_day_before_the_window_closes_still_counts() -> None:
    assert (
        invoice_status(replace(BLUE, issued_on=dt.date(2026, 11, 30)), LISTINGS).value == "counted"
    )
    early = replace(BLUE, issued_on=dt.date(2023, 11, 30))
    assert invoice_status(early, {SELLER: [(dt.date(2023, 1, 1), None)]}).value == (
        "outside_policy_period"
    )


def test_a_reversal_needs_a_counted_original_of_the_same_parties() -> None:
    assert invoice_status(RED, LISTINGS, BLUE) is InvoiceStatus.COUNTED
    missing = InvoiceStatus.REVERSAL_WITHOUT_ORIGINAL
    assert invoice_status(RED, LISTINGS, None) is missing
    assert invoice_status(RED, LISTINGS, replace(BLUE, confirmed=False)) is missing
    assert invoice_status(RED, LISTINGS, replace(BLUE, buyer=OTHER)) is missing
    assert invoice_status(replace(RED, first_claimed_by=OTHER), LISTINGS, BLUE).value == (
        "duplicate_invoice"
    )
