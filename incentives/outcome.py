"""What the rules produce: awards, rejections with a reason, excluded invoices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from incentives.explain import Explanation


class Reason(StrEnum):
    """Why something earns nothing (or why an invoice does not count)."""

    INELIGIBLE_CENTER_KIND = "ineligible_center_kind"
    CAPACITY_NOT_IN_REQUIRED_PRECISION = "capacity_not_in_required_precision"
    BELOW_CAPACITY_THRESHOLD = "below_capacity_threshold"
    NOT_OPERATIONAL = "not_operational"
    NOT_CONNECTED = "not_connected"
    OUTSIDE_POLICY_PERIOD = "outside_policy_period"
    UNIT_DISHONEST = "unit_dishonest"
    CAP_EXHAUSTED = "cap_exhausted"
    COVERED_BY_OTHER_SUPPORT = "covered_by_other_support"
    ALREADY_AWARDED_TO_UNIT = "already_awarded_to_unit"
    BUYER_KIND_NOT_ELIGIBLE = "buyer_kind_not_eligible"
    BUYER_OUTSIDE_PROVINCE = "buyer_outside_province"
    SPEND_NOT_ABOVE_THRESHOLD = "spend_not_above_threshold"
    SELLER_NOT_KEY_PROVIDER = "seller_not_key_provider"
    DUPLICATE_INVOICE = "duplicate_invoice"
    SELF_DEALING = "self_dealing"
    NOT_CONFIRMED_BY_PROVIDER = "not_confirmed_by_provider"
    REVERSAL_WITHOUT_ORIGINAL = "reversal_without_original"
    # Not in DESIGN.md's lists: a centre whose counted costs are zero, or a parameter
    # override (rate 0, amount 0) that leaves nothing to pay before any cap.
    NO_ELIGIBLE_COSTS = "no_eligible_costs"
    ZERO_AMOUNT = "zero_amount"


@dataclass(frozen=True, slots=True)
class Award:
    """A positive amount owed to a unit for a subject under a clause."""

    clause: str
    unit: str
    subject: str
    amount: Decimal
    # Written when read (see InvoiceExclusion); the same code decides and explains.
    explain: Callable[[], Explanation] = field(repr=False, compare=False)

    @property
    def explanation(self) -> Explanation:
        """The readable steps: clause, inputs, each condition, cap and overlap."""
        return self.explain()


@dataclass(frozen=True, slots=True)
class Rejection:
    """A subject that earns nothing under a clause, and why."""

    clause: str
    unit: str
    subject: str
    reason: Reason
    explain: Callable[[], Explanation] = field(repr=False, compare=False)

    @property
    def explanation(self) -> Explanation:
        """The readable steps, ending with the condition that failed."""
        return self.explain()


@dataclass(frozen=True, slots=True)
class InvoiceExclusion:
    """An invoice that does not count towards a compute voucher, and why."""

    number: str
    buyer: str
    reason: Reason
    # Written when read: a million-invoice run may exclude many and read few explanations.
    explain: Callable[[], Explanation] = field(repr=False, compare=False)

    @property
    def explanation(self) -> Explanation:
        """The readable steps saying why the invoice does not count."""
        return self.explain()


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything one evaluation decided."""

    awards: tuple[Award, ...]
    rejections: tuple[Rejection, ...]
    excluded_invoices: tuple[InvoiceExclusion, ...]

    @property
    def verdicts(self) -> tuple[Award | Rejection, ...]:
        """Awards then rejections: one per subject."""
        return (*self.awards, *self.rejections)

    @property
    def total(self) -> Decimal:
        """The sum of all awards, with two decimals."""
        return sum((a.amount for a in self.awards), Decimal("0.00"))
