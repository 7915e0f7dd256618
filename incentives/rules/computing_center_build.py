"""五(十九): 30% of a 50P+ centre's equipment and software cost, at most 20M per builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from incentives.explain import (
    Step,
    clause_step,
    inputs_step,
    listing,
    mapping,
    note_step,
    percent,
    subject_step,
    yuan,
)
from incentives.facts import CenterFacts, UnitFacts
from incentives.money import apply_rate, round_to_fen
from incentives.outcome import Reason
from incentives.policy import Policy
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

CLAUSE = "computing_center_build"


class _Centre:
    """One centre, with what deciding it needs; the cap phase adds what earlier centres used."""

    __slots__ = (
        "as_of",
        "center",
        "counted",
        "day",
        "known",
        "left_out",
        "other",
        "params",
        "policy",
        "raw",
        "unit",
        "used_before",
    )

    def __init__(
        self, center: CenterFacts, unit: UnitFacts, other: OtherIndex, policy: Policy, as_of: date
    ) -> None:
        self.center, self.unit, self.other, self.policy, self.as_of = (
            center,
            unit,
            other,
            policy,
            as_of,
        )
        # Parameters in force on the commissioning day; for a centre not yet running, on as_of.
        commissioned = center.commissioned_on
        self.known = commissioned if commissioned and commissioned <= as_of else None
        self.day = self.known or as_of
        self.params = policy.center_params(self.day)
        self.counted: dict[str, int] = {}
        self.left_out: dict[str, int] = {}
        self.raw = 0
        self.used_before: tuple[tuple[str, int], ...] = ()

    @property
    def window(self) -> str:
        return f"[{self.policy.valid_from}, {self.policy.valid_until})"

    @property
    def need(self) -> str:
        return self.params.precision[self.center.kind]


def _not_operational(c: _Centre) -> tuple[str, str]:
    center = c.center
    if center.status != "operational":
        when, when_en = f"状态为 {center.status}", f"status is {center.status}"
    elif center.commissioned_on:
        when = f"投运日期 {center.commissioned_on} 晚于评估日 {c.as_of}"
        when_en = f"commissioned on {center.commissioned_on}, after as_of {c.as_of}"
    else:
        when, when_en = "没有投运日期", "no commissioning date"
    return f"中心须已投运（operational）；{when}", f"the centre must be operational; {when_en}"


def _capacity_missing(c: _Centre) -> tuple[str, str]:
    given = c.center.capacity_pflops
    return (
        f"{c.center.kind} 中心的算力须按 {c.need} 计，但只报了 {listing(given) if given else '无'}",
        f"the {c.center.kind} centre's capacity counts in {c.need}, but only "
        f"{listing(given) if given else 'nothing'} was given",
    )


def _capacity(c: _Centre) -> object:
    return c.center.capacity_pflops[c.need]


# The conditions of DESIGN.md, in its order: the first that fails is the reason.
ELIGIBLE: tuple[Condition[_Centre], ...] = (
    unit_honest("建设单位", "construction unit"),
    Condition(
        Reason.INELIGIBLE_CENTER_KIND,
        lambda c: c.center.kind in c.params.center_kinds,
        lambda c: (
            f"中心类型 {c.center.kind} 不属于 {listing(c.params.center_kinds)}",
            f"centre kind {c.center.kind} is not one of {listing(c.params.center_kinds)}",
        ),
        lambda c: (
            f"中心类型 {c.center.kind} 属于 {listing(c.params.center_kinds)}",
            f"centre kind {c.center.kind} is one of {listing(c.params.center_kinds)}",
        ),
    ),
    Condition(
        Reason.CAPACITY_NOT_IN_REQUIRED_PRECISION,
        lambda c: c.need in c.center.capacity_pflops,
        _capacity_missing,
        lambda c: (
            f"{c.center.kind} 中心的算力按 {c.need} 计，已报 {c.need}",
            f"the {c.center.kind} centre's capacity counts in {c.need}, and {c.need} is given",
        ),
    ),
    Condition(
        Reason.BELOW_CAPACITY_THRESHOLD,
        lambda c: c.center.capacity_pflops[c.need] >= c.params.min_capacity_pflops,
        lambda c: (
            f"{c.need} 算力 {_capacity(c)} PFLOPS 低于 {c.params.min_capacity_pflops} PFLOPS",
            f"{c.need} capacity {_capacity(c)} PFLOPS is below "
            f"{c.params.min_capacity_pflops} PFLOPS",
        ),
        lambda c: (
            f"{c.need} 算力 {_capacity(c)} PFLOPS 不低于 {c.params.min_capacity_pflops} PFLOPS"
            "（达到即可）",
            f"{c.need} capacity {_capacity(c)} PFLOPS is at least "
            f"{c.params.min_capacity_pflops} PFLOPS (inclusive)",
        ),
    ),
    Condition(
        Reason.NOT_OPERATIONAL,
        lambda c: c.center.status == "operational" and c.known is not None,
        _not_operational,
        lambda c: (
            f"中心已投运（operational），投运日期 {c.known}",
            f"the centre is operational, commissioned on {c.known}",
        ),
    ),
    Condition(
        Reason.OUTSIDE_POLICY_PERIOD,
        lambda c: c.known is not None and c.policy.in_window(c.known),
        lambda c: (
            f"投运日期 {c.known} 不在政策有效期 {c.window} 内",
            f"commissioned on {c.known}, outside the policy period {c.window}",
        ),
        lambda c: (
            f"投运日期 {c.known} 在政策有效期 {c.window} 内",
            f"commissioned on {c.known}, inside the policy period {c.window}",
        ),
    ),
)
AMOUNT: tuple[Condition[_Centre], ...] = (
    Condition(
        Reason.NO_ELIGIBLE_COSTS,
        lambda c: sum(c.counted.values()) > 0,
        lambda c: (
            f"没有 {listing(c.params.cost_categories)} 类建设费用",
            f"no costs in {listing(c.params.cost_categories)}",
        ),
    ),
    Condition(
        Reason.ZERO_AMOUNT,
        lambda c: c.raw > 0,
        lambda c: ("按参数计算的金额为 0", "the parameters give an amount of 0"),
    ),
)
CAP: tuple[Condition[_Centre], ...] = (
    Condition(
        Reason.CAP_EXHAUSTED,
        lambda c: _capped(c) > 0,
        lambda c: (
            f"建设单位 {c.center.unit} 的 {yuan(_cap(c))} 元上限已被先投运的中心用完",
            f"the CNY {yuan(_cap(c))} cap of construction unit {c.center.unit} is used up by "
            "centres commissioned earlier",
        ),
    ),
)
OVERLAP: tuple[Condition[_Centre], ...] = (
    Condition(
        Reason.COVERED_BY_OTHER_SUPPORT,
        lambda c: _paid(c) > 0,
        lambda c: (
            "其他政策对该中心的支持不低于本政策金额",
            "support from other policies for this centre is at least this policy's amount",
        ),
    ),
)


def computing_center_build(
    centers: Iterable[CenterFacts],
    units: Mapping[str, UnitFacts],
    other: OtherIndex,
    policy: Policy,
    as_of: date,
) -> list[Verdict]:
    """An award or a rejection for every centre; caps shared per construction unit."""
    verdicts: list[Verdict] = []
    eligible: list[_Centre] = []
    for center in centers:
        case = _Centre(center, units[center.unit], other, policy, as_of)
        reason = _eligible(case, None)
        if reason is None:
            eligible.append(case)
        else:
            verdicts.append(_verdict(case, reason))
    # The cap is used up in order of commissioning date, then code.
    eligible.sort(key=lambda c: (c.known or date.min, c.center.code))
    used: dict[str, list[tuple[str, int]]] = {}
    for case in eligible:
        before = used.setdefault(case.center.unit, [])
        case.used_before = tuple(before)
        verdicts.append(_verdict(case, _cap_and_overlap(case, None)))
        capped = _capped(case)
        if capped > 0:
            # The cap is consumed by the capped amount, before overlap (raw → caps → overlap).
            before.append((case.center.code, capped))
    return verdicts


def _verdict(case: _Centre, decided: Reason | int) -> Verdict:
    return verdict(CLAUSE, case.center.unit, case.center.code, decided, _assess, case)


def _assess(case: _Centre, trace: Trace) -> Reason | int:
    """The whole clause for one centre: conditions, amount, then cap and overlap."""
    reason = _eligible(case, trace)
    if reason is not None:
        return reason
    return _cap_and_overlap(case, trace)


def _eligible(case: _Centre, trace: Trace) -> Reason | None:
    """Conditions in order, then the amount before any cap."""
    if trace is not None:
        trace += _introduction(case)
    reason = first_failing(ELIGIBLE, case, trace)
    if reason is not None:
        return reason
    params = case.params
    for category, value in case.center.costs.items():
        fen = round_to_fen(value)
        (case.counted if category in params.cost_categories else case.left_out)[category] = fen
    case.raw = apply_rate(sum(case.counted.values()), params.rate)
    if trace is not None:
        trace.append(_amount_step(case))
    return first_failing(AMOUNT, case, trace)


def _cap_and_overlap(case: _Centre, trace: Trace) -> Reason | int:
    """The unit's cap left after earlier centres, then 从优、就高、不重复."""
    if trace is not None:
        trace.append(_cap_step(case))
    reason = first_failing(CAP, case, trace)
    if reason is not None:
        return reason
    if trace is not None:
        trace.append(
            top_up_step(_capped(case), _key(case), case.other, case.policy.general_reference)
        )
    return first_failing(OVERLAP, case, trace) or paid(_paid(case), trace)


def _key(case: _Centre) -> tuple[str, str, str]:
    return (CLAUSE, case.center.unit, case.center.code)


def _cap(case: _Centre) -> int:
    return round_to_fen(case.params.cap_per_unit)


def _remaining(case: _Centre) -> int:
    return max(0, _cap(case) - sum(f for _, f in case.used_before))


def _capped(case: _Centre) -> int:
    return min(case.raw, _remaining(case))


def _paid(case: _Centre) -> int:
    return topped_up(_capped(case), _key(case), case.other, case.policy.overlap)


def _introduction(case: _Centre) -> list[Step]:
    center, as_of, day = case.center, case.as_of, case.day
    costs = "{" + ", ".join(f"{k}: {yuan(round_to_fen(v))}" for k, v in center.costs.items()) + "}"
    return [
        clause_step(case.policy.clauses[CLAUSE]),
        subject_step(
            f"计算中心 {center.code}，奖励给建设单位 {center.unit}",
            f"computing centre {center.code}; the award goes to its construction unit "
            f"{center.unit}",
        ),
        inputs_step(
            [
                f"类型 {center.kind}",
                f"算力 {mapping(center.capacity_pflops)} PFLOPS",
                f"状态 {center.status}",
                f"投运日期 {center.commissioned_on or '无'}",
                f"建设费用 {costs} 元",
                f"评估日 {as_of}",
                f"参数取 {day} 适用值",
            ],
            [
                f"kind {center.kind}",
                f"capacity {mapping(center.capacity_pflops)} PFLOPS",
                f"status {center.status}",
                f"commissioned on {center.commissioned_on or 'none'}",
                f"costs {costs} CNY",
                f"as of {as_of}",
                f"parameters in force on {day}",
            ],
        ),
    ]


def _amount_step(case: _Centre) -> Step:
    params, raw = case.params, case.raw
    parts = " + ".join(f"{c} {yuan(v)}" for c, v in case.counted.items()) or "0.00"
    skipped = "；".join(f"{c} {yuan(v)}" for c, v in case.left_out.items())
    skipped_en = "; ".join(f"{c} {yuan(v)}" for c, v in case.left_out.items())
    return note_step(
        f"计算：{percent(params.rate)} × ({parts}) = {yuan(raw)} 元"
        f"（只计 {listing(params.cost_categories)}"
        + (f"；不计 {skipped}" if skipped else "")
        + "；四舍五入到分）。",
        f"Amount: {percent(params.rate)} × ({parts}) = CNY {yuan(raw)} (only "
        f"{listing(params.cost_categories)} count"
        + (f"; not counted: {skipped_en}" if skipped else "")
        + "; rounded half up to the fen).",
    )


def _cap_step(case: _Centre) -> Step:
    unit, used, reference = (
        case.center.unit,
        case.used_before,
        case.policy.clauses[CLAUSE].reference,
    )
    cap, spent, remaining, capped = (
        _cap(case),
        sum(f for _, f in used),
        _remaining(case),
        _capped(case),
    )
    before = "、".join(f"{c} {yuan(f)}" for c, f in used) or "无"
    before_en = ", ".join(f"{c} {yuan(f)}" for c, f in used) or "none"
    return note_step(
        f"上限（{reference}）：建设单位 {unit} 的全部中心合计最高 {yuan(cap)} 元，"
        f"按投运日期、编号顺序使用；此前已用 {yuan(spent)} 元（{before}），"
        f"剩余 {yuan(remaining)} 元；"
        f"本项 min({yuan(case.raw)}, {yuan(remaining)}) = {yuan(capped)} 元。",
        f"Cap ({reference}): at most CNY {yuan(cap)} per construction unit across all its "
        "centres, used in order of commissioning date, then code; "
        f"already used CNY {yuan(spent)} "
        f"({before_en}), CNY {yuan(remaining)} left; this centre "
        f"min({yuan(case.raw)}, {yuan(remaining)}) = CNY {yuan(capped)}.",
    )
