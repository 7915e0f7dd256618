"""五(十九): 30% of a buyer's yearly spend with key compute providers above 300,000, at most 4M."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache

from incentives.explain import Step, clause_step, listing, note_step, percent, subject_step, yuan
from incentives.facts import InvoiceFacts, KeyProviderListing, UnitFacts
from incentives.money import apply_rate, round_to_fen
from incentives.outcome import InvoiceExclusion, Reason
from incentives.policy import Policy
from incentives.rules.invoice_ledger import Tally, build_ledger, exclusions
from incentives.rules.overlap import OtherIndex, top_up_step, topped_up
from incentives.rules.verdict import (
    Condition,
    Trace,
    Verdict,
    first_failing,
    paid,
    unit_honest,
    verdict,
)

CLAUSE = "compute_voucher"


def compute_voucher(
    invoices: Sequence[InvoiceFacts],
    units: Mapping[str, UnitFacts],
    listings: Iterable[KeyProviderListing],
    other: OtherIndex,
    policy: Policy,
    as_of: date,
) -> tuple[list[Verdict], list[InvoiceExclusion]]:
    """Vouchers per buyer and calendar year, and every invoice that does not count."""
    ledger = build_ledger(invoices, listings, policy, as_of)
    excluded = exclusions(invoices, ledger, policy, policy.clauses[CLAUSE].reference, as_of)
    missing = sorted(set(ledger.tallies) - units.keys())
    if missing:
        raise ValueError(f"invoices name buyers that are not given: {', '.join(missing)}")
    verdicts: list[Verdict] = []
    for buyer, years in sorted(ledger.tallies.items()):
        for year in sorted(years):
            case = _Year(buyer, year, years[year], units[buyer], other, policy)
            decided = _assess(case, None)
            verdicts.append(verdict(CLAUSE, buyer, str(year), decided, _assess, case))
    return verdicts, excluded


class _Year:
    """One buyer and year, with what deciding it needs."""

    # Few slots and nothing derived kept: ten thousand buyers hold one of these each until
    # their explanations are read.
    __slots__ = ("buyer", "other", "params", "policy", "tally", "unit", "year")

    def __init__(
        self,
        buyer: str,
        year: int,
        tally: Tally,
        unit: UnitFacts,
        other: OtherIndex,
        policy: Policy,
    ) -> None:
        self.buyer, self.year, self.tally, self.unit = buyer, year, tally, unit
        self.other, self.policy = other, policy
        # Parameters in force on the first day of the voucher's year.
        self.params = policy.voucher_params(date(year, 1, 1))

    @property
    def spend(self) -> int:
        return self.tally.spend_fen

    @property
    def threshold(self) -> int:
        return round_to_fen(self.params.spend_threshold)

    @property
    def cap(self) -> int:
        return round_to_fen(self.params.cap_per_unit_per_year)

    @property
    def raw(self) -> int:
        """The spend times the rate, rounded to the fen."""
        return apply_rate(self.spend, self.params.rate)

    @property
    def capped(self) -> int:
        return min(self.raw, self.cap)


@cache
def _kind_ok(kind: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    # Reads the same for every buyer of a kind: built once and shared.
    return (
        f"单位类型 {kind} 属于 {listing(kinds)}",
        f"unit kind {kind} is one of {listing(kinds)}",
    )


# The conditions of DESIGN.md, in its order: the first that fails is the reason.
ELIGIBLE: tuple[Condition[_Year], ...] = (
    unit_honest("购买方", "buyer"),
    Condition(
        Reason.BUYER_KIND_NOT_ELIGIBLE,
        lambda c: c.unit.kind in c.params.buyer_kinds,
        lambda c: (
            f"单位类型 {c.unit.kind} 不属于 {listing(c.params.buyer_kinds)}",
            f"unit kind {c.unit.kind} is not one of {listing(c.params.buyer_kinds)}",
        ),
        lambda c: _kind_ok(c.unit.kind, c.params.buyer_kinds),
    ),
    Condition(
        Reason.BUYER_OUTSIDE_PROVINCE,
        lambda c: c.unit.in_province,
        lambda c: (
            "购买方须为省内单位；该单位在省外",
            "the buyer must be inside the province; it is not",
        ),
        lambda c: ("购买方为省内单位", "the buyer is inside the province"),
    ),
    Condition(
        Reason.SPEND_NOT_ABOVE_THRESHOLD,
        lambda c: c.spend > c.threshold,
        lambda c: (
            f"年度净支出 {yuan(c.spend)} 元未超过 {yuan(c.threshold)} 元（须严格超过）",
            f"net spend CNY {yuan(c.spend)} does not exceed CNY {yuan(c.threshold)} "
            "(it must be strictly more)",
        ),
        lambda c: (
            f"年度净支出 {yuan(c.spend)} 元超过 {yuan(c.threshold)} 元",
            f"net spend CNY {yuan(c.spend)} exceeds CNY {yuan(c.threshold)}",
        ),
    ),
)
AMOUNT: tuple[Condition[_Year], ...] = (
    Condition(
        Reason.ZERO_AMOUNT,
        lambda c: c.raw > 0,
        lambda c: ("按参数计算的金额为 0", "the parameters give 0"),
    ),
)
CAP: tuple[Condition[_Year], ...] = (
    Condition(
        Reason.CAP_EXHAUSTED,
        lambda c: c.capped > 0,
        lambda c: ("年度上限为 0", "the yearly cap is 0"),
    ),
)
OVERLAP: tuple[Condition[_Year], ...] = (
    Condition(
        Reason.COVERED_BY_OTHER_SUPPORT,
        lambda c: _paid(c) > 0,
        lambda c: (
            "其他政策对该年度的支持不低于本政策金额",
            "support from other policies for this year is at least this policy's amount",
        ),
    ),
)


def _assess(case: _Year, trace: Trace) -> Reason | int:
    """The whole clause for one buyer and year: conditions, amount, cap, overlap."""
    if trace is not None:
        trace += _introduction(case)
    reason = first_failing(ELIGIBLE, case, trace)
    if reason is not None:
        return reason
    params = case.params
    if trace is not None:
        rate, y_spend, y_raw = percent(params.rate), yuan(case.spend), yuan(case.raw)
        trace.append(
            note_step(
                f"计算：按实际支出额 {rate} × {y_spend} = {y_raw} 元（四舍五入到分）。",
                f"Amount: {rate} of the whole spend, {rate} × {y_spend} = CNY {y_raw} "
                "(rounded half up to the fen).",
            )
        )
    reason = first_failing(AMOUNT, case, trace)
    if reason is not None:
        return reason
    if trace is not None:
        reference, raw, cap = case.policy.clauses[CLAUSE].reference, case.raw, case.cap
        capped = case.capped
        trace.append(
            note_step(
                f"上限（{reference}）：每个单位每年最高 {yuan(cap)} 元；"
                f"min({yuan(raw)}, {yuan(cap)}) = {yuan(capped)} 元。",
                f"Cap ({reference}): at most CNY {yuan(cap)} per unit per year; "
                f"min({yuan(raw)}, {yuan(cap)}) = CNY {yuan(capped)}.",
            )
        )
    reason = first_failing(CAP, case, trace)
    if reason is not None:
        return reason
    if trace is not None:
        trace.append(
            top_up_step(case.capped, _key(case), case.other, case.policy.general_reference)
        )
    return first_failing(OVERLAP, case, trace) or paid(_paid(case), trace)


def _key(case: _Year) -> tuple[str, str, str]:
    return (CLAUSE, case.buyer, str(case.year))


def _paid(case: _Year) -> int:
    return topped_up(case.capped, _key(case), case.other, case.policy.overlap)


def _introduction(case: _Year) -> list[Step]:
    buyer, year, tally, unit = case.buyer, case.year, case.tally, case.unit
    gross = round_to_fen(tally.gross)
    place = ("省内", "inside") if unit.in_province else ("省外", "outside")
    y_spend, y_gross, y_reversed = yuan(case.spend), yuan(gross), yuan(tally.reversed_fen)
    day = date(year, 1, 1)
    return [
        clause_step(case.policy.clauses[CLAUSE]),
        subject_step(
            f"购买方 {buyer} 的 {year} 年度（按开票日期）",
            f"buyer {buyer} in calendar year {year} (by invoice date)",
        ),
        Step(
            f"输入：单位类型 {unit.kind}；{place[0]}单位；计入发票 {tally.counted} 张，"
            f"合计 {y_gross} 元；红字冲减 {tally.reversals} 张，合计 {y_reversed} 元；"
            f"不计入 {tally.excluded} 张（见排除发票清单）；年度净支出 {y_spend} 元；"
            f"参数取 {day} 适用值。",
            f"Inputs: unit kind {unit.kind}; {place[1]} the province; {tally.counted} "
            f"counted invoices totalling CNY {y_gross}; {tally.reversals} red-letter "
            f"reversals totalling CNY {y_reversed}; {tally.excluded} invoices not counted "
            f"(see the excluded invoices); net spend for the year CNY {y_spend}; "
            f"parameters in force on {day}.",
        ),
    ]
