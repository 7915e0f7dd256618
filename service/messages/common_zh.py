"""Chinese of the messages every package shares: titles, HTTP, auth, roles, JSON, pydantic."""
# ruff: noqa: E501 -- a message id is kept whole on one line, so it can be found with grep.

from __future__ import annotations

from collections.abc import Mapping

# Problem titles (registry/problems.py and the HTTP reasons aiohttp gives).
TITLES: Mapping[str, str] = {
    "Invalid input": "输入有误",
    "Bad request": "请求无法读取",
    "Bad Request": "请求无法读取",
    "Bad query": "查询参数有误",
    "Not found": "未找到",
    "Not Found": "未找到",
    "Conflict": "与已存数据冲突",
    "Unauthorized": "未认证",
    "Forbidden": "无权操作",
    "Payload too large": "请求体过大",
    "Payload Too Large": "请求体过大",
    "Request Entity Too Large": "请求体过大",
    "Unsupported media type": "不支持的内容类型",
    "Unsupported Media Type": "不支持的内容类型",
    "Method Not Allowed": "不支持该请求方法",
    "Internal server error": "服务器内部错误",
    "Request timeout": "请求超时",
    "Request Timeout": "请求超时",
    "Too many objections": "异议过多",
    "Too Many Requests": "请求过于频繁",
    "Service Unavailable": "服务暂不可用",
}

# When a title is none of the above (aiohttp's reason for a rarer status), by status.
STATUS_TITLES: Mapping[int, str] = {
    400: "请求无法读取",
    401: "未认证",
    403: "无权操作",
    404: "未找到",
    405: "不支持该请求方法",
    408: "请求超时",
    409: "与已存数据冲突",
    413: "请求体过大",
    415: "不支持的内容类型",
    422: "输入有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}

COMMON: Mapping[str, str] = {
    # registry/problems.py
    "{count} error in the input; nothing was stored": "输入中有 {count} 处错误，未保存任何数据",
    "{count} errors in the input; nothing was stored": "输入中有 {count} 处错误，未保存任何数据",
    "the request body exceeds the size limit": "请求体超过大小上限",
    "the body exceeds {size}": "请求体超过 {size} 上限",
    "a valid bearer token is required": "需要有效的访问令牌（Bearer）",
    "the bearer token is unknown or revoked": "访问令牌无效或已吊销",
    "the error was logged with the request id": "错误已连同请求编号记入日志，请将请求编号告知运维人员",
    "the database connection was lost; send again": "数据库连接中断，请重新发送",
    # registry/web.py
    "send application/json": "请以 application/json 格式发送",
    "the body is empty; send JSON": "请求体为空，请发送 JSON",
    "the body is empty": "请求体为空",
    "the body is not UTF-8": "请求体不是 UTF-8 编码",
    "malformed JSON at line {line} column {column}: {reason}": (
        "JSON 格式错误（第 {line} 行第 {column} 列）：{reason}"
    ),
    "malformed JSON: nested too deeply": "JSON 格式错误：嵌套层级过深",
    "the query string failed its checks": "查询参数未通过校验",
    "at most {limit} items in one list": "一次最多提交 {limit} 项",
    "the list is empty": "列表为空",
    "must be a list": "必须是列表",
    "must be a non-empty list": "必须是非空列表",
    "must be an object": "必须是对象",
    "must be a string": "必须是字符串",
    "may not be null": "不能为 null",
    "unknown field": "未知字段",
    "required": "必填",
    # json.JSONDecodeError as str(), and its reasons
    "{reason}: line {line} column {column} (char {char})": "{reason}（第 {line} 行第 {column} 列，第 {char} 个字符）",
    "the number {value} is out of range (at most {max})": "数值 {value} 超出范围（最大 {max}）",
    "a number is out of range": "数值超出范围",
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "属性名应使用双引号",
    "Expecting ',' delimiter": "缺少逗号分隔符",
    "Expecting ':' delimiter": "缺少冒号分隔符",
    "Extra data": "存在多余内容",
    "Unterminated string starting at": "字符串未结束",
    "Invalid control character at": "含有无效的控制字符",
    "Invalid \\escape": "无效的转义字符",
    # registry/roles.py
    "role {role} may not {what}; allowed: {allowed}": "角色 {role} 无权{what}；允许的角色：{allowed}",
    "role {role} may not change {what}": "角色 {role} 无权修改{what}",
    "role {role} may not change a {what}": "角色 {role} 无权修改{what}",
    "{what} belongs to another unit; a {role} token acts only on its own unit's objects": (
        "{what} 属于其他单位；{role} 角色的令牌只能操作本单位的数据"
    ),
    "a {role} token acts only on its own unit's objects": "{role} 角色的令牌只能操作本单位的数据",
    "a token acts only on its own unit's objects": "令牌只能操作本单位的数据",
    # registry/keys.py
    "unknown role {role}; one of {allowed}": "未知角色 {role}，应为以下之一：{allowed}",
    "unknown unit {unit}": "单位 {unit} 不存在",
    "no {kind} with code {code}": "不存在编码为 {code} 的{kind}",
    "no unit with code {code}": "不存在编码为 {code} 的单位",
    # workbench
    "offset must be a whole number": "offset 必须是整数",
    "no such registry list: {name}": "没有名为 {name} 的登记列表",
    "the form is too large": "表单内容过大",
    "choose upheld or dismissed": "请选择成立或驳回",
    "not a day (YYYY-MM-DD): {raw}": "{raw} 不是日期（应为 YYYY-MM-DD）",
    "unknown invoice status {raw}": "未知的发票状态 {raw}",
    "unknown policy {name}": "未知政策 {name}",
    "year must be between {first} and {last}": "年度必须在 {first} 到 {last} 之间",
    # service/settings.py (the CLI says these)
    "no such policy file: {name}": "政策文件 {name} 不存在",
    "not a database URL: {value}": "不是有效的数据库地址：{value}",
    "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB, not {driver}": (
        "请使用 sqlite+aiosqlite:///路径 或 postgresql+asyncpg://用户@主机/库名，而不是 {driver}"
    ),
    "not a list of CIDRs: {error}": "不是有效的 CIDR 列表：{error}",
}

# Pydantic's own English, for the places that pass its text on without its error type.
PYDANTIC_TEXT: Mapping[str, str] = {
    "Field required": "必填字段",
    "Extra inputs are not permitted": "不允许的字段",
    "Input should be a valid integer": "应为整数",
    "Input should be a valid integer, unable to parse string as an integer": "应为整数，无法解析该字符串",
    "Input should be a valid integer, got a number with a fractional part": "应为整数，不能带小数",
    "Input should be a valid number": "应为数字",
    "Input should be a valid number, unable to parse string as a number": "应为数字，无法解析该字符串",
    "Input should be a finite number": "应为有限数值",
    "Input should be a valid decimal": "应为十进制数",
    "Decimal input should be an integer, float, string or Decimal object": "应为数字或数字字符串",
    "Input should be a valid string": "应为字符串",
    "Input should be a valid boolean": "应为布尔值（true 或 false）",
    "Input should be a valid boolean, unable to interpret input": "应为布尔值（true 或 false），无法识别",
    "Input should be a valid list": "应为列表",
    "Input should be a valid dictionary": "应为对象",
    "Input should be a valid dictionary or instance of {model}": "应为对象（{model}）",
    "Input should be a valid date": "应为日期",
    "Input should be a valid datetime": "应为日期时间",
    "Input should be a valid array": "应为数组",
    "Input should be a valid UUID": "应为 UUID",
    "Input should be a valid URL": "应为网址",
    "Input should be a valid URL, {reason}": "应为有效网址：{reason}",
    "Input should be a valid date or datetime, {reason}": "应为有效日期：{reason}",
    "Input should be a valid datetime, {reason}": "应为有效日期时间：{reason}",
    "Input should be a valid date in the format YYYY-MM-DD, {reason}": "应为 YYYY-MM-DD 格式的日期：{reason}",
    "Input should be '{choices}": "应为 '{choices}",
    "Input should be a valid datetime or date, {reason}": "应为日期时间或日期：{reason}",
    "Input should be a valid time, {reason}": "应为有效时间：{reason}",
    "Input should have timezone info": "时间须带时区",
    "Input should not have timezone info": "时间不应带时区",
    "Input should be greater than {limit}": "应大于 {limit}",
    "Input should be greater than or equal to {limit}": "应大于或等于 {limit}",
    "Input should be less than {limit}": "应小于 {limit}",
    "Input should be less than or equal to {limit}": "应小于或等于 {limit}",
    "String should have at least {count} character": "至少应有 {count} 个字符",
    "String should have at least {count} characters": "至少应有 {count} 个字符",
    "String should have at most {count} character": "最多 {count} 个字符",
    "String should have at most {count} characters": "最多 {count} 个字符",
    "String should match pattern {pattern}": "格式不符合要求（{pattern}）",
    "List should have at least {count} item after validation, not {actual}": (
        "至少应有 {count} 项，实际 {actual} 项"
    ),
    "List should have at least {count} items after validation, not {actual}": (
        "至少应有 {count} 项，实际 {actual} 项"
    ),
    "List should have at most {count} item after validation, not {actual}": (
        "最多 {count} 项，实际 {actual} 项"
    ),
    "List should have at most {count} items after validation, not {actual}": (
        "最多 {count} 项，实际 {actual} 项"
    ),
    "Decimal input should have no more than {count} decimal place": "最多保留 {count} 位小数",
    "Decimal input should have no more than {count} decimal places": "最多保留 {count} 位小数",
    "Decimal input should have no more than {count} digit in total": "总位数不能超过 {count} 位",
    "Decimal input should have no more than {count} digits in total": "总位数不能超过 {count} 位",
    "Decimal input should have no more than {count} digit before the decimal point": (
        "整数部分不能超过 {count} 位"
    ),
    "Decimal input should have no more than {count} digits before the decimal point": (
        "整数部分不能超过 {count} 位"
    ),
    "Invalid JSON: {reason}": "JSON 格式错误：{reason}",
    "Input is a frozen instance": "该字段不可修改",
    "Field is frozen": "该字段不可修改",
    "Unable to extract tag using discriminator {tag}": "缺少区分类型的字段 {tag}",
    "Input tag {tag} found using {discriminator} does not match any of the expected tags: {expected}": (
        "{discriminator} 的值 {tag} 不在允许范围内：{expected}"
    ),
    "Assertion failed, {reason}": "校验失败：{reason}",
}

# The reasons pydantic's date, time and URL parsers give (the {reason} of the texts above).
PYDANTIC_REASONS: Mapping[str, str] = {
    "input is too short": "输入过短",
    "input is too long": "输入过长",
    "invalid character in year": "年份中有无效字符",
    "invalid character in month": "月份中有无效字符",
    "invalid character in day": "日期中有无效字符",
    "invalid character in hour": "小时中有无效字符",
    "invalid date separator, expected `-`": "日期分隔符无效，应为 -",
    "invalid datetime separator, expected `T`, `t`, `_` or space": "日期与时间之间的分隔符无效，应为 T 或空格",
    "month value is outside expected range of 1-12": "月份应在 1 到 12 之间",
    "day value is outside expected range": "日期超出该月的天数",
    "unexpected extra characters at the end of the input": "末尾有多余字符",
    "invalid timezone sign": "时区符号无效",
    "relative URL without a base": "缺少协议和主机的相对网址",
    "empty host": "主机名为空",
    "invalid port number": "端口号无效",
    "invalid international domain name": "国际化域名无效",
    "invalid IPv4 address": "IPv4 地址无效",
    "invalid IPv6 address": "IPv6 地址无效",
    "expected value at line {line} column {column}": "第 {line} 行第 {column} 列应为一个值",
    "EOF while parsing a value at line {line} column {column}": "第 {line} 行第 {column} 列处内容意外结束",
    "trailing characters at line {line} column {column}": "第 {line} 行第 {column} 列之后有多余字符",
    "key must be a string at line {line} column {column}": "第 {line} 行第 {column} 列的键必须是字符串",
}

# The nouns and verb phrases messages name ({kind}, {what}, {label}).
NOUNS: Mapping[str, str] = {
    "unit": "单位",
    "units": "单位",
    "computing centre": "算力中心",
    "computing centres": "算力中心",
    "centre": "算力中心",
    "identifier node": "标识解析二级节点",
    "identifier nodes": "标识解析二级节点",
    "5G site": "5G 基站",
    "5G sites": "5G 基站",
    "key-provider listing": "重点算力服务商名录",
    "key-provider listings": "重点算力服务商名录",
    "API key": "API 密钥",
    "review": "待审核申报",
    "statement": "奖补核算单",
    "objection": "异议",
    "award": "奖补",
    "invoice": "发票",
    "row": "行",
    "line": "条目",
    "facts of statement": "核算依据",
    "the shared-strings table": "共享字符串表",
    "the header line": "表头行",
    "a line": "某一行",
    "the workbook": "工作簿",
    "index": "第几项",
    "import 5G sites": "导入 5G 基站",
    "push telemetry": "推送遥测数据",
    "read telemetry": "读取遥测数据",
    "upload invoices": "上传发票",
    "list invoices": "查看发票",
    "report sales": "报送销售记录",
    "run statements": "发起奖补核算",
    "read a statement's facts": "查看核算依据",
    "read what changed since the last statement": "查看自上次核算以来的变化",
    "resolve objections": "处理异议",
    "see the reconciliation": "查看对账结果",
    "record support from other policies": "登记其他政策支持",
    "delete support from other policies": "删除其他政策支持",
    "submit statements": "提交核算单",
    "approve statements": "批准核算单",
    "reject statements": "退回核算单",
    "publish statements": "公示核算单",
    "finalise statements": "确认核算单",
    "disburse statements": "登记拨付",
    "create keys": "签发密钥",
    "manage API keys": "管理 API 密钥",
    "review declarations": "审核申报",
    "read the audit log": "查看审计日志",
}

# The CLI's own lines, and the frames it puts around a message.
CLI: Mapping[str, str] = {
    "{path}: no such file": "{path}：文件不存在",
    "error: {detail}": "错误：{detail}",
    "invalid settings:": "配置有误：",
    "INCENTIVES_{setting}: {message}": "INCENTIVES_{setting}：{message}",
    "INCENTIVES_{setting}: Value error, {message}": "INCENTIVES_{setting}：{message}",
    "{path}: {detail}": "{path}：{detail}",
    "row {row}: {field}: {message}": "第 {row} 行，{field}：{message}",
    "{field}: {message}": "{field}：{message}",
    "row {row}, column {field}: {message}": "第 {row} 行，{field} 列：{message}",
    "row {row}, index {index}, column {field}: {message}": "第 {row} 行第 {index} 项，{field} 列：{message}",
    "index {index}, column {field}: {message}": "第 {index} 项，{field} 列：{message}",
    "column {field}: {message}": "{field} 列：{message}",
    "row {row}, {number}: skipped: {message}": "第 {row} 行，{number}：已跳过：{message}",
    "row {row}, {number}: warning: {message}": "第 {row} 行，{number}：提示：{message}",
    "created key {key} for unit {unit} with role {role}": "已为单位 {unit} 签发角色为 {role} 的密钥 {key}",
    "created key {key} for unit {unit} with role {role} held by {holder}": (
        "已为单位 {unit} 签发角色为 {role} 的密钥 {key}，持有人：{holder}"
    ),
    "the token is shown only now; keep it safe:": "令牌仅显示这一次，请妥善保管：",
    "revoked key {key}": "已吊销密钥 {key}",
    "database upgraded: {url}": "数据库已升级：{url}",
    "database downgraded: {url}": "数据库已降级：{url}",
    "imported {total} objects from {path}: {details}": "已从 {path} 导入 {total} 条记录：{details}",
    "imported {path}: {rows} sites: {created} created, {updated} updated, unchanged: {unchanged}": (
        "已导入 {path}：共 {rows} 个基站，新增 {created} 个，更新 {updated} 个，未变 {unchanged} 个"
    ),
    "{path}: {rows} rows, {stored} stored, {unchanged} already stored, {claimed} claimed first by another buyer": (
        "{path}：共 {rows} 行，保存 {stored} 行，{unchanged} 行此前已保存，{claimed} 行已被其他购买方先行申报"
    ),
}
