"""五(十九): 30% of a 50P+ centre's equipment and software cost, at most 20M per builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
from incentives.policy import CenterParams, Policy
from incentives.rules.overlap import OtherIndex, top_up
from incentives.rules.verdict import Checklist, Verdict, award, reject

CLAUSE = "computing_center_build"


@dataclass(slots=True)
class _Eligible:
    center: CenterFacts
    commissioned_on: date
    params: CenterParams
    raw_fen: int
    steps: list[Step]


def computing_center_build(
    centers: Iterable[CenterFacts],
    units: Mapping[str, UnitFacts],
    other: OtherIndex,
    policy: Policy,
    as_of: date,
) -> list[Verdict]:
    """An award or a rejection for every centre; caps shared per construction unit."""
    verdicts: list[Verdict] = []
    eligible: list[_Eligible] = []
    for center in centers:
        checked = _check(center, units[center.unit], policy, as_of)
        if isinstance(checked, _Eligible):
            eligible.append(checked)
        else:
            verdicts.append(checked)
    # The cap is used up in order of commissioning date, then code.
    eligible.sort(key=lambda e: (e.commissioned_on, e.center.code))
    used: dict[str, list[tuple[str, int]]] = {}
    for item in eligible:
        verdicts.append(
            _cap_and_overlap(item, used.setdefault(item.center.unit, []), other, policy)
        )
    return verdicts


def _check(
    center: CenterFacts, unit: UnitFacts, policy: Policy, as_of: date
) -> Verdict | _Eligible:
    clause = policy.clauses[CLAUSE]
    # Parameters in force on the commissioning day; for a centre not yet running, on as_of.
    known = (
        center.commissioned_on
        if center.commissioned_on and center.commissioned_on <= as_of
        else None
    )
    day = known or as_of
    params = policy.center_params(day)
    costs = "{" + ", ".join(f"{k}: {yuan(round_to_fen(v))}" for k, v in center.costs.items()) + "}"
    steps = [
        clause_step(clause),
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

    checks = Checklist(CLAUSE, center.unit, center.code, steps)
    no, yes = checks.failed, checks.passed
    dishonest = checks.construction_unit_honest(unit)
    if dishonest is not None:
        return dishonest
    kinds = listing(params.center_kinds)
    if center.kind not in params.center_kinds:
        return no(
            Reason.INELIGIBLE_CENTER_KIND,
            f"中心类型 {center.kind} 不属于 {kinds}",
            f"centre kind {center.kind} is not one of {kinds}",
        )
    yes(f"中心类型 {center.kind} 属于 {kinds}", f"centre kind {center.kind} is one of {kinds}")
    need = params.precision[center.kind]
    capacity = center.capacity_pflops.get(need)
    if capacity is None:
        given = listing(center.capacity_pflops) if center.capacity_pflops else "无"
        return no(
            Reason.CAPACITY_NOT_IN_REQUIRED_PRECISION,
            f"{center.kind} 中心的算力须按 {need} 计，但只报了 {given}",
            f"the {center.kind} centre's capacity counts in {need}, but only "
            f"{listing(center.capacity_pflops) or 'nothing'} was given",
        )
    yes(
        f"{center.kind} 中心的算力按 {need} 计，已报 {need}",
        f"the {center.kind} centre's capacity counts in {need}, and {need} is given",
    )
    floor = params.min_capacity_pflops
    if capacity < floor:
        return no(
            Reason.BELOW_CAPACITY_THRESHOLD,
            f"{need} 算力 {capacity} PFLOPS 低于 {floor} PFLOPS",
            f"{need} capacity {capacity} PFLOPS is below {floor} PFLOPS",
        )
    yes(
        f"{need} 算力 {capacity} PFLOPS 不低于 {floor} PFLOPS（达到即可）",
        f"{need} capacity {capacity} PFLOPS is at least {floor} PFLOPS (inclusive)",
    )
    if center.status != "operational" or known is None:
        when = (
            f"投运日期 {center.commissioned_on} 晚于评估日 {as_of}"
            if center.commissioned_on
            else "没有投运日期"
        )
        when_en = (
            f"commissioned on {center.commissioned_on}, after as_of {as_of}"
            if center.commissioned_on
            else "no commissioning date"
        )
        if center.status != "operational":
            when, when_en = f"状态为 {center.status}", f"status is {center.status}"
        return no(
            Reason.NOT_OPERATIONAL,
            f"中心须已投运（operational）；{when}",
            f"the centre must be operational; {when_en}",
        )
    yes(
        f"中心已投运（operational），投运日期 {known}",
        f"the centre is operational, commissioned on {known}",
    )
    window = f"[{policy.valid_from}, {policy.valid_until})"
    if not policy.in_window(known):
        return no(
            Reason.OUTSIDE_POLICY_PERIOD,
            f"投运日期 {known} 不在政策有效期 {window} 内",
            f"commissioned on {known}, outside the policy period {window}",
        )
    yes(
        f"投运日期 {known} 在政策有效期 {window} 内",
        f"commissioned on {known}, inside the policy period {window}",
    )

    fen_costs = {c: round_to_fen(v) for c, v in center.costs.items()}
    counted = {c: fen for c, fen in fen_costs.items() if c in params.cost_categories}
    left_out = {c: fen for c, fen in fen_costs.items() if c not in params.cost_categories}
    base = sum(counted.values())
    raw = apply_rate(base, params.rate)
    parts = " + ".join(f"{c} {yuan(v)}" for c, v in counted.items()) or "0.00"
    skipped = "；".join(f"{c} {yuan(v)}" for c, v in left_out.items())
    skipped_en = "; ".join(f"{c} {yuan(v)}" for c, v in left_out.items())
    steps.append(
        note_step(
            f"计算：{percent(params.rate)} × ({parts}) = {yuan(raw)} 元"
            f"（只计 {listing(params.cost_categories)}"
            + (f"；不计 {skipped}" if skipped else "")
            + "；四舍五入到分）。",
            f"Amount: {percent(params.rate)} × ({parts}) = CNY {yuan(raw)} (only "
            f"{listing(params.cost_categories)} count"
            + (f"; not counted: {skipped_en}" if skipped else "")
            + "; rounded half up to the fen).",
        )
    )
    if base == 0:
        return reject(
            CLAUSE,
            center.unit,
            center.code,
            steps,
            Reason.NO_ELIGIBLE_COSTS,
            f"没有 {listing(params.cost_categories)} 类建设费用",
            f"no costs in {listing(params.cost_categories)}",
        )
    if raw == 0:
        return reject(
            CLAUSE,
            center.unit,
            center.code,
            steps,
            Reason.ZERO_AMOUNT,
            "按参数计算的金额为 0",
            "the parameters give an amount of 0",
        )
    return _Eligible(center, known, params, raw, steps)


def _cap_and_overlap(
    item: _Eligible, used: list[tuple[str, int]], other: OtherIndex, policy: Policy
) -> Verdict:
    center, steps = item.center, item.steps
    reference = policy.clauses[CLAUSE].reference
    cap = round_to_fen(item.params.cap_per_unit)
    spent = sum(f for _, f in used)
    remaining = max(0, cap - spent)
    capped = min(item.raw_fen, remaining)
    before = "、".join(f"{c} {yuan(f)}" for c, f in used) or "无"
    before_en = ", ".join(f"{c} {yuan(f)}" for c, f in used) or "none"
    steps.append(
        note_step(
            f"上限（{reference}）：建设单位 {center.unit} 的全部中心合计最高 {yuan(cap)} 元，"
            f"按投运日期、编号顺序使用；此前已用 {yuan(spent)} 元（{before}），"
            f"剩余 {yuan(remaining)} 元；"
            f"本项 min({yuan(item.raw_fen)}, {yuan(remaining)}) = {yuan(capped)} 元。",
            f"Cap ({reference}): at most CNY {yuan(cap)} per construction unit across all its "
            "centres, used in order of commissioning date, then code; "
            f"already used CNY {yuan(spent)} "
            f"({before_en}), CNY {yuan(remaining)} left; this centre "
            f"min({yuan(item.raw_fen)}, {yuan(remaining)}) = CNY {yuan(capped)}.",
        )
    )
    if capped == 0:
        return reject(
            CLAUSE,
            center.unit,
            center.code,
            steps,
            Reason.CAP_EXHAUSTED,
            f"建设单位 {center.unit} 的 {yuan(cap)} 元上限已被先投运的中心用完",
            f"the CNY {yuan(cap)} cap of construction unit {center.unit} is used up by "
            "centres commissioned earlier",
        )
    # The cap is consumed by the capped amount, before overlap (raw → caps → overlap).
    used.append((center.code, capped))
    settled = top_up(
        capped, (CLAUSE, center.unit, center.code), other, policy.general_reference, policy.overlap
    )
    steps.append(settled.step)
    if settled.paid_fen == 0:
        return reject(
            CLAUSE,
            center.unit,
            center.code,
            steps,
            Reason.COVERED_BY_OTHER_SUPPORT,
            "其他政策对该中心的支持不低于本政策金额",
            "support from other policies for this centre is at least this policy's amount",
        )
    return award(CLAUSE, center.unit, center.code, steps, settled.paid_fen)
