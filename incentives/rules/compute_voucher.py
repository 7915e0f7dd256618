"""五(十九): 30% of a buyer's yearly spend with key compute providers above 300,000, at most 4M."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache, partial

from incentives.explain import (
    Explanation,
    Step,
    check_step,
    clause_step,
    listing,
    note_step,
    percent,
    result_award,
    result_rejection,
    subject_step,
    yuan,
)
from incentives.facts import InvoiceFacts, KeyProviderListing, UnitFacts
from incentives.money import apply_rate, round_to_fen, to_yuan
from incentives.outcome import Award, InvoiceExclusion, Reason, Rejection
from incentives.policy import Policy
from incentives.rules.invoice_ledger import Tally, build_ledger, exclusions
from incentives.rules.overlap import OtherIndex, other_support_fen, top_up_step
from incentives.rules.verdict import Verdict

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
            case = _Case(buyer, year, years[year], units[buyer], other, policy)
            decided = _assess(case, None)
            explain = partial(_explain, case)
            if isinstance(decided, Reason):
                verdicts.append(Rejection(CLAUSE, buyer, str(year), decided, explain))
            else:
                verdicts.append(Award(CLAUSE, buyer, str(year), to_yuan(decided), explain))
    return verdicts, excluded


class _Case:
    """One buyer and year, with what deciding it needs."""

    __slots__ = ("buyer", "other", "policy", "tally", "unit", "year")

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


def _explain(case: _Case) -> Explanation:
    trace: list[Step] = []
    _assess(case, trace)
    return tuple(trace)


# Steps that read the same for every buyer are built once and shared.
_HONEST = check_step(True, "购买方未被列为严重违法失信主体", "the buyer is not marked dishonest")
_IN_PROVINCE = check_step(True, "购买方为省内单位", "the buyer is inside the province")


@cache
def _kind_ok(kind: str, kinds: tuple[str, ...]) -> Step:
    return check_step(
        True,
        f"单位类型 {kind} 属于 {listing(kinds)}",
        f"unit kind {kind} is one of {listing(kinds)}",
    )


def _fail(trace: list[Step], reason: Reason, zh: str, en: str) -> Reason:
    trace.append(check_step(False, zh, en))
    trace.append(result_rejection(reason.value, zh, en))
    return reason


def _assess(case: _Case, trace: list[Step] | None) -> Reason | int:
    """Decide one buyer's voucher for one year: a reason for nothing, or the fen to pay.

    With a trace list, each step is also written into it. Deciding and explaining run this one
    function, so an explanation cannot disagree with the decision; without a trace no text is
    built, which keeps ten thousand buyers cheap.
    """
    buyer, year, tally, unit, policy = case.buyer, case.year, case.tally, case.unit, case.policy
    clause = policy.clauses[CLAUSE]
    day = date(year, 1, 1)
    params = policy.voucher_params(day)
    gross = round_to_fen(tally.gross)
    spend = gross - tally.reversed_fen
    if trace is not None:
        place = ("省内", "inside") if unit.in_province else ("省外", "outside")
        y_spend, y_gross, y_reversed = yuan(spend), yuan(gross), yuan(tally.reversed_fen)
        trace += [
            clause_step(clause),
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
    if unit.dishonest:
        if trace is not None:
            _fail(
                trace,
                Reason.UNIT_DISHONEST,
                f"购买方 {buyer} 被列为严重违法失信主体，不予奖励",
                f"buyer {buyer} is marked dishonest (严重违法失信) and receives nothing",
            )
        return Reason.UNIT_DISHONEST
    if trace is not None:
        trace.append(_HONEST)
    if unit.kind not in params.buyer_kinds:
        if trace is not None:
            kinds = listing(params.buyer_kinds)
            _fail(
                trace,
                Reason.BUYER_KIND_NOT_ELIGIBLE,
                f"单位类型 {unit.kind} 不属于 {kinds}",
                f"unit kind {unit.kind} is not one of {kinds}",
            )
        return Reason.BUYER_KIND_NOT_ELIGIBLE
    if trace is not None:
        trace.append(_kind_ok(unit.kind, params.buyer_kinds))
    if not unit.in_province:
        if trace is not None:
            _fail(
                trace,
                Reason.BUYER_OUTSIDE_PROVINCE,
                "购买方须为省内单位；该单位在省外",
                "the buyer must be inside the province; it is not",
            )
        return Reason.BUYER_OUTSIDE_PROVINCE
    if trace is not None:
        trace.append(_IN_PROVINCE)
    threshold = round_to_fen(params.spend_threshold)
    if spend <= threshold:
        if trace is not None:
            _fail(
                trace,
                Reason.SPEND_NOT_ABOVE_THRESHOLD,
                f"年度净支出 {yuan(spend)} 元未超过 {yuan(threshold)} 元（须严格超过）",
                f"net spend CNY {yuan(spend)} does not exceed CNY {yuan(threshold)} "
                "(it must be strictly more)",
            )
        return Reason.SPEND_NOT_ABOVE_THRESHOLD
    raw = apply_rate(spend, params.rate)
    cap = round_to_fen(params.cap_per_unit_per_year)
    capped = min(raw, cap)
    key = (CLAUSE, buyer, str(year))
    paid = max(0, capped - other_support_fen(key, case.other))
    if trace is not None:
        rate, y_spend, y_raw = percent(params.rate), yuan(spend), yuan(raw)
        trace += [
            check_step(
                True,
                f"年度净支出 {y_spend} 元超过 {yuan(threshold)} 元",
                f"net spend CNY {y_spend} exceeds CNY {yuan(threshold)}",
            ),
            note_step(
                f"计算：按实际支出额 {rate} × {y_spend} = {y_raw} 元（四舍五入到分）。",
                f"Amount: {rate} of the whole spend, {rate} × {y_spend} = CNY {y_raw} "
                "(rounded half up to the fen).",
            ),
        ]
    if raw == 0:
        if trace is not None:
            _fail(trace, Reason.ZERO_AMOUNT, "按参数计算的金额为 0", "the parameters give 0")
        return Reason.ZERO_AMOUNT
    if trace is not None:
        trace.append(
            note_step(
                f"上限（{clause.reference}）：每个单位每年最高 {yuan(cap)} 元；"
                f"min({yuan(raw)}, {yuan(cap)}) = {yuan(capped)} 元。",
                f"Cap ({clause.reference}): at most CNY {yuan(cap)} per unit per year; "
                f"min({yuan(raw)}, {yuan(cap)}) = CNY {yuan(capped)}.",
            )
        )
    if capped == 0:
        if trace is not None:
            _fail(trace, Reason.CAP_EXHAUSTED, "年度上限为 0", "the yearly cap is 0")
        return Reason.CAP_EXHAUSTED
    if trace is not None:
        trace.append(top_up_step(capped, key, case.other, policy.general_reference))
    if paid == 0:
        if trace is not None:
            _fail(
                trace,
                Reason.COVERED_BY_OTHER_SUPPORT,
                "其他政策对该年度的支持不低于本政策金额",
                "support from other policies for this year is at least this policy's amount",
            )
        return Reason.COVERED_BY_OTHER_SUPPORT
    if trace is not None:
        trace.append(result_award(paid))
    return paid
