"""Chinese of registry/'s messages: fields, codes, money, objects, reviews, 5G-site files."""
# ruff: noqa: E501 -- a message id is kept whole on one line, so it can be found with grep.

from __future__ import annotations

from collections.abc import Mapping

REGISTRY: Mapping[str, str] = {
    # registry/credit_code.py (统一社会信用代码, GB 32100)
    "must be 18 characters, got {count}": "统一社会信用代码应为 18 位，实际为 {count} 位",
    "contains characters outside GB 32100: {chars}": "含有 GB 32100 不允许的字符：{chars}",
    "wrong check character {given}, expected {expected}": (
        "统一社会信用代码校验位错误：应为 {expected}，实际为 {given}"
    ),
    # registry/digits.py
    "{text} holds {char} ({name}); write digits and letters as ASCII 0-9 and A-Z": (
        "{text} 含有字符 {char}（{name}），数字和字母请使用半角 0-9 和 A-Z"
    ),
    # registry/fields.py
    "not one of Heilongjiang's 13 divisions: {value}": "{value} 不是黑龙江省的 13 个地市之一",
    "must not be negative": "不能为负数",
    "must be below ten trillion yuan": "必须小于十万亿元",
    "give a date (YYYY-MM-DD), not a date and time": "请填写日期（YYYY-MM-DD），不要带时间",
    "not a calendar date: {value}": "{value} 不是有效日期",
    "give a date as YYYY-MM-DD": "日期格式应为 YYYY-MM-DD",
    "give a time as RFC 3339, e.g. 2025-03-01T08:00:00+08:00": (
        "时间应为 RFC 3339 格式，例如 2025-03-01T08:00:00+08:00"
    ),
    "the time needs an offset (Z or +08:00)": "时间须带时区（Z 或 +08:00）",
    "not a calendar time: {value}": "{value} 不是有效时间",
    "give a decimal string or number": "请填写数字或数字字符串",
    "not a number: {value}": "{value} 不是数字",
    "must be between {low} and {high}": "必须在 {low} 到 {high} 之间",
    "at most {places} decimals": "最多 {places} 位小数",
    # registry/money.py
    "at most two decimals (whole fen)": "最多两位小数（精确到分）",
    "money must be a string or an integer, not a float": "金额应写成字符串或整数，不能用浮点数",
    "not an amount: {value}": "{value} 不是有效金额",
    'not an amount: {value}; write yuan like "1234.50" (thousands commas in groups of three allowed)': (
        '{value} 不是有效金额，请以元为单位填写，如 "1234.50"（可用千分位逗号）'
    ),
    'not an amount: {value}; write yuan like "100.00"': '{value} 不是有效金额，请以元为单位填写，如 "100.00"',
    "{value} is too large for an amount in yuan": "{value} 超出金额（元）的允许范围",
    "{value}: zero has no sign; write 0": "{value}：零不带正负号，请写 0",
    "naive datetime; store aware UTC times": "时间缺少时区",
    # registry/schemas.py
    "listed_until must be after listed_from": "listed_until（移出日期）必须晚于 listed_from（列入日期）",
    "{field} is required when status is operational": "状态为在运（operational）时必须填写 {field}",
    "give a code: {code} is over {limit} characters": "请填写编码：{code} 超过 {limit} 个字符",
    # registry/api.py
    "unknown accelerator model {model}; known: {known}": "未知的加速卡型号 {model}，已收录：{known}",
    "{value} is already registered": "{value} 已登记",
    "{value} is already registered as {other}": "{value} 已登记（登记为 {other}）",
    "{value} appears twice in this list": "{value} 在本次列表中重复出现",
    "{value} appears twice in this list (letter case aside)": "{value} 在本次列表中重复出现（不区分大小写）",
    "conflicts with registered objects; nothing was stored": "与已登记的数据冲突，未保存任何数据",
    "a concurrent change got there first; read it and try again": "数据已被同时进行的另一修改更新，请重新读取后再试",
    "{what} still has {count} {noun}; remove them first": "{what} 下仍有 {count} 个{noun}，请先删除",
    "other records still depend on {what}": "仍有其他记录依赖{what}",
    "{what} of unit {unit}": "单位 {unit} 的{what}",
    # registry/review.py, review_api.py
    "a concurrent declaration of this object got there first; try again": "该对象已有同时提交的另一申报，请重试",
    "review {id} is {status}, not pending; nothing was changed": "审核 {id} 的状态为 {status}，不是待审核，未作任何修改",
    "the declared values no longer fit {what}": "申报的数值与{what}的现状不再相符",
    "{what} changed since the declaration ({changed}); reject this one and ask the unit to declare again": (
        "{what} 在申报后已变更（{changed}），请退回本次申报并请单位重新申报"
    ),
    # registry/importer.py
    "a scenario file is a mapping at the top level": "场景文件的顶层必须是映射（mapping）",
    "the file is neither UTF-8 nor GB18030 text": "文件既不是 UTF-8 也不是 GB18030 编码的文本",
    # registry/site_file.py, site_import.py (5G sites)
    "file {name}: send a .csv or .xlsx": "文件 {name}：请上传 .csv 或 .xlsx 文件",
    "the file is empty": "文件为空",
    "the file has a header but no rows": "文件只有表头，没有数据行",
    "not a readable CSV: {error}": "无法读取 CSV：{error}",
    "more than {limit} columns": "超过 {limit} 列",
    "the workbook unpacks to far more than it holds": "工作簿解压后体积异常，拒绝处理",
    "not a readable XLSX workbook": "无法读取 XLSX 工作簿",
    "the workbook has no visible sheet": "工作簿中没有可见的工作表",
    "more than {limit} rows; split the file": "超过 {limit} 行，请拆分文件",
    "missing column (found: {found})": "缺少必需列（文件中的列：{found}）",
    "unknown unit {unit}": "单位 {unit} 不存在",
    "{code} is registered to another unit": "{code} 已登记在其他单位名下",
    "{code} appears twice in this file (row {row})": "{code} 在本文件中重复出现（第 {row} 行）",
    "an operator token imports only its own unit's sites ({unit})": "运营商令牌只能导入本单位（{unit}）的基站",
    "a concurrent change got there first; send the file again": "数据已被同时进行的另一修改更新，请重新上传文件",
    "not a readable multipart/form-data body": "无法读取 multipart/form-data 请求体",
    "send text/csv or an XLSX workbook": "请发送 text/csv 或 XLSX 工作簿",
}
