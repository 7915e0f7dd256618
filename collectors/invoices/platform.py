"""The national e-invoice platform's export (电子发票服务平台, 全量发票查询) as invoice rows.

The export has one row per line item: an invoice with three items is three rows that repeat
its number, parties and date. Rows are summed per invoice (价税合计, exact decimals) after
checking that they agree. A voided invoice (发票状态 作废) is skipped and named in the answer:
it is not an invoice a finance office keeps. A red-letter invoice (是否正数发票 否) shows negative
amounts; it is stored with the positive total and kind red, reversing the number the platform
writes in its 备注 ("被红冲蓝字数电票号码：…", or "对应正数发票代码:…号码:…" for an older
invoice); without one it is stored without `reverses` and shows as reversal_without_original.
An original marked 已红冲 or 部分红冲 whose red-letter invoice is not in the file is warned about.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from collectors.invoices.tables import MAX_ECHO_CHARS, Table, echo
from service.kit.problems import FieldError

TIMEZONE = ZoneInfo("Asia/Shanghai")  # 开票日期 with a time of day is China time

# Header -> field of the export; several headers name one field in the platform's versions.
FIELDS = {
    "数电发票号码": "digital",
    "数电票号码": "digital",
    "发票代码": "code",
    "发票号码": "legacy",
    "销方识别号": "seller",
    "销方名称": "seller_name",
    "购方识别号": "buyer",
    "购买方名称": "buyer_name",
    "开票日期": "issued_on",
    "金额": "net",
    "税额": "tax",
    "价税合计": "amount",
    "是否正数发票": "positive",
    "发票状态": "state",
    "备注": "remark",
}
# Columns of the export that say nothing the voucher needs.
IGNORED = frozenset(
    {
        "序号", "税收分类编码", "特定业务类型", "货物或应税劳务名称", "规格型号", "单位",
        "数量", "单价", "税率", "发票来源", "发票票种", "发票风险等级", "开票人",
    }
)  # fmt: skip
# Headers only the platform's export has; one of them makes a file an export.
MARKERS = frozenset({"数电发票号码", "销方识别号", "购方识别号", "是否正数发票", "发票状态"})
IDENTIFIER_HEADERS = frozenset(
    {"数电发票号码", "数电票号码", "发票代码", "发票号码", "销方识别号", "购方识别号"}
)
# How an error names a canonical column the export lacks.
NAMES = {
    "number": "数电发票号码",
    "code": "发票代码",
    "buyer": "购方识别号",
    "seller": "销方识别号",
    "issued_on": "开票日期",
    "amount": "价税合计",
    "kind": "是否正数发票",
    "reverses": "备注",
    "reverses_code": "备注",
}
# Where an invoice's own columns must agree on every line-item row.
AGREE = ("seller", "buyer", "issued_on", "positive", "state")

AMOUNT = re.compile(r"-?[0-9]{1,13}(?:\.[0-9]{1,2})?")
DATE_TIME = re.compile(
    r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})"
    r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
REVERSED_DIGITAL = re.compile(r"被红冲蓝字(?:数电)?(?:发票|票)号码[:：]\s*([0-9]{20})")
REVERSED_LEGACY = re.compile(r"对应正数发票代码[:：]?\s*([0-9]{10,12})\s*号码[:：]?\s*([0-9]{8})")
POSITIVE = {"是": True, "否": False, "": True, "Y": True, "N": False}


@dataclass(frozen=True)
class Notice:
    """A row the answer points out: skipped (作废) or stored but worth a look."""

    row: int
    number: str
    message: str


@dataclass
class Export:
    """An export read as invoice rows in the upload's canonical columns."""

    labels: dict[str, str]  # canonical name -> header, for errors
    frame: pd.DataFrame
    header_errors: list[FieldError] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    skipped: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)


@dataclass
class _Invoice:
    """The line items of one invoice, summed."""

    row: int  # its first row
    number: str
    code: str
    cells: dict[str, str]
    total: Decimal = Decimal(0)
    remark: str = ""


def is_export(headers: list[str]) -> bool:
    """Whether a file's headers are the platform export's."""
    return any(h in MARKERS for h in headers)


def day_text(text: str) -> str:
    """开票日期 as YYYY-MM-DD in China time; text that is no date passes on to be reported."""
    m = DATE_TIME.fullmatch(text)
    if m is None:
        return text
    year, month, day, hour, minute, second, zone = m.groups()
    if zone is None:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    try:
        offset = dt.UTC if zone == "Z" else _offset(zone)
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), tzinfo=offset,
        )  # fmt: skip
    except ValueError:
        return text
    return moment.astimezone(TIMEZONE).date().isoformat()


def _offset(zone: str) -> dt.timezone:
    digits = zone[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.timezone(-delta if zone[0] == "-" else delta)


def reversed_number(remark: str) -> tuple[str, str]:
    """(code, number) of the original a red-letter invoice's 备注 names; ("", "") if none."""
    if m := REVERSED_DIGITAL.search(remark):
        return "", m.group(1)
    if m := REVERSED_LEGACY.search(remark):
        return m.group(1), m.group(2)
    return "", ""


def _positions(headers: list[str]) -> tuple[dict[str, int], list[FieldError]]:
    positions: dict[str, int] = {}
    errors: list[FieldError] = []
    for i, header in enumerate(headers):
        name = FIELDS.get(header)
        if name is None:
            continue
        if name in positions:
            first = headers[positions[name]]
            message = f"says the same as column {echo(first)}; keep one of them"
            errors.append(FieldError(header, message, row=1))
            continue
        positions[name] = i
    return positions, errors


class _Reader:
    """Sums the rows of each invoice and reports every row that does not fit."""

    def __init__(self, headers: list[str], positions: dict[str, int]) -> None:
        self.headers = headers
        self.positions = positions
        self.errors: list[FieldError] = []
        self.invoices: dict[str, _Invoice] = {}

    def label(self, name: str) -> str:
        if name in self.positions:
            return self.headers[self.positions[name]]
        return {"digital": "数电发票号码", "positive": "是否正数发票"}.get(name, name)

    def error(self, row: int, name: str, message: str) -> None:
        self.errors.append(FieldError(self.label(name), message, row=row))

    def add(self, row: int, cells: dict[str, str]) -> None:
        if not any(cells.values()):
            return  # a blank line
        digital, legacy, code = cells["digital"], cells["legacy"], cells["code"]
        number = digital or legacy
        if not number:
            self.error(row, "digital", "required: 数电发票号码, or 发票代码 and 发票号码")
            return
        cells["issued_on"] = day_text(cells["issued_on"])
        if cells["positive"] not in POSITIVE:
            self.error(row, "positive", f"{echo(cells['positive'])}: write 是 or 否")
            return
        amount = cells["amount"].replace(",", "")
        if AMOUNT.fullmatch(amount) is None:
            problem = "required" if amount == "" else f"{echo(amount)} is not an amount in yuan"
            self.error(row, "amount", problem)
            return
        key = (code if not digital else "") + number
        invoice = self.invoices.get(key)
        if invoice is None:
            invoice = _Invoice(row, number, code if not digital else "", cells)
            self.invoices[key] = invoice
        else:
            for name in AGREE:
                if cells[name] != invoice.cells[name]:
                    message = (
                        f"{echo(cells[name])} differs from row {invoice.row} of the same "
                        f"invoice ({echo(invoice.cells[name])} there)"
                    )
                    self.error(row, name, message)
        invoice.total += Decimal(amount)
        invoice.remark = invoice.remark or cells["remark"]


def _notice(invoice: _Invoice, message: str) -> Notice:
    return Notice(invoice.row, invoice.code + invoice.number, message)


def read_export(table: Table) -> Export:
    """Every row of an export, summed into one row per invoice in the canonical columns."""
    headers = table.headers
    positions, header_errors = _positions(headers)
    ignored = [
        h[:MAX_ECHO_CHARS]
        for i, h in enumerate(headers)
        if h and h not in IGNORED and i not in positions.values()
    ]
    reader = _Reader(headers, positions)
    names = list(FIELDS.values())
    if not header_errors:
        for frame in table.chunks:
            columns = {
                name: frame[positions[name]].astype(str).str.strip().tolist()
                if name in positions
                else [""] * len(frame)
                for name in set(names)
            }
            for j, row in enumerate(frame["row"].tolist()):
                reader.add(int(row), {name: columns[name][j] for name in columns})
    export = Export(_labels(headers, positions), pd.DataFrame(), header_errors, reader.errors)
    export.ignored = ignored
    export.frame = _invoice_rows(reader, export)
    return export


def _labels(headers: list[str], positions: dict[str, int]) -> dict[str, str]:
    canonical = {
        "number": "digital" if "digital" in positions else "legacy",
        "code": "code",
        "buyer": "buyer",
        "seller": "seller",
        "issued_on": "issued_on",
        "amount": "amount",
        "kind": "positive",
        "reverses": "remark",
        "reverses_code": "remark",
    }
    return {
        name: headers[positions[source]]
        for name, source in canonical.items()
        if source in positions
    }


def _invoice_rows(reader: _Reader, export: Export) -> pd.DataFrame:
    """One row per kept invoice; voided ones skipped, unmatched reversals warned about."""
    records: list[dict[str, object]] = []
    reversed_here: set[str] = set()
    originals: list[_Invoice] = []
    for invoice in reader.invoices.values():
        state, red = invoice.cells["state"], not POSITIVE[invoice.cells["positive"]]
        if "作废" in state:
            export.skipped.append(_notice(invoice, f"{state}: a voided invoice never counts"))
            continue
        total = -invoice.total if red else invoice.total
        if total <= 0:
            sign = "negative (a red-letter invoice?)" if not red else "positive (a blue invoice?)"
            what = "否 (red-letter)" if red else "是 (blue)"
            message = f"是否正数发票 is {what} but the rows of this invoice sum to a {sign} total"
            if total == 0:
                message = "the rows of this invoice sum to 0.00"
            reader.error(invoice.row, "amount", message)
            continue
        rcode, reverses = reversed_number(invoice.remark) if red else ("", "")
        if red and not reverses:
            export.warnings.append(
                _notice(
                    invoice,
                    "a red-letter invoice whose 备注 names no original: stored without it, "
                    "it shows as reversal_without_original",
                )
            )
        if red:
            reversed_here.add(rcode + reverses)
        elif "红冲" in state:
            originals.append(invoice)
        records.append(
            {
                "number": invoice.number,
                "code": invoice.code,
                "buyer": invoice.cells["buyer"],
                "seller": invoice.cells["seller"],
                "issued_on": invoice.cells["issued_on"],
                "amount": format(total, "f"),
                "kind": "red" if red else "blue",
                "reverses": reverses,
                "reverses_code": rcode,
                "row": invoice.row,
            }
        )
    for invoice in originals:
        if invoice.code + invoice.number not in reversed_here:
            state = invoice.cells["state"]
            export.warnings.append(
                _notice(
                    invoice,
                    f"{state}: the red-letter invoice that reverses it is not in this file; "
                    "it counts in full until that invoice is uploaded",
                )
            )
    export.errors = reader.errors
    columns = ["number", "code", "buyer", "seller", "issued_on", "amount", "kind",
               "reverses", "reverses_code", "row"]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=columns)
