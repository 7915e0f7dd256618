"""Field types of the scenario vocabulary, validated the same way in the API and in imports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from registry.credit_code import credit_code_error
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


def _division(value: str) -> str:
    if value not in DIVISIONS:
        raise ValueError(f"not one of Heilongjiang's 13 divisions: {value!r}")
    return value


def _yuan(value: Any) -> Decimal:
    amount = parse_yuan(value)
    if amount < 0:
        raise ValueError("must not be negative")
    return amount


def _pflops(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("give PFLOPS as a decimal string or number")
    try:
        amount = Decimal(str(value))
    except Exception:
        raise ValueError(f"not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e9"):
        raise ValueError("must be a finite number between 0 and 1e9")
    return amount


MONEY_PATTERN = r"^\d+\.\d{2}$"
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
CreditCode = Annotated[
    str,
    Field(min_length=18, max_length=18, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
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
                {"type": "string", "pattern": r"^\d{1,13}(\.\d{1,2})?$"},
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
PFlops = Annotated[
    Decimal,
    BeforeValidator(_pflops),
    PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{1,9}(\.\d{1,6})?$"},
                {"type": "integer", "minimum": 0, "maximum": 1000000000},
            ]
        },
        mode="validation",
    ),
    WithJsonSchema({"type": "string"}, mode="serialization"),
]
Day = Annotated[dt.date, WithJsonSchema({"type": "string", "format": "date"})]
