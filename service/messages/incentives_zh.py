"""Chinese of incentives/'s messages: statements, objections, other support, scenarios, policy."""
# ruff: noqa: E501 -- a message id is kept whole on one line, so it can be found with grep.

from __future__ import annotations

from collections.abc import Mapping

STATEMENTS: Mapping[str, str] = {
    # incentives/statements (runs_api, workflow_api, review, workflow)
    "no {what} {ident}": "{what} {ident} 不存在",
    "no line {line} in statement {id}": "核算单 {id} 中没有条目 {line}",
    "no statement with id {id}": "编号为 {id} 的奖补核算单不存在",
    "no statement run to compare with": "尚无可比较的核算运行",
    "unknown policy {policy}; loaded: {known}": "未知政策 {policy}，已加载：{known}",
    "statement {id}: {refused}": "核算单 {id}：{refused}",
    "cannot {action} a {status} statement: {again} is allowed only from {allowed}": (
        "状态为 {status} 的核算单不能执行 {action}：{again} 只能在 {allowed} 状态下执行"
    ),
    "four eyes: a statement is approved by an official key other than the one that submitted it": (
        "双人复核：核算单须由提交人以外的另一主管部门密钥批准"
    ),
    "four eyes: a statement is approved by an official key other than the one that submitted it; key {key} submitted statement {id}": (
        "双人复核：核算单须由提交人以外的另一主管部门密钥批准；核算单 {id} 由密钥 {key} 提交"
    ),
    "four eyes: a statement is approved by an official key other than the one that submitted it; {name} submitted statement {id} with another key": (
        "双人复核：核算单须由提交人以外的另一主管部门人员批准；核算单 {id} 由 {name} 用另一把密钥提交"
    ),
    "a rejection needs a comment saying why": "退回时须填写理由",
    "the payment reference is required": "须填写拨付凭证号",
    "the payment date is required (YYYY-MM-DD)": "须填写拨付日期（YYYY-MM-DD）",
    "before the statement became final on {day}": "早于核算单确认日期 {day}",
    "in the future (today is {today})": "晚于今天（今天是 {today}）",
    "statement {id}: a voucher statement for {year} may be drafted as a forecast but submitted only from {date} ({zone}): after the year has ended and the {days}-day grace period for late invoices and sales reports": (
        "核算单 {id}：{year} 年度算力券核算单可先作为预测草稿，但须在 {date}（{zone}）之后提交，"
        "即年度结束且补交发票和销售记录的 {days} 天宽限期届满后"
    ),
    "statement {id}: the public notice runs until {until}; it can be final only after that": (
        "核算单 {id}：公示期至 {until}，届满后方可确认"
    ),
    "statement {id} has {count} open objection; resolve it before finalising": (
        "核算单 {id} 有 {count} 条异议尚未处理，请处理后再确认"
    ),
    "statement {id} has {count} open objections; resolve them before finalising": (
        "核算单 {id} 有 {count} 条异议尚未处理，请处理后再确认"
    ),
    "statement {id} is {status}; a unit's token sees its own lines of published, final and disbursed statements only": (
        "核算单 {id} 的状态为 {status}；单位令牌只能查看已公示、已确认和已拨付核算单中本单位的条目"
    ),
    "officials resolve objections; a unit's token files them": "异议由主管部门处理；单位令牌只能提出异议",
    # incentives/objections.py
    "no objection with id {id}": "编号为 {id} 的异议不存在",
    "statement {id} has no line {line}": "核算单 {id} 中没有条目 {line}",
    "statement {id} is {status}; objections are filed only while it is published for public notice": (
        "核算单 {id} 的状态为 {status}；只有在公示期间才能提出异议"
    ),
    "the notice period of statement {id} ended at {ended}": "核算单 {id} 的公示期已于 {ended} 结束",
    "line {line} belongs to another unit; a unit objects only to its own lines (anyone may object on the public notice page)": (
        "条目 {line} 属于其他单位；单位只能对本单位的条目提出异议（任何人都可在公示页面提出异议）"
    ),
    "line {line} already has {count} open objections from the public notice page; an official will resolve them first": (
        "条目 {line} 已有 {count} 条来自公示页面的未处理异议，请待主管部门处理后再提"
    ),
    "a dismissal needs a reason": "驳回异议须填写理由",
    "objection {id} is already {status}": "异议 {id} 的状态已是 {status}",
    # incentives/other_support*.py
    "no other-support record with id {id}": "编号为 {id} 的其他政策支持记录不存在",
    "a unit's token sees only its own unit's support": "单位令牌只能查看本单位的支持记录",
    "no unit with code {code}": "不存在编码为 {code} 的单位",
    "no {what} with code {code}": "不存在编码为 {code} 的{what}",
    "for compute_voucher the subject is a year of the policy ({start}–{end}), got {subject}": (
        "算力券（compute_voucher）的对象应为政策年度（{start}–{end}），实际为 {subject}"
    ),
    "{what} {subject} was built by {owner}, not {unit}": "{what} {subject} 的建设单位是 {owner}，不是 {unit}",
}

SCENARIOS: Mapping[str, str] = {
    # incentives/scenario.py, scenario_fields.py, parameters.py (simulate, policy files)
    "a scenario must be a YAML mapping": "场景必须是 YAML 映射（mapping）",
    "unknown policy {name}; known: {known}": "未知政策 {name}，已收录：{known}",
    "{code} is defined twice": "{code} 重复定义",
    "names unit {code}, which is not in units": "引用的单位 {code} 不在 units 中",
    "must be after listed_from": "必须晚于 listed_from",
    "is required when operational": "在运时必填",
    "only a red invoice reverses one": "只有红字发票才能冲销发票",
    "{subject} is not in computing_centers": "{subject} 不在 computing_centers 中",
    "{subject} is not in identifier_nodes": "{subject} 不在 identifier_nodes 中",
    "{subject} was built by {owner}, not {unit}": "{subject} 的建设单位是 {owner}，不是 {unit}",
    'must be a calendar year such as "2025", got {subject}': '必须是年份，例如 "2025"，实际为 {subject}',
    "must be 20 digits, or a 10- or 12-digit code and an 8-digit number; got {raw}": (
        "应为 20 位数字，或 10 位/12 位发票代码加 8 位号码；实际为 {raw}"
    ),
    "must be a non-empty code, got {raw}": "必须是非空编码，实际为 {raw}",
    "must be a quoted string, got {raw}": "必须是带引号的字符串，实际为 {raw}",
    "must be a string, got {raw}": "必须是字符串，实际为 {raw}",
    "must be more than 0, got {value}": "必须大于 0，实际为 {value}",
    "unknown reason {raw}; known: {known}": "未知原因 {raw}，可选：{known}",
    "must be a date YYYY-MM-DD, got {raw}": "必须是 YYYY-MM-DD 格式的日期，实际为 {raw}",
    "not a valid date: {raw} ({reason})": "不是有效日期：{raw}（{reason}）",
    "must be a finite number, got {raw}": "必须是有限数值，实际为 {raw}",
    "must be a number, got {raw}": "必须是数字，实际为 {raw}",
    "must be an exact number (a string or a decimal), got {raw}": "必须是精确数值（字符串或十进制数），实际为 {raw}",
    "must not be negative, got {value}": "不能为负数，实际为 {value}",
    "must have at most two decimals (whole fen), got {value}": "最多两位小数（精确到分），实际为 {value}",
    "must be between 0 and 1, got {value}": "必须在 0 到 1 之间，实际为 {value}",
    "must be true or false, got {raw}": "必须是 true 或 false，实际为 {raw}",
    "must be one of {known}; got {raw}": "必须是以下之一：{known}；实际为 {raw}",
    "must be a list of {known}; got {raw}": "必须是由以下值组成的列表：{known}；实际为 {raw}",
    "lists a value twice: {value}": "列表中有重复值：{value}",
    "must map centre kinds to {known}; got {raw}": "必须将算力中心类型映射为 {known}；实际为 {raw}",
    "cannot have dated values": "不能按日期分段取值",
    "mixes dated and plain keys": "混用了带日期和不带日期的键",
    "value from {start}: {error}": "自 {start} 起的取值：{error}",
    "facts name units that are not given: {codes}": "事实数据引用了未提供的单位：{codes}",
    "invoices name buyers that are not given: {codes}": "发票引用了未提供的购买方：{codes}",
    "unknown overlap mode {mode}": "未知的叠加方式 {mode}",
}
