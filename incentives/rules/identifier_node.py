"""四(十六): 5,000,000 to the construction unit of a connected secondary node, once per unit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from incentives.explain import (
    Step,
    check_step,
    clause_step,
    inputs_step,
    note_step,
    subject_step,
    yuan,
)
from incentives.facts import NodeFacts, UnitFacts
from incentives.money import round_to_fen
from incentives.outcome import Reason
from incentives.policy import NodeParams, Policy
from incentives.rules.overlap import OtherIndex, top_up
from incentives.rules.verdict import Checklist, Verdict, award, reject

CLAUSE = "identifier_node"


@dataclass(slots=True)
class _Eligible:
    node: NodeFacts
    connected_on: date
    params: NodeParams
    steps: list[Step]


def identifier_node(
    nodes: Iterable[NodeFacts],
    units: Mapping[str, UnitFacts],
    other: OtherIndex,
    policy: Policy,
    as_of: date,
) -> list[Verdict]:
    """An award or a rejection for every node; with `per: unit` only a unit's first node pays."""
    verdicts: list[Verdict] = []
    eligible: list[_Eligible] = []
    for node in nodes:
        checked = _check(node, units[node.unit], policy, as_of)
        if isinstance(checked, _Eligible):
            eligible.append(checked)
        else:
            verdicts.append(checked)
    # A unit's first node, by connection date then code, is the one awarded.
    eligible.sort(key=lambda e: (e.connected_on, e.node.code))
    first: dict[str, _Eligible] = {}
    for item in eligible:
        verdicts.append(_settle(item, first, other, policy))
    return verdicts


def _check(node: NodeFacts, unit: UnitFacts, policy: Policy, as_of: date) -> Verdict | _Eligible:
    clause = policy.clauses[CLAUSE]
    known = node.connected_on if node.connected_on and node.connected_on <= as_of else None
    day = known or as_of
    params = policy.node_params(day)
    steps = [
        clause_step(clause),
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

    checks = Checklist(CLAUSE, node.unit, node.code, steps)
    no, yes = checks.failed, checks.passed
    dishonest = checks.construction_unit_honest(unit)
    if dishonest is not None:
        return dishonest
    if node.status != "operational":
        return no(
            Reason.NOT_OPERATIONAL,
            f"节点须已运行（operational）；状态为 {node.status}",
            f"the node must be operational; its status is {node.status}",
        )
    yes("节点已运行（operational）", "the node is operational")
    if known is None:
        why = (
            f"接入日期 {node.connected_on} 晚于评估日 {as_of}"
            if node.connected_on
            else "未接入国家顶级节点"
        )
        why_en = (
            f"connected on {node.connected_on}, after as_of {as_of}"
            if node.connected_on
            else "not connected to the national top-level node"
        )
        return no(
            Reason.NOT_CONNECTED,
            f"节点须已接入国家顶级节点；{why}",
            f"the node must be connected to the national top-level node; {why_en}",
        )
    yes(f"已于 {known} 接入国家顶级节点", f"connected to the national top-level node on {known}")
    window = f"[{policy.valid_from}, {policy.valid_until})"
    if not policy.in_window(known):
        return no(
            Reason.OUTSIDE_POLICY_PERIOD,
            f"接入日期 {known} 不在政策有效期 {window} 内",
            f"connected on {known}, outside the policy period {window}",
        )
    yes(
        f"接入日期 {known} 在政策有效期 {window} 内",
        f"connected on {known}, inside the policy period {window}",
    )
    if round_to_fen(params.amount) == 0:
        return reject(
            CLAUSE,
            node.unit,
            node.code,
            steps,
            Reason.ZERO_AMOUNT,
            "参数规定的奖励金额为 0",
            "the parameters set the amount to 0",
        )
    return _Eligible(node, known, params, steps)


def _settle(
    item: _Eligible, first: dict[str, _Eligible], other: OtherIndex, policy: Policy
) -> Verdict:
    node, steps = item.node, item.steps
    reference = policy.clauses[CLAUSE].reference
    amount = round_to_fen(item.params.amount)
    if item.params.per == "unit":
        earlier = first.get(node.unit)
        if earlier is not None:
            zh = (
                f"每个建设单位只奖励一次（per: unit）；建设单位 {node.unit} 已因更早接入的节点 "
                f"{earlier.node.code}（{earlier.connected_on}）获得本条奖励"
            )
            en = (
                f"each construction unit is awarded once (per: unit); {node.unit} already has "
                f"this clause's award for node {earlier.node.code}, connected earlier "
                f"({earlier.connected_on})"
            )
            steps.append(check_step(False, zh, en))
            return reject(
                CLAUSE, node.unit, node.code, steps, Reason.ALREADY_AWARDED_TO_UNIT, zh, en
            )
        first[node.unit] = item
        steps.append(
            check_step(
                True,
                f"每个建设单位只奖励一次（per: unit），按接入日期、编号顺序，{node.code} 是 "
                f"{node.unit} 第一个符合条件的节点",
                "each construction unit is awarded once (per: unit); by connection date then "
                f"code, {node.code} is {node.unit}'s first eligible node",
            )
        )
    else:
        first.setdefault(node.unit, item)
        steps.append(
            note_step(
                "按节点奖励（per: node）：每个符合条件的节点都奖励。",
                "Paid per node (per: node): every eligible node is awarded.",
            )
        )
    steps.append(
        note_step(
            f"金额（{reference}）：{yuan(amount)} 元。",
            f"Amount ({reference}): CNY {yuan(amount)}.",
        )
    )
    settled = top_up(
        amount, (CLAUSE, node.unit, node.code), other, policy.general_reference, policy.overlap
    )
    steps.append(settled.step)
    if settled.paid_fen == 0:
        return reject(
            CLAUSE,
            node.unit,
            node.code,
            steps,
            Reason.COVERED_BY_OTHER_SUPPORT,
            "其他政策对该节点的支持不低于本政策金额",
            "support from other policies for this node is at least this policy's amount",
        )
    return award(CLAUSE, node.unit, node.code, steps, settled.paid_fen)
