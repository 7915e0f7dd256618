"""Field types of scenario files: each parses raw YAML data or says what is wrong."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainValidator, Strict

from incentives.outcome import Reason
from incentives.parameters import parse_date, parse_decimal, parse_money
from registry import fields
from registry.credit_code import credit_code_error

# ASCII digits only: \d would take full-width and other scripts' digits as different numbers.
_INVOICE_NUMBER = re.compile(r"^([0-9]{20}|[0-9]{10}[-_ ]?[0-9]{8}|[0-9]{12}[-_ ]?[0-9]{8})\Z")
YEAR = re.compile(r"^[0-9]{4}\Z")


def _code(raw: object) -> str:
    # YAML reads `subject: 2025` or `code: 7` as int; a code is text.
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"must be a non-empty code, got {raw!r}")
    return raw


def _invoice_number(raw: object) -> str:
    if not isinstance(raw, str):
        # An unquoted number would lose leading zeros or be read as octal.
        raise ValueError(f"must be a quoted string, got {raw!r}")
    if not _INVOICE_NUMBER.match(raw):
        raise ValueError(
            f"must be 20 digits, or a 10- or 12-digit code and an 8-digit number; got {raw!r}"
        )
    # One invoice, one number: "1234567890-12345678" and "123456789012345678" are the same.
    return re.sub(r"[-_ ]", "", raw)


def _positive_money(raw: object) -> Decimal:
    value = parse_money(raw)
    if value <= 0:
        raise ValueError(f"must be more than 0, got {value}")
    return value


def _non_negative_decimal(raw: object) -> Decimal:
    value = parse_decimal(raw)
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return value


def _credit_code(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"must be a string, got {raw!r}")
    problem = credit_code_error(raw)
    if problem:
        raise ValueError(problem)
    return raw


def none_as_empty(raw: object) -> object:
    """An absent list written as `key:` with nothing after it."""
    return [] if raw is None else raw


Code = Annotated[str, PlainValidator(_code)]
Money = Annotated[Decimal, PlainValidator(parse_money)]
PositiveMoney = Annotated[Decimal, PlainValidator(_positive_money)]
Pflops = Annotated[Decimal, PlainValidator(_non_negative_decimal)]
Day = Annotated[date, PlainValidator(parse_date)]
InvoiceNumber = Annotated[str, PlainValidator(_invoice_number)]
CreditCode = Annotated[str, PlainValidator(_credit_code)]
Text = Annotated[str, Field(min_length=1)]
# The registry's vocabularies. Scenario models are strict, and a strict enum field would take
# only enum members; a scenario file gives the words.
Status = Annotated[fields.FacilityStatus, Strict(False)]
UnitKind = Annotated[fields.UnitKind, Strict(False)]
CenterKind = Annotated[fields.CenterKind, Strict(False)]
Precision = Annotated[fields.Precision, Strict(False)]
CostCategory = Annotated[fields.CostCategory, Strict(False)]


def _reason(raw: object) -> Reason:
    if isinstance(raw, str) and raw in {r.value for r in Reason}:
        return Reason(raw)
    raise ValueError(f"unknown reason {raw!r}; known: {', '.join(Reason)}")


ReasonCode = Annotated[Reason, PlainValidator(_reason)]
