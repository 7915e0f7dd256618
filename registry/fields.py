"""Field types of the scenario vocabulary, validated the same way in the API and in imports."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import core_schema

from registry.credit_code import credit_code_error
from registry.digits import ascii_only
from registry.money import FEN, parse_yuan


class UnitKind(StrEnum):
    """What a unit is."""

    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    ENTERPRISE = "enterprise"
    COMPUTE_PROVIDER = "compute_provider"
    TELECOM_OPERATOR = "telecom_operator"
    GOVERNMENT = "government"


class CenterKind(StrEnum):
    """What a computing centre is."""

    INTELLIGENT = "intelligent"
    SUPERCOMPUTING = "supercomputing"
    GENERAL = "general"
    EDGE = "edge"


class FacilityStatus(StrEnum):
    """Where a facility is in its life."""

    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATIONAL = "operational"
    DECOMMISSIONED = "decommissioned"


class Precision(StrEnum):
    """Floating-point precision a capacity is stated in."""

    FP16 = "FP16"
    FP32 = "FP32"
    FP64 = "FP64"


class CostCategory(StrEnum):
    """Categories of construction cost."""

    EQUIPMENT = "equipment"
    SOFTWARE = "software"
    CIVIL_WORKS = "civil_works"
    OTHER = "other"


DIVISIONS = (
    "哈尔滨市", "齐齐哈尔市", "牡丹江市", "佳木斯市", "大庆市", "鸡西市", "双鸭山市",
    "伊春市", "七台河市", "鹤岗市", "黑河市", "绥化市", "大兴安岭地区",
)  # fmt: skip


def _credit_code(value: str) -> str:
    error = credit_code_error(value)
    if error:
        raise ValueError(error)
    return value


def _ascii_code(value: Any) -> Any:
    # Full-width letters and digits fold to ASCII; anything else outside ASCII is refused.
    return ascii_only(value) if isinstance(value, str) else value


def _division(value: str) -> str:
    if value not in DIVISIONS:
        raise ValueError(f"not one of Heilongjiang's 13 divisions: {value!r}")
    return value


MAX_YUAN = Decimal("9999999999999.99")


def _yuan(value: Any) -> Decimal:
    amount = parse_yuan(value)
    if amount < 0:
        raise ValueError("must not be negative")
    if amount > MAX_YUAN:
        raise ValueError("must be below ten trillion yuan")
    return amount


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 (a space for the T, as its note allows); at most microseconds, which Python keeps.
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
TIME_EXAMPLE = "give a time as RFC 3339, e.g. 2025-03-01T08:00:00+08:00"


def parse_iso_date(value: Any) -> dt.date:
    """A date from YYYY-MM-DD in ASCII digits (or a date object), else ValueError."""
    # Only ISO dates: pydantic would otherwise read 0 as 1970-01-01.
    if isinstance(value, dt.datetime):
        raise ValueError("give a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError("give a date as YYYY-MM-DD")
    text = ascii_only(value)
    if ISO_DATE.fullmatch(text) is None:
        raise ValueError("give a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a calendar date: {value!r}") from None


def parse_instant(value: Any) -> dt.datetime:
    """An aware time from an RFC 3339 string with an offset (or an aware datetime)."""
    # A bare number (Unix time) or a string of one is not a time here.
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = ascii_only(value)
        if RFC3339.fullmatch(text) is None:
            if RFC3339.fullmatch(text + "Z"):
                raise ValueError("the time needs an offset (Z or +08:00)")
            raise ValueError(TIME_EXAMPLE)
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise ValueError(f"not a calendar time: {value!r}") from None
    else:
        raise ValueError(TIME_EXAMPLE)
    if moment.tzinfo is None:
        raise ValueError("the time needs an offset (Z or +08:00)")
    return moment


DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _decimal_in(low: Decimal, high: Decimal, places: int) -> Any:
    def check(value: Any) -> Decimal:
        if isinstance(value, bool | float):
            raise ValueError("give a decimal string or number")
        if isinstance(value, Decimal) and not (value.is_finite() and abs(value.adjusted()) < 40):
            raise ValueError(f"must be between {low} and {high}")
        if isinstance(value, int | Decimal):
            value = format(value, "f") if isinstance(value, Decimal) else str(value)
        if not isinstance(value, str):
            raise ValueError(f"not a number: {value!r}")
        text = ascii_only(value)
        if DECIMAL_TEXT.fullmatch(text) is None or len(text) > 40:
            raise ValueError(f"not a number: {value!r}")
        number = Decimal(text)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        if number != round(number, places):
            raise ValueError(f"at most {places} decimals")
        return number

    return check


@dataclass(frozen=True)
class DecimalRange:
    """A decimal in [low, high] with at most `places` decimals, given as string or number."""

    low: str
    high: str
    places: int

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        check = _decimal_in(Decimal(self.low), Decimal(self.high), self.places)
        return core_schema.no_info_before_validator_function(
            check,
            core_schema.decimal_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda d: format(d, "f"), when_used="json"
            ),
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        if handler.mode == "serialization":
            return {"type": "string"}
        digits = len(str(int(Decimal(self.high))))
        pattern = rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,{self.places}}})?$"
        number = {"type": "number", "minimum": float(self.low), "maximum": float(self.high)}
        return {"anyOf": [{"type": "string", "pattern": pattern}, number]}


MONEY_PATTERN = r"^[0-9]+\.[0-9]{2}$"
CODE_MAX_LENGTH = 64  # the code columns' String(64)
Code = Annotated[
    str,
    Field(min_length=1, max_length=CODE_MAX_LENGTH, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
    BeforeValidator(_ascii_code),
]
CreditCode = Annotated[
    str,
    Field(min_length=18, max_length=18, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
    BeforeValidator(_ascii_code),
    AfterValidator(_credit_code),
]
Division = Annotated[str, AfterValidator(_division), WithJsonSchema({"enum": list(DIVISIONS)})]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Yuan = Annotated[
    Decimal,
    BeforeValidator(_yuan),
    PlainSerializer(lambda d: str(d.quantize(FEN)), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{1,13}(\.[0-9]{1,2})?$"},
                {"type": "integer", "minimum": 0, "maximum": 9999999999999},
            ],
            "description": "yuan with at most two decimals",
        },
        mode="validation",
    ),
    WithJsonSchema(
        {"type": "string", "pattern": MONEY_PATTERN, "description": "yuan, two decimals"},
        mode="serialization",
    ),
]
PFlops = Annotated[Decimal, DecimalRange("0", "1000000000", 6)]
Day = Annotated[
    dt.date, BeforeValidator(parse_iso_date), WithJsonSchema({"type": "string", "format": "date"})
]
Instant = Annotated[
    dt.datetime,
    BeforeValidator(parse_instant),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Flag = Annotated[bool, Field(strict=True)]
