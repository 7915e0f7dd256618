"""四(十六): 5,000,000 to the construction unit of a connected secondary node, once per unit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from incentives.explain import Step, clause_step, inputs_step, note_step, subject_step, yuan
from incentives.facts import NodeFacts, UnitFacts
from incentives.money import round_to_fen
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

CLAUSE = "identifier_node"


class _Node:
    """One node, with what deciding it needs; settling adds the unit's earlier awarded node."""

    __slots__ = ("as_of", "day", "earlier", "known", "node", "other", "params", "policy", "unit")

    def __init__(
        self, node: NodeFacts, unit: UnitFacts, other: OtherIndex, policy: Policy, as_of: date
    ) -> None:
        self.node, self.unit, self.other, self.policy, self.as_of = node, unit, other, policy, as_of
        connected = node.connected_on
        self.known = connected if connected and connected <= as_of else None
        self.day = self.known or as_of
        self.params = policy.node_params(self.day)
        self.earlier: _Node | None = None  # with per: unit, the unit's node that took the award

    @property
    def window(self) -> str:
        return f"[{self.policy.valid_from}, {self.policy.valid_until})"

    @property
    def amount(self) -> int:
        return round_to_fen(self.params.amount)


def _not_connected(c: _Node) -> tuple[str, str]:
    if c.node.connected_on:
        why = f"接入日期 {c.node.connected_on} 晚于评估日 {c.as_of}"
        why_en = f"connected on {c.node.connected_on}, after as_of {c.as_of}"
    else:
        why, why_en = "未接入国家顶级节点", "not connected to the national top-level node"
    return (
        f"节点须已接入国家顶级节点；{why}",
        f"the node must be connected to the national top-level node; {why_en}",
    )


def _once_per_unit(c: _Node) -> tuple[str, str]:
    if c.params.per != "unit":
        return (
            "按节点奖励（per: node）：每个符合条件的节点都奖励",
            "paid per node (per: node): every eligible node is awarded",
        )
    return (
        f"每个建设单位只奖励一次（per: unit），按接入日期、编号顺序，{c.node.code} 是 "
        f"{c.node.unit} 第一个符合条件的节点",
        "each construction unit is awarded once (per: unit); by connection date then "
        f"code, {c.node.code} is {c.node.unit}'s first eligible node",
    )


def _already_awarded(c: _Node) -> tuple[str, str]:
    earlier = c.earlier
    code, on = (earlier.node.code, earlier.known) if earlier else ("?", None)
    return (
        f"每个建设单位只奖励一次（per: unit）；建设单位 {c.node.unit} 已因更早接入的节点 "
        f"{code}（{on}）获得本条奖励",
        f"each construction unit is awarded once (per: unit); {c.node.unit} already has "
        f"this clause's award for node {code}, connected earlier ({on})",
    )


# The conditions of DESIGN.md, in its order: the first that fails is the reason.
ELIGIBLE: tuple[Condition[_Node], ...] = (
    unit_honest("建设单位", "construction unit"),
    Condition(
        Reason.NOT_OPERATIONAL,
        lambda c: c.node.status == "operational",
        lambda c: (
            f"节点须已运行（operational）；状态为 {c.node.status}",
            f"the node must be operational; its status is {c.node.status}",
        ),
        lambda c: ("节点已运行（operational）", "the node is operational"),
    ),
    Condition(
        Reason.NOT_CONNECTED,
        lambda c: c.known is not None,
        _not_connected,
        lambda c: (
            f"已于 {c.known} 接入国家顶级节点",
            f"connected to the national top-level node on {c.known}",
        ),
    ),
    Condition(
        Reason.OUTSIDE_POLICY_PERIOD,
        lambda c: c.known is not None and c.policy.in_window(c.known),
        lambda c: (
            f"接入日期 {c.known} 不在政策有效期 {c.window} 内",
            f"connected on {c.known}, outside the policy period {c.window}",
        ),
        lambda c: (
            f"接入日期 {c.known} 在政策有效期 {c.window} 内",
            f"connected on {c.known}, inside the policy period {c.window}",
        ),
    ),
    Condition(
        Reason.ZERO_AMOUNT,
        lambda c: c.amount > 0,
        lambda c: ("参数规定的奖励金额为 0", "the parameters set the amount to 0"),
    ),
)
ONCE: tuple[Condition[_Node], ...] = (
    Condition(
        Reason.ALREADY_AWARDED_TO_UNIT,
        lambda c: c.earlier is None,
        _already_awarded,
        _once_per_unit,
    ),
)
OVERLAP: tuple[Condition[_Node], ...] = (
    Condition(
        Reason.COVERED_BY_OTHER_SUPPORT,
        lambda c: _paid(c) > 0,
        lambda c: (
            "其他政策对该节点的支持不低于本政策金额",
            "support from other policies for this node is at least this policy's amount",
        ),
    ),
)


def identifier_node(
    nodes: Iterable[NodeFacts],
    units: Mapping[str, UnitFacts],
    other: OtherIndex,
    policy: Policy,
    as_of: date,
) -> list[Verdict]:
    """An award or a rejection for every node; with `per: unit` only a unit's first node pays."""
    verdicts: list[Verdict] = []
    eligible: list[_Node] = []
    for node in nodes:
        case = _Node(node, units[node.unit], other, policy, as_of)
        reason = _eligible(case, None)
        if reason is None:
            eligible.append(case)
        else:
            verdicts.append(_verdict(case, reason))
    # A unit's first node, by connection date then code, is the one awarded.
    eligible.sort(key=lambda c: (c.known or date.min, c.node.code))
    first: dict[str, _Node] = {}
    for case in eligible:
        if case.params.per == "unit":
            case.earlier = first.get(case.node.unit)
        first.setdefault(case.node.unit, case)
        verdicts.append(_verdict(case, _settle(case, None)))
    return verdicts


def _verdict(case: _Node, decided: Reason | int) -> Verdict:
    return verdict(CLAUSE, case.node.unit, case.node.code, decided, _assess, case)


def _assess(case: _Node, trace: Trace) -> Reason | int:
    """The whole clause for one node: conditions, once per unit, amount, overlap."""
    reason = _eligible(case, trace)
    if reason is not None:
        return reason
    return _settle(case, trace)


def _eligible(case: _Node, trace: Trace) -> Reason | None:
    if trace is not None:
        trace += _introduction(case)
    return first_failing(ELIGIBLE, case, trace)


def _settle(case: _Node, trace: Trace) -> Reason | int:
    """Once per unit (per: unit), the fixed amount, then 从优、就高、不重复."""
    reason = first_failing(ONCE, case, trace)
    if reason is not None:
        return reason
    if trace is not None:
        reference = case.policy.clauses[CLAUSE].reference
        trace.append(
            note_step(
                f"金额（{reference}）：{yuan(case.amount)} 元。",
                f"Amount ({reference}): CNY {yuan(case.amount)}.",
            )
        )
        trace.append(
            top_up_step(case.amount, _key(case), case.other, case.policy.general_reference)
        )
    return first_failing(OVERLAP, case, trace) or paid(_paid(case), trace)


def _key(case: _Node) -> tuple[str, str, str]:
    return (CLAUSE, case.node.unit, case.node.code)


def _paid(case: _Node) -> int:
    return topped_up(case.amount, _key(case), case.other, case.policy.overlap)


def _introduction(case: _Node) -> list[Step]:
    node, as_of, day = case.node, case.as_of, case.day
    return [
        clause_step(case.policy.clauses[CLAUSE]),
        subject_step(
            f"二级节点 {node.code}，奖励给建设单位 {node.unit}",
            f"secondary node {node.code}; the award goes to its construction unit {node.unit}",
        ),
        inputs_step(
            [
                f"状态 {node.status}",
                f"接入国家顶级节点日期 {node.connected_on or '未接入'}",
                f"评估日 {as_of}",
                f"参数取 {day} 适用值",
            ],
            [
                f"status {node.status}",
                f"connected to the national top-level node on {node.connected_on or 'never'}",
                f"as of {as_of}",
                f"parameters in force on {day}",
            ],
        ),
    ]
