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

    Checks, first failing one wins: seller listed as a key provider on the invoice date;
    date inside the validity window; no other claim of the number takes precedence (see
    claim_winners); seller is not the buyer; confirmed by the seller (when required).
    Red-letter invoices are applied afterwards.
    This loop is the hot path for a million invoices: locals bound once, Decimal sums
    (exact, trapped) converted to fen once per buyer and year.
    """
    ledger = Ledger()
    tallies = ledger.tallies
    # Sets, not a dict of positions: half the memory traffic over a million numbers. Only
    # numbers claimed more than once need to know which claim wins, and they are few.
    winners = claim_winners(invoices, _repeated(invoices, as_of), as_of)
    winner = winners.get
    periods: dict[str, list[tuple[date, date]]] = {}
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
        hit = cache[year] = policy.voucher_params(date(year, 1, 1)).require_provider_confirmation
    return hit


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
    writer = _ExclusionWriter(invoices, ledger.excluded, policy, reference, as_of)
    return [
        InvoiceExclusion(invoices[i].number, invoices[i].buyer, reason, partial(writer, i, reason))
        for i, reason in ledger.excluded
    ]


class _ExclusionWriter:
    """Explains excluded invoices; strings shared by all of them are built once."""

    def __init__(
        self,
        invoices: Sequence[InvoiceFacts],
        excluded: list[tuple[int, Reason]],
        policy: Policy,
        ref: str,
        as_of: date,
    ) -> None:
        self.invoices = invoices
        self.excluded = excluded
        self.as_of = as_of
        self._claims: dict[str, int] | None = None
        self.ref = ref
        self.window = f"[{policy.valid_from}, {policy.valid_until})"

    def __call__(self, i: int, reason: Reason) -> Explanation:
        inv = self.invoices[i]
        if reason is Reason.SELLER_NOT_KEY_PROVIDER:
            zh = f"销售方 {inv.seller} 在开票日 {inv.issued_on} 不在重点算力服务商名单内"
            en = f"seller {inv.seller} was not listed as a key compute provider on {inv.issued_on}"
        elif reason is Reason.OUTSIDE_POLICY_PERIOD:
            zh = f"开票日 {inv.issued_on} 不在政策有效期 {self.window} 内"
            en = f"issued on {inv.issued_on}, outside the policy period {self.window}"
        elif reason is Reason.DUPLICATE_INVOICE:
            j = self._first_claims()[inv.number]
            first = self.invoices[j].buyer
            if self.invoices[j].confirmed and j > i:
                zh = f"销售方已确认该发票号的另一申报（购买方 {first}），经确认的申报有效"
                en = (
                    f"the seller confirmed another claim of the number (buyer {first}); "
                    "the confirmed claim counts"
                )
            else:
                zh = f"该发票号已由更早的申报（购买方 {first}）使用，先申报者有效"
                en = (
                    f"the number was claimed earlier (buyer {first}); the first claim the "
                    "seller confirmed counts, else the first claim"
                )
        elif reason is Reason.SELF_DEALING:
            zh = f"购买方与销售方同为 {inv.buyer}"
            en = f"buyer and seller are the same unit, {inv.buyer}"
        elif reason is Reason.NOT_CONFIRMED_BY_PROVIDER:
            zh = f"销售方 {inv.seller} 未在销售报告中确认该发票（require_provider_confirmation）"
            en = f"seller {inv.seller} has not confirmed it in a sales report"
        else:
            zh = (
                f"红字发票冲减的原发票 {inv.reverses or '（未填写）'} 不存在、未计入，"
                "或购销双方与原发票不一致"
            )
            en = (
                f"the original it reverses, {inv.reverses or '(not given)'}, is absent, "
                "not counted, or has another buyer or seller"
            )
        return (
            Step(
                f"依据 {self.ref}，发票 {inv.number}（{inv.amount} 元，{inv.issued_on}）"
                f"不计入（{reason}）：{zh}。",
                f"Under {self.ref}, invoice {inv.number} (CNY {inv.amount}, {inv.issued_on}) "
                f"does not count ({reason}): {en}.",
            ),
        )

    def _first_claims(self) -> dict[str, int]:
        # Built once, on the first duplicate explained: one pass, only duplicated numbers.
        if self._claims is None:
            numbers = {
                self.invoices[i].number
                for i, reason in self.excluded
                if reason is Reason.DUPLICATE_INVOICE
            }
            self._claims = claim_winners(self.invoices, numbers, self.as_of)
        return self._claims
