"""Refusals of the statement workflow as a Chinese reader reads them (the domain speaks English)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.kit.problems import Problem
from service.workbench.i18n import Lang

STATUS_ZH = {
    "draft": "草稿",
    "submitted": "已提交",
    "approved": "已审批",
    "published": "公示中",
    "final": "已定稿",
    "disbursed": "已拨付",
    "upheld": "成立",
    "dismissed": "不成立",
}
ACTION_ZH = {
    "submit": "提交审核",
    "approve": "审批",
    "reject": "退回",
    "publish": "公示",
    "finalise": "定稿",
    "disburse": "登记拨付",
}

# (pattern of the domain's English message, its Chinese form); the first match wins.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"four eyes.*key (?P<key>\S+) submitted"),
     "四眼原则：结算单须由提交人以外的另一位主管部门人员审批（密钥 {key} 提交了此结算单）。"),
    (re.compile(r"cannot (?P<action>[a-z]+) a (?P<status>[a-z]+) statement: .* only from "
                r"(?P<allowed>[a-z ]+)$"),
     "结算单当前为“{status}”，不能{action}（仅限“{allowed}”状态）。"),
    (re.compile(r"public notice runs until (?P<until>\S+);"),
     "公示期至 {until} 结束，届满后方可定稿。"),
    (re.compile(r"has (?P<n>[0-9]+) open objection"),
     "尚有 {n} 条异议未处理，处理后方可定稿。"),
    (re.compile(r"voucher statement for (?P<year>[0-9]{4}) .* submitted only from "
                r"(?P<day>[0-9-]{10}) .* the (?P<grace>[0-9]+)-day grace"),
     "{year} 年度算力券结算单可先作为预测草稿，须待年度结束及 {grace} 天宽限期满后"
     "（{day} 起）方可提交。"),
    (re.compile(r"objection (?P<id>[0-9]+) is already (?P<status>[a-z]+)"),
     "异议 {id} 已处理（{status}）。"),
    (re.compile(r"^a rejection needs a comment"), "退回须填写理由。"),
    (re.compile(r"^a dismissal needs a reason"), "异议不成立须填写理由。"),
    (re.compile(r"^choose upheld or dismissed"), "请选择“成立”或“不成立”。"),
    (re.compile(r"^the payment reference is required"), "请填写拨付凭证号。"),
    (re.compile(r"^the payment date is required"), "请填写拨付日期（年-月-日）。"),
    (re.compile(r"^before the statement became final on (?P<day>[0-9-]{10})"),
     "拨付日期不能早于定稿日期 {day}。"),
    (re.compile(r"^in the future \(today is (?P<day>[0-9-]{10})\)"),
     "拨付日期不能晚于今天（{day}）。"),
    (re.compile(r"^not a day \(YYYY-MM-DD\): (?P<value>.*)$"), "不是有效日期（年-月-日）：{value}"),
    (re.compile(r"^unknown clause"), "没有此条款。"),
    (re.compile(r"^'(?P<period>[^']*)' is not an open period as of (?P<day>[0-9-]{10}): "
                r"(?P<known>.*)$"),
     "“{period}”不是截至 {day} 的可结算期间（可选：{known}）。"),
    (re.compile(r"^no (statement|objection) with id"), "未找到。"),
)  # fmt: skip


@dataclass(frozen=True)
class Said:
    """One message of a refusal: the field it is about, the text to show, the domain's own."""

    field: str
    text: str
    original: str


def in_chinese(message: str) -> str | None:
    """The Chinese form of a domain message, when it is one the workflow says."""
    for pattern, chinese in PATTERNS:
        found = pattern.search(message)
        if found is None:
            continue
        fields = found.groupdict()
        for name in ("status", "allowed"):
            if name in fields:
                fields[name] = "、".join(STATUS_ZH.get(s, s) for s in fields[name].split(" or "))
        if "action" in fields:
            fields["action"] = ACTION_ZH.get(fields["action"], fields["action"])
        return chinese.format(**fields)
    return None


def said(problem: Problem, lang: Lang) -> list[Said]:
    """A refusal's messages in the page's language (the domain's English kept beside)."""
    pairs = [(e.field, e.message) for e in problem.errors] or [
        ("", problem.detail or problem.title)
    ]
    out = []
    for field, message in pairs:
        chinese = in_chinese(message) if lang is Lang.ZH else None
        out.append(Said(field, chinese or message, message))
    return out
