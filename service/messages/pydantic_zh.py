"""Chinese of pydantic's own errors, by error type, filled from the error's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BY_TYPE: Mapping[str, str] = {
    "missing": "必填字段",
    "extra_forbidden": "不允许的字段",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数值",
    "decimal_type": "应为数字或数字字符串",
    "decimal_parsing": "应为数字",
    "decimal_max_places": "最多保留 {decimal_places} 位小数",
    "decimal_max_digits": "总位数不能超过 {max_digits} 位",
    "decimal_whole_digits": "整数部分不能超过 {whole_digits} 位",
    "string_type": "应为字符串",
    "string_too_short": "至少应有 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "string_unicode": "应为有效的 Unicode 字符串",
    "bool_type": "应为布尔值（true 或 false）",
    "bool_parsing": "应为布尔值（true 或 false）",
    "literal_error": "应为 {expected}",
    "enum": "应为 {expected}",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "too_short": "至少应有 {min_length} 项，实际 {actual_length} 项",
    "too_long": "最多 {max_length} 项，实际 {actual_length} 项",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "date_type": "应为 YYYY-MM-DD 格式的日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为 RFC 3339 格式的日期时间",
    "datetime_from_date_parsing": "应为 RFC 3339 格式的日期时间",
    "timezone_aware": "时间须带时区",
    "url_type": "应为网址",
    "url_parsing": "应为有效网址",
    "url_scheme": "网址协议应为 {expected_schemes}",
    "url_too_long": "网址最多 {max_length} 个字符",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON 字符串",
    "union_tag_invalid": "{discriminator} 的值 {tag} 不在允许范围内：{expected_tags}",
    "union_tag_not_found": "缺少区分类型的字段 {discriminator}",
    "frozen_field": "该字段不可修改",
    "frozen_instance": "该字段不可修改",
    "is_instance_of": "类型不正确",
    "none_required": "应为 null",
    "bytes_type": "应为字节串",
}


def _shown(value: Any) -> str:
    # pydantic joins alternatives with "or": "'a', 'b' or 'c'".
    return str(value).replace(" or ", " 或 ")


def by_type(code: str, params: Mapping[str, Any] | None) -> str | None:
    """pydantic's error type in Chinese, its context filled in; None when unknown."""
    template = BY_TYPE.get(code)
    if template is None:
        return None
    try:
        return template.format(**{k: _shown(v) for k, v in (params or {}).items()})
    except (KeyError, IndexError):
        return None
