"""Chinese of collectors/'s messages: invoices, sales reports, telemetry, pushes, exporters."""
# ruff: noqa: E501 -- a message id is kept whole on one line, so it can be found with grep.

from __future__ import annotations

from collections.abc import Mapping

INVOICES: Mapping[str, str] = {
    # collectors/invoices/upload.py
    "file {name}: name a .csv, .xlsx or .json file": "文件 {name}：请上传 .csv、.xlsx 或 .json 文件",
    "{path}: name a .csv, .xlsx or .json file": "{path}：请使用 .csv、.xlsx 或 .json 文件",
    "send text/csv, {xlsx}, application/json or multipart/form-data with a file": (
        "请发送 text/csv、{xlsx}、application/json，或带文件的 multipart/form-data"
    ),
    "the form has no `file` field": "表单中没有 file 字段",
    "the form's file is empty": "表单中的文件为空",
    "not a readable multipart form: {error}": "无法读取 multipart 表单：{error}",
    "the upload arrived too slowly: after {grace} s it must average at least {rate} bytes a second; send it again": (
        "上传速度过慢：{grace} 秒后平均速度须不低于每秒 {rate} 字节，请重新上传"
    ),
    # collectors/invoices/parsing.py, tables.py
    "not a readable CSV file: {error}": "无法读取 CSV 文件：{error}",
    "not a readable XLSX workbook: {error}": "无法读取 XLSX 工作簿：{error}",
    "not readable JSON: {error}": "无法读取 JSON：{error}",
    "the CSV breaks near row {row}: {error}": "CSV 在第 {row} 行附近格式损坏：{error}",
    "the workbook breaks near row {row}: {error}": "工作簿在第 {row} 行附近损坏：{error}",
    'send {{"invoices": [...]}}': '请发送 {{"invoices": [...]}}',
    'send {{"reports": [...]}}': '请发送 {{"reports": [...]}}',
    "at most {limit} items": "最多 {limit} 项",
    "at most {limit} reports in one batch": "每批最多 {limit} 条销售记录",
    "give it as a string: a number loses leading zeros": "请写成字符串：写成数字会丢失开头的 0",
    "says the same as column {other}; keep one of them": "与 {other} 列含义相同，请只保留其中一列",
    "the file is empty: the first line names the columns": "文件为空：第一行应为列名",
    "the header has {count} columns; at most {limit} are read": "表头有 {count} 列，最多读取 {limit} 列",
    "sheet {title} is empty: its first row names the columns": "工作表 {title} 为空：第一行应为列名",
    "the workbook has no visible worksheet": "工作簿中没有可见的工作表",
    "{what} unpacks to {size} bytes; the limit is {limit} bytes": "{what} 解压后为 {size} 字节，上限为 {limit} 字节",
    "the sheet has more than {limit} rows": "工作表超过 {limit} 行",
    "the sheet has more than {limit} cells": "工作表超过 {limit} 个单元格",
    "row {row} has a value beyond column {limit}, the limit": "第 {row} 行在第 {limit} 列（上限）之后仍有内容",
    "a line near line {line} is longer than {limit} bytes": "第 {line} 行附近有一行超过 {limit} 字节",
    "the header line near line {line} is longer than {limit} bytes": "表头行（第 {line} 行）超过 {limit} 字节",
    "more than {limit} rows": "超过 {limit} 行",
    "the file was refused: {message}": "文件被拒收：{message}",
    "the file needs more memory than the service can give one upload; split it": (
        "文件所需内存超过单次上传的上限，请拆分后上传"
    ),
    "{count} errors in the input; the first {listed} are listed; nothing was stored": (
        "输入中有 {count} 处错误，以下列出前 {listed} 处，未保存任何数据"
    ),
    # collectors/invoices/store.py
    "required column is missing": "缺少必需列",
    "required column is missing (the file has: {found})": "缺少必需列（文件中的列：{found}）",
    "required column is missing: 数电发票号码, or 发票代码 and 发票号码": (
        "缺少必需列：数电发票号码，或发票代码与发票号码"
    ),
    "required column is missing: 数电发票号码, or 发票代码 and 发票号码 (the file has: {found})": (
        "缺少必需列：数电发票号码，或发票代码与发票号码（文件中的列：{found}）"
    ),
    "{detail}; or name the buyer (?buyer=UNIT, or --buyer on the command line)": (
        "{detail}；或指明购买方（?buyer=单位编码，命令行用 --buyer）"
    ),
    "appears twice in this upload (first at row {row})": "在本次上传中重复出现（首次出现在第 {row} 行）",
    "appears twice in this upload (first at index {index})": "在本次上传中重复出现（首次出现在第 {index} 项）",
    "another upload stored some of these invoices at the same moment; send the file again": (
        "另一次上传同时保存了其中部分发票，请重新上传文件"
    ),
    "already uploaded with other values: stored {shown}": "已上传过且内容不同：已存为 {shown}",
    # collectors/invoices/validation.py
    "the spreadsheet holds it as a number, which keeps only 15 significant digits; format the column as text and export again": (
        "表格将其存为数字，只保留 15 位有效数字；请将该列设为文本格式后重新导出"
    ),
    "{value} is not an invoice number: a digital invoice (数电票) has 20 digits; an older VAT invoice has an 8-digit number and its code in {code_column}": (
        "{value} 不是有效的发票号码：数电票号码为 20 位数字；旧版增值税发票号码为 8 位，发票代码填在 {code_column}"
    ),
    "{value} is not an invoice code: it has 10 or 12 digits": "{value} 不是有效的发票代码：发票代码为 10 位或 12 位数字",
    "{value}: with an invoice code the number has 8 digits": "{value}：有发票代码时，发票号码应为 8 位数字",
    "{value} is not a date: write YYYY-MM-DD (2025/03/01 and 2025年3月1日 also do)": (
        "{value} 不是日期：请写成 YYYY-MM-DD（也可写 2025/03/01 或 2025年3月1日）"
    ),
    "{value}: no such day": "{value}：日期不存在",
    "{value} is after today ({today})": "{value} 晚于今天（{today}）",
    "amounts are positive in the file; a reversal is a red-letter invoice (红字) with a positive amount": (
        "文件中的金额应为正数；冲销请以红字发票填写正数金额"
    ),
    "{value}: at most two decimals (whole fen)": "{value}：最多两位小数（精确到分）",
    "{value} is not an amount in yuan": "{value} 不是以元为单位的金额",
    "{value}: write 蓝字 or 红字 (blue or red); empty is 蓝字": "{value}：请填写 蓝字 或 红字，留空视为蓝字",
    "only a red-letter invoice (红字) reverses another": "只有红字发票才能冲销其他发票",
    "a red-letter invoice cannot reverse itself": "红字发票不能冲销自身",
    "required for a red-letter invoice (红字): the number of the invoice it reverses": (
        "红字发票必须填写：被冲销发票的号码"
    ),
    "{value} is not an invoice number (20 digits, or code and 8-digit number)": (
        "{value} 不是有效的发票号码（应为 20 位数字，或发票代码加 8 位号码）"
    ),
    "{value} is not a credit code (统一社会信用代码): {error}": "{value} 不是有效的统一社会信用代码：{error}",
    "no unit with credit code {code} is registered": "没有登记统一社会信用代码为 {code} 的单位",
    "{value}: digits 1-2 of a digital invoice number are its year, which does not match {label} {date}": (
        "{value}：数电票号码前两位为开票年份，与{label} {date} 不符"
    ),
    "digits 1-2 of a digital invoice number are its year, unlike issued_on": "数电票号码前两位为开票年份，与 issued_on 不符",
    "must be the credit code of unit {unit} (--buyer)": "必须是单位 {unit} 的统一社会信用代码（--buyer）",
    # collectors/invoices/platform.py (税务数字账户 exports)
    "required: 数电发票号码, or 发票代码 and 发票号码": "必填：数电发票号码，或发票代码与发票号码",
    "{value}: write 是 or 否": "{value}：请填写 是 或 否",
    "{value} differs from row {row} of the same invoice ({other} there)": (
        "{value} 与同一发票第 {row} 行不一致（该行为 {other}）"
    ),
    "是否正数发票 is {value} but the rows of this invoice sum to a {sign} total": (
        "是否正数发票为 {value}，但该发票各行合计为{sign}"
    ),
    "negative (a red-letter invoice?)": "负数（是否为红字发票？）",
    "positive (a blue invoice?)": "正数（是否为蓝字发票？）",
    "the rows of this invoice sum to 0.00": "该发票各行合计为 0.00",
    "{state}: a voided invoice never counts": "{state}：已作废的发票不计入",
    "a red-letter invoice whose 备注 names no original: stored without it, it shows as reversal_without_original": (
        "红字发票的备注中没有写明原发票：已保存，但标记为未找到原发票的冲销（reversal_without_original）"
    ),
    "{state}: the red-letter invoice that reverses it is not in this file; it counts in full until that invoice is uploaded": (
        "{state}：冲销它的红字发票不在本文件中；在上传该红字发票前按全额计入"
    ),
    # collectors/invoices/schemas.py
    "a digital invoice number has 20 digits and no code; an older VAT invoice has a code and an 8-digit number": (
        "数电票号码为 20 位数字且无发票代码；旧版增值税发票有发票代码和 8 位号码"
    ),
    "at most three decimals": "最多三位小数",
    "must be more than 0.00": "必须大于 0.00",
    "must be a number from 0 to below 1e15": "必须是 0 到 1e15 之间的数",
    "give hours as a decimal string or an integer, not a float": "小时数请写成数字字符串或整数，不能用浮点数",
    "not a number of hours: {value}": "{value} 不是有效的小时数",
    "{value}: give hours from 0 to below 1e15, at most three decimals": "{value}：小时数应在 0 到 1e15 之间，最多三位小数",
    # collectors/invoices/api.py
    "a buyer token uploads only its own unit's invoices": "购买方令牌只能上传本单位的发票",
    "a buyer token sees only its own unit's invoices": "购买方令牌只能查看本单位的发票",
    "a status filter needs a buyer": "按状态筛选时须同时指定购买方",
    "required with status": "指定 status 时必填",
    # collectors/invoices/sales_reports.py, sales_files.py
    "must be your unit's credit code {code}: a provider reports its own sales": (
        "必须是本单位的统一社会信用代码 {code}：服务商只能报送本单位的销售记录"
    ),
    "required when an official reports": "主管部门报送时必填",
    "appears twice in this batch (first at index {index})": "在本批次中重复出现（首次出现在第 {index} 项）",
    "already reported with other values: stored {shown}": "已报送过且内容不同：已存为 {shown}",
    "another request stored some of these reports; send them again": "另一请求同时保存了其中部分销售记录，请重新提交",
    "no reports: the file has a header row only": "没有销售记录：文件只有表头",
}

TELEMETRY: Mapping[str, str] = {
    # collectors/telemetry/batch.py, facilities.py, samples.py, api.py
    "{name} is not JSON; send finite numbers": "{name} 不是合法的 JSON 数值，请发送有限数值",
    "unknown centre {code}": "算力中心 {code} 不存在",
    "{value} is out of range: at most ±{max}": "{value} 超出范围：绝对值不能超过 {max}",
    "must be between {low} and {high}": "必须在 {low} 到 {high} 之间",
    "the centre changed while the push arrived; push again": "推送期间算力中心信息已变更，请重新推送",
    # collectors/telemetry/pushgateway.py
    "send the text exposition format (text/plain; 0.0.4)": "请发送文本暴露格式（text/plain; 0.0.4）",
    "push the text exposition format (text/plain; version=0.0.4)": "请推送文本暴露格式（text/plain; version=0.0.4）",
    "the protobuf format is not accepted; {message}": "不接受 protobuf 格式；{message}",
    "{media} is not accepted; {message}": "不接受 {media}；{message}",
    "the grouping key needs a value for every label name": "分组键中的每个标签名都必须有值",
    "the path is not UTF-8": "路径不是 UTF-8 编码",
    "the value of {name} is not valid base64url": "{name} 的值不是合法的 base64url",
    "invalid label name {name} in the grouping key": "分组键中的标签名 {name} 不合法",
    "label {name} appears twice in the grouping key": "标签 {name} 在分组键中重复出现",
    "the job name must not be empty": "job 名称不能为空",
    "the job name has at most {limit} characters": "job 名称最多 {limit} 个字符",
    "the grouping key must name the centre: …/facility/<CODE>": "分组键必须指明算力中心：…/facility/<编码>",
    "the job and the centre's code must not contain NUL": "job 名称和算力中心编码不能包含 NUL 字符",
    "the grouping labels besides job and facility take {size} bytes as JSON; at most {limit}": (
        "除 job 和 facility 外的分组标签按 JSON 计为 {size} 字节，上限为 {limit}"
    ),
    "line {line}: the text is not UTF-8": "第 {line} 行：文本不是 UTF-8 编码",
    "text format parsing error in {where}": "文本格式解析错误：{where}",
    "text format parsing error in line {line}: {problem}": "文本格式解析错误，第 {line} 行：{problem}",
    # collectors/telemetry/exposition.py (the {problem} above)
    "a backslash ends the text": "文本以反斜杠结尾",
    "invalid escape sequence {text}": "转义序列 {text} 不合法",
    "invalid metric name in {text}": "{text} 中的指标名不合法",
    "unexpected {text} after the metric name {name}": "指标名 {name} 之后出现意外的 {text}",
    "malformed label set of {name} at {where}": "标签集 {name} 格式错误（位于 {where}）",
    "label names have at most {limit} characters": "标签名最多 {limit} 个字符",
    "the value of label {name} is longer than {limit} characters": "标签 {name} 的值超过 {limit} 个字符",
    "label name '__name__' is reserved": "标签名 __name__ 为保留名称",
    "label {name} appears twice": "标签 {name} 重复出现",
    "expected ',' or '}}' in the labels of {name}": "{name} 的标签中此处应为 ',' 或 '}}'",
    "invalid value {value}": "数值 {value} 不合法",
    "value {value} is out of range: at most ±{max}": "数值 {value} 超出范围：绝对值不能超过 {max}",
    "invalid timestamp {value}": "时间戳 {value} 不合法",
    "timestamp {value} is out of range (milliseconds since 1970, years 1 to 9999)": (
        "时间戳 {value} 超出范围（应为自 1970 年起的毫秒数，年份 1 至 9999）"
    ),
    "more than {limit} metric families": "指标族超过 {limit} 个",
    "{keyword} without a metric name": "{keyword} 行缺少指标名",
    "invalid metric name {name} in {keyword}": "{keyword} 行中的指标名 {name} 不合法",
    "second HELP line for {name}": "{name} 的 HELP 行重复",
    "unknown type {kind} for {name}": "{name} 的类型 {kind} 未知",
    "second TYPE line for {name}, or TYPE after samples": "{name} 的 TYPE 行重复，或 TYPE 行出现在样本之后",
    "a sample line is longer than {limit} characters": "样本行超过 {limit} 个字符",
    "more than {limit} samples in one push": "一次推送的样本超过 {limit} 个",
    "no value for {name}": "{name} 没有数值",
    "unexpected text after the timestamp: {text}": "时间戳之后有多余内容：{text}",
    "histogram bucket {name} without an 'le' label": "直方图桶 {name} 缺少 le 标签",
    "summary {name} without a 'quantile' label": "摘要 {name} 缺少 quantile 标签",
    "a second sample of the same series {name}": "同一序列 {name} 出现了第二个样本",
    "more than {limit} lines": "超过 {limit} 行",
    "line {line}: metric names have at most {limit} chars": "第 {line} 行：指标名最多 {limit} 个字符",
    "line {line}: the timestamp {value} is out of range": "第 {line} 行：时间戳 {value} 超出范围",
    "line {line}: {problem}": "第 {line} 行：{problem}",
    # collectors/scraping
    "not a URL": "不是网址",
    "give an http:// or https:// URL": "请填写 http:// 或 https:// 开头的网址",
    "the URL has no host": "网址中没有主机名",
    "credentials in the URL would be stored in clear; leave them out": "网址中的账号密码会被明文保存，请删去",
    "write the IPv4 address {host} as {spelled}": "请将 IPv4 地址 {host} 写成 {spelled}",
    "centre {code} has no exporter target {id}": "算力中心 {code} 没有编号为 {id} 的采集目标",
    "conflicts with a registered target": "与已登记的采集目标冲突",
    "{url} is already a target of this centre": "{url} 已是该算力中心的采集目标",
    "computing centre {code} has no attestation yet": "算力中心 {code} 尚无核验结果",
}
