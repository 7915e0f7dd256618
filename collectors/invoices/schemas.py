"""Input and output models of the invoice, sales-report and reconciliation API."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from collectors.invoices.judge import InvoiceStatus
from collectors.invoices.numbers import (
    CODE_PATTERN,
    FULL_NUMBER_PATTERN,
    REVERSES_PATTERN,
    ascii_number,
)
from registry.digits import ascii_only
from registry.fields import Code, CreditCode, Day, Yuan
from service.kit.paging import PageQuery
from service.kit.web import Strict


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise ValueError("must be more than 0.00")
    return amount


HOURS_TEXT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,3})?")


def _hours(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("give hours as a decimal string or an integer, not a float")
    if isinstance(value, int | Decimal):
        value = str(value)  # a Decimal with an exponent (1E+2) then fails the pattern
    if not isinstance(value, str):
        raise ValueError(f"not a number of hours: {value!r}")
    text = ascii_only(value)
    if HOURS_TEXT.fullmatch(text) is None:
        if re.fullmatch(r"[0-9]{1,15}\.[0-9]{4,}", text):
            raise ValueError("at most three decimals")
        raise ValueError(f"{value!r}: give hours from 0 to below 1e15, at most three decimals")
    return Decimal(text)


PositiveYuan = Annotated[Yuan, AfterValidator(_positive)]
Hours = Annotated[
    Decimal,
    BeforeValidator(_hours),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,3})?$"},
                {"type": "integer", "minimum": 0},
            ],
            "description": "delivered accelerator-hours, at most three decimals",
        },
        mode="validation",
    ),
    WithJsonSchema({"type": "string"}, mode="serialization"),
]
InvoiceNumber = Annotated[str, Field(pattern=FULL_NUMBER_PATTERN), BeforeValidator(ascii_number)]
InvoiceCode = Annotated[str, Field(pattern=f"^(?:{CODE_PATTERN})$"), BeforeValidator(ascii_number)]
ReversedNumber = Annotated[
    str, Field(pattern=f"^(?:{REVERSES_PATTERN})$"), BeforeValidator(ascii_number)
]


class UploadQuery(Strict):
    """Options of an invoice upload."""

    dry_run: bool = Field(False, description="check every row, store nothing")
    buyer: Code | None = Field(
        None, description="unit code of the buyer, for a file without a buyer column"
    )


class RowNotice(BaseModel):
    """A row of the file the answer points out, and why."""

    row: int = Field(description="row as a spreadsheet shows it (JSON items: index)")
    number: str
    message: str


class ExpectedRow(BaseModel):
    """What a dry run expects for one row: `new` (would be stored) or `unchanged`."""

    row: int = Field(description="row as a spreadsheet shows it (JSON items: index)")
    number: str
    status: Literal["new", "unchanged"] = Field(
        description="unchanged: your earlier upload holds it with the same values"
    )


class UploadResult(BaseModel):
    """What an upload stored; a re-upload of the same file stores nothing and has no id."""

    upload: int | None = Field(description="id of the stored upload; null when nothing changed")
    dry_run: bool
    rows: int = Field(
        description="invoice rows in the file (a platform export: its invoices, line items "
        "summed, voided ones aside)"
    )
    stored: int = Field(description="invoices stored now (0 on a dry run)")
    unchanged: int = Field(description="invoices already stored with the same values")
    duplicate_claims: int = Field(description="stored, but another buyer claimed the number first")
    would_store: int | None = Field(
        None, description="dry run: invoices the upload would store; null otherwise"
    )
    expected: list[ExpectedRow] | None = Field(
        None, description="dry run: each row's expected status (the first 10,000 rows)"
    )
    source: str = Field(description="`invoice list`, or `e-invoice platform export`")
    sheet: str | None = Field(None, description="the worksheet read: the first visible one")
    ignored_columns: list[str] = Field(
        default_factory=list, description="columns of the file that were not read"
    )
    skipped: list[RowNotice] = Field(
        default_factory=list, description="invoices not stored: voided (作废) ones"
    )
    warnings: list[RowNotice] = Field(
        default_factory=list,
        description="stored invoices worth a look: an original marked 已红冲/部分红冲 whose "
        "red-letter invoice is not in the file, a red-letter invoice that names no original",
    )


class InvoiceItem(Strict):
    """One invoice of a JSON upload; buyer and seller are credit codes (统一社会信用代码)."""

    number: InvoiceNumber
    code: InvoiceCode | None = Field(None, description="the code of an older VAT invoice")
    buyer: CreditCode | None = Field(None, description="default: the uploading buyer's unit")
    seller: CreditCode
    issued_on: Day
    amount: PositiveYuan = Field(description="tax-inclusive total (价税合计), always positive")
    kind: Literal["blue", "red"] = "blue"
    reverses: ReversedNumber | None = None


class InvoiceUpload(Strict):
    """A JSON upload of invoices."""

    invoices: list[InvoiceItem] = Field(min_length=1)


class InvoiceQuery(PageQuery):
    """Filters of the invoice list."""

    buyer: Code | None = Field(None, description="unit code; a buyer token sees its own unit")
    year: int | None = Field(None, ge=1990, le=2100, description="calendar year of issue")
    status: InvoiceStatus | None = Field(
        None,
        description="only invoices with this status (needs a buyer: a buyer's token or ?buyer=)",
    )


class InvoiceOut(BaseModel):
    """A stored invoice with its status: counted, or why the voucher does not count it."""

    number: str
    code: str | None
    buyer: str
    buyer_credit_code: str
    seller: str
    seller_credit_code: str
    issued_on: Day
    amount: Yuan
    kind: Literal["blue", "red"]
    reverses: str | None
    status: InvoiceStatus
    confirmed: bool = Field(description="the seller reported the same number, buyer and amount")
    claimed_by_others: bool = Field(
        description="another buyer also claims this number (the seller's confirmation decides)"
    )
    upload: int
    row: int


class InvoicePage(BaseModel):
    """One page of invoices; with a buyer and a year, that year's net counted spend."""

    items: list[InvoiceOut]
    total: int
    limit: int
    offset: int
    counted_total: Yuan | None = Field(
        None, description="the buyer's net counted spend in the year (with ?year= and a buyer)"
    )


class SalesReportIn(Strict):
    """One invoice a key provider issued, and the compute it delivered."""

    number: InvoiceNumber
    code: InvoiceCode | None = None
    buyer: CreditCode
    seller: CreditCode | None = Field(None, description="officials only; default: your unit")
    issued_on: Day
    amount: PositiveYuan
    accelerator_hours: Hours

    @model_validator(mode="after")
    def _number_shape(self) -> Self:
        if (self.code is None) != (len(self.number) == 20):
            raise ValueError(
                "a digital invoice number has 20 digits and no code; "
                "an older VAT invoice has a code and an 8-digit number"
            )
        return self


class SalesReportBatch(Strict):
    """A batch of sales reports; all or nothing."""

    reports: list[SalesReportIn] = Field(min_length=1, max_length=100_000)


class SalesReportResult(BaseModel):
    """What a batch stored; a resent batch stores nothing."""

    stored: int
    unchanged: int
    sheet: str | None = Field(None, description="the worksheet read: the first visible one")
    ignored_columns: list[str] = Field(
        default_factory=list, description="columns of the file that were not read"
    )


class MismatchKind(StrEnum):
    """How a sales report disagrees with the buyers' invoices or the listings."""

    AMOUNT_DIFFERS = "amount_differs"
    INVOICE_UNKNOWN_TO_BUYER = "invoice_unknown_to_buyer"
    SELLER_NOT_LISTED = "seller_not_listed"
    SELLER_DIFFERS = "seller_differs"


class ReconciliationQuery(PageQuery):
    """Filters of the reconciliation."""

    seller: Code | None = None
    buyer: Code | None = None
    year: int | None = Field(None, ge=1990, le=2100)
    kind: MismatchKind | None = None


class Mismatch(BaseModel):
    """One disagreement between a sales report and what buyers uploaded."""

    kind: MismatchKind
    number: str
    seller: str
    buyer_credit_code: str
    buyer: str | None
    issued_on: Day
    reported_amount: Yuan
    invoiced_amount: Yuan | None
    message: str


class ReconciliationOut(BaseModel):
    """Sales reports against buyers' invoices: how many confirm one, and every mismatch."""

    reports: int
    confirmed: int
    mismatches: list[Mismatch]
    total: int
    limit: int
    offset: int
