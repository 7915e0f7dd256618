"""Which invoices count towards a compute voucher, and each buyer's net spend per year."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, Inexact, localcontext
from functools import partial

from incentives.explain import Explanation, Step
from incentives.facts import InvoiceFacts, KeyProviderListing
from incentives.money import round_to_fen
from incentives.outcome import InvoiceExclusion, Reason
from incentives.policy import Policy
from incentives.rules.verdict import Condition, failing


@dataclass(slots=True)
class Tally:
    """One buyer's invoices in one calendar year."""

    gross: Decimal = Decimal(0)  # counted blue invoices, exact yuan
    counted: int = 0
    reversed_fen: int = 0  # red-letter reductions applied to this year's invoices
    reversals: int = 0
    excluded: int = 0

    @property
    def spend_fen(self) -> int:
        """Net counted spend in fen."""
        return round_to_fen(self.gross) - self.reversed_fen


@dataclass(slots=True)
class Ledger:
    """Tallies by buyer and year, and the invoices that do not count."""

    tallies: dict[str, dict[int, Tally]] = field(default_factory=dict)
    excluded: list[tuple[int, Reason]] = field(default_factory=list)
    # Each seller's listing periods [from, until), as the checks read them.
    periods: dict[str, list[tuple[date, date]]] = field(default_factory=dict)


def claim_winners(
    invoices: Sequence[InvoiceFacts], numbers: set[str], as_of: date
) -> dict[str, int]:
    """The claim that counts for each of the given numbers (issued by as_of).

    Of the claims of one number, across all buyers, the first one the seller confirmed
    counts, else the first one: a buyer who uploads another's number first, unconfirmed,
    never displaces the claim the seller confirmed.
    """
    found: dict[str, int] = {}
    if numbers:
        confirmed: set[str] = set()
        for i, inv in enumerate(invoices):
            number = inv.number
            if number in numbers and inv.issued_on <= as_of and number not in confirmed:
                if inv.confirmed:
                    confirmed.add(number)
                    found[number] = i
                else:
                    found.setdefault(number, i)
    return found


def build_ledger(
    invoices: Sequence[InvoiceFacts],
    listings: Iterable[KeyProviderListing],
    policy: Policy,
    as_of: date,
) -> Ledger:
    """Check every invoice issued by as_of, in claim order, and tally what counts.

    The checks are BLUE (then RED for red-letter invoices, applied afterwards), in that
    order, first failing one wins. This loop is the hot path for a million invoices, so it
    tests them inline: locals bound once, Decimal sums (exact, trapped) converted to fen once
    per buyer and year. The explanation of an excluded invoice runs the declared conditions
    again and refuses to explain a reason they do not give.
    """
    ledger = Ledger()
    tallies = ledger.tallies
    # Sets, not a dict of positions: half the memory traffic over a million numbers. Only
    # numbers claimed more than once need to know which claim wins, and they are few.
    winners = claim_winners(invoices, _repeated(invoices, as_of), as_of)
    winner = winners.get
    periods = ledger.periods
    for item in listings:
        periods.setdefault(item.unit, []).append((item.listed_from, item.listed_until or date.max))
    valid_from, valid_until = policy.valid_from, policy.valid_until
    confirm: dict[int, bool] = {}
    reds: list[tuple[int, bool]] = []
    tallies_get = tallies.get
    periods_get = periods.get
    exclude = ledger.excluded.append
    never: list[tuple[date, date]] = []
    with localcontext() as ctx:
        ctx.prec = 60
        ctx.traps[Inexact] = True  # a sum that could not be exact fails loudly
        for i, inv in enumerate(invoices):
            day = inv.issued_on
            if day > as_of:  # not issued yet as of the evaluation day: it does not exist
                continue
            buyer = inv.buyer
            years = tallies_get(buyer)
            if years is None:
                years = tallies[buyer] = {}
            year = day.year
            tally = years.get(year)
            if tally is None:
                tally = years[year] = Tally()
            won = winner(inv.number)
            first = won is None or won == i
            if inv.kind != "blue":
                reds.append((i, first))
                continue
            seller = inv.seller
            for start, end in periods_get(seller, never):
                if start <= day < end:
                    break
            else:
                tally.excluded += 1
                exclude((i, Reason.SELLER_NOT_KEY_PROVIDER))
                continue
            if not valid_from <= day < valid_until:
                reason = Reason.OUTSIDE_POLICY_PERIOD
            elif not first:
                reason = Reason.DUPLICATE_INVOICE
            elif seller == buyer:
                reason = Reason.SELF_DEALING
            elif not inv.confirmed and _confirm(confirm, year, policy):
                reason = Reason.NOT_CONFIRMED_BY_PROVIDER
            else:
                tally.gross += inv.amount
                tally.counted += 1
                continue
            tally.excluded += 1
            exclude((i, reason))
    if reds:
        _apply_reversals(invoices, reds, ledger, as_of)
    return ledger


def _repeated(invoices: Sequence[InvoiceFacts], as_of: date) -> set[str]:
    """Numbers claimed more than once (issued by as_of)."""
    seen: set[str] = set()
    see = seen.add
    repeated: set[str] = set()
    for inv in invoices:
        number = inv.number
        if number in seen:
            if inv.issued_on <= as_of:
                repeated.add(number)
        elif inv.issued_on <= as_of:
            see(number)
    return repeated


def _confirm(cache: dict[int, bool], year: int, policy: Policy) -> bool:
    hit = cache.get(year)
    if hit is None:
        hit = cache[year] = _confirmation_required(policy, year)
    return hit


def _confirmation_required(policy: Policy, year: int) -> bool:
    return policy.voucher_params(date(year, 1, 1)).require_provider_confirmation


def _apply_reversals(
    invoices: Sequence[InvoiceFacts], reds: list[tuple[int, bool]], ledger: Ledger, as_of: date
) -> None:
    """A red invoice reduces its counted original, in the original's year, never below zero.

    A reversal is applied whatever its own date or the seller's listing: refusing it would let
    a buyer keep a voucher for a purchase that was cancelled. It needs its own unclaimed
    number and an original that counted, with the same buyer and seller.
    """
    claimed = claim_winners(invoices, {invoices[i].reverses or "" for i, _ in reds}, as_of)
    not_counted = {i for i, _ in ledger.excluded}
    reduced: dict[int, int] = {}
    for i, first in reds:
        red = invoices[i]
        j = claimed.get(red.reverses) if red.reverses else None
        original = invoices[j] if j is not None else None
        if not first:
            reason = Reason.DUPLICATE_INVOICE
        elif (
            original is None
            or j is None
            or original.kind != "blue"
            or j in not_counted
            or original.buyer != red.buyer
            or original.seller != red.seller
        ):
            reason = Reason.REVERSAL_WITHOUT_ORIGINAL
        else:
            left = round_to_fen(original.amount) - reduced.get(j, 0)
            cut = min(round_to_fen(red.amount), left)
            reduced[j] = reduced.get(j, 0) + cut
            tally = ledger.tallies[original.buyer][original.issued_on.year]
            tally.reversed_fen += cut
            tally.reversals += 1
            continue
        ledger.tallies[red.buyer][red.issued_on.year].excluded += 1
        ledger.excluded.append((i, reason))
    ledger.excluded.sort()


def exclusions(
    invoices: Sequence[InvoiceFacts], ledger: Ledger, policy: Policy, reference: str, as_of: date
) -> list[InvoiceExclusion]:
    """Every excluded invoice; its explanation is written when it is read."""
    book = _Book(invoices, ledger, policy, reference, as_of)
    return [
        InvoiceExclusion(
            invoices[i].number,
            invoices[i].buyer,
            reason,
            partial(book, i, reason),  # _Book.__call__: no bound method per invoice
        )
        for i, reason in ledger.excluded
    ]


class _Book:
    """What the conditions of an invoice read beyond the invoice; claims looked up once."""

    def __init__(
        self,
        invoices: Sequence[InvoiceFacts],
        ledger: Ledger,
        policy: Policy,
        reference: str,
        as_of: date,
    ) -> None:
        self.invoices, self.ledger, self.policy, self.as_of = invoices, ledger, policy, as_of
        self.reference = reference
        self.window = f"[{policy.valid_from}, {policy.valid_until})"
        self._claims: dict[str, int] | None = None
        self._not_counted: set[int] | None = None

    def __call__(self, i: int, reason: Reason) -> Explanation:
        """Why the invoice at i does not count, from its declared conditions."""
        return _explain(self, i, reason, self.reference)

    def winner(self, number: str) -> int | None:
        """The claim of a number that counts."""
        if self._claims is None:
            # Built once, on the first invoice explained: one pass over the numbers in question.
            numbers = set()
            for i, _ in self.ledger.excluded:
                inv = self.invoices[i]
                numbers.add(inv.number)
                if inv.reverses:
                    numbers.add(inv.reverses)
            self._claims = claim_winners(self.invoices, numbers, self.as_of)
        return self._claims.get(number)

    def counted(self, i: int) -> bool:
        """True when the blue invoice at i counts."""
        if self._not_counted is None:
            self._not_counted = {i for i, _ in self.ledger.excluded}
        return i not in self._not_counted


class _Claim:
    """One invoice (at position i of the claims) as the ledger's conditions read it."""

    __slots__ = ("book", "i", "inv")

    def __init__(self, book: _Book, i: int) -> None:
        self.book, self.i, self.inv = book, i, book.invoices[i]

    def listed(self) -> bool:
        day = self.inv.issued_on
        return any(s <= day < e for s, e in self.book.ledger.periods.get(self.inv.seller, ()))

    def original(self) -> InvoiceFacts | None:
        """The counted blue invoice this red one reverses, with the same buyer and seller."""
        j = self.book.winner(self.inv.reverses) if self.inv.reverses else None
        if j is None:
            return None
        original = self.book.invoices[j]
        if (
            original.kind != "blue"
            or not self.book.counted(j)
            or original.buyer != self.inv.buyer
            or original.seller != self.inv.seller
        ):
            return None
        return original


def _duplicate(c: _Claim) -> tuple[str, str]:
    j = c.book.winner(c.inv.number)
    first = c.book.invoices[j] if j is not None else c.inv
    if first.confirmed and j is not None and j > c.i:
        return (
            f"销售方已确认该发票号的另一申报（购买方 {first.buyer}），经确认的申报有效",
            f"the seller confirmed another claim of the number (buyer {first.buyer}); "
            "the confirmed claim counts",
        )
    return (
        f"该发票号已由更早的申报（购买方 {first.buyer}）使用，先申报者有效",
        f"the number was claimed earlier (buyer {first.buyer}); the first claim the "
        "seller confirmed counts, else the first claim",
    )


FIRST_CLAIM: Condition[_Claim] = Condition(
    Reason.DUPLICATE_INVOICE, lambda c: c.book.winner(c.inv.number) in (None, c.i), _duplicate
)
# A blue invoice counts when all of these hold, checked in this order.
BLUE: tuple[Condition[_Claim], ...] = (
    Condition(
        Reason.SELLER_NOT_KEY_PROVIDER,
        _Claim.listed,
        lambda c: (
            f"销售方 {c.inv.seller} 在开票日 {c.inv.issued_on} 不在重点算力服务商名单内",
            f"seller {c.inv.seller} was not listed as a key compute provider on {c.inv.issued_on}",
        ),
    ),
    Condition(
        Reason.OUTSIDE_POLICY_PERIOD,
        lambda c: c.book.policy.in_window(c.inv.issued_on),
        lambda c: (
            f"开票日 {c.inv.issued_on} 不在政策有效期 {c.book.window} 内",
            f"issued on {c.inv.issued_on}, outside the policy period {c.book.window}",
        ),
    ),
    FIRST_CLAIM,
    Condition(
        Reason.SELF_DEALING,
        lambda c: c.inv.seller != c.inv.buyer,
        lambda c: (
            f"购买方与销售方同为 {c.inv.buyer}",
            f"buyer and seller are the same unit, {c.inv.buyer}",
        ),
    ),
    Condition(
        Reason.NOT_CONFIRMED_BY_PROVIDER,
        lambda c: (
            c.inv.confirmed or not _confirmation_required(c.book.policy, c.inv.issued_on.year)
        ),
        lambda c: (
            f"销售方 {c.inv.seller} 未在销售报告中确认该发票（require_provider_confirmation）",
            f"seller {c.inv.seller} has not confirmed it in a sales report",
        ),
    ),
)
# A red-letter invoice reduces its original when both of these hold.
RED: tuple[Condition[_Claim], ...] = (
    FIRST_CLAIM,
    Condition(
        Reason.REVERSAL_WITHOUT_ORIGINAL,
        lambda c: c.original() is not None,
        lambda c: (
            f"红字发票冲减的原发票 {c.inv.reverses or '（未填写）'} 不存在、未计入，"
            "或购销双方与原发票不一致",
            f"the original it reverses, {c.inv.reverses or '(not given)'}, is absent, "
            "not counted, or has another buyer or seller",
        ),
    ),
)


def _explain(book: _Book, i: int, ledger_reason: Reason, reference: str) -> Explanation:
    claim = _Claim(book, i)
    inv = claim.inv
    failed = failing(BLUE if inv.kind == "blue" else RED, claim)
    if failed is None or failed.reason is not ledger_reason:
        # The loop and its declared conditions disagree: a bug, never a misleading text.
        raise RuntimeError(
            f"invoice {inv.number}: the ledger says {ledger_reason}, its conditions "
            f"{failed.reason if failed else 'all hold'}"
        )
    zh, en = failed.not_met(claim)
    return (
        Step(
            f"依据 {reference}，发票 {inv.number}（{inv.amount} 元，{inv.issued_on}）"
            f"不计入（{failed.reason}）：{zh}。",
            f"Under {reference}, invoice {inv.number} (CNY {inv.amount}, {inv.issued_on}) "
            f"does not count ({failed.reason}): {en}.",
        ),
    )
