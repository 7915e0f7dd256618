"""Sales reports from a CSV or XLSX file or a JSON body, checked field by field, all at once.

Files are read by the same bounded reader as invoice uploads (tables.py); headers may be the
English field names or the Chinese ones of a seller's invoice ledger. Errors name file rows
by row number and column as the file writes it, JSON reports by index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from collectors.invoices import tables
from collectors.invoices.parsing import Format
from collectors.invoices.platform import day_text
from collectors.invoices.schemas import SalesReportIn
from service.kit.problems import FieldError, Problem, invalid
from service.kit.web import check_list_length, loads, pydantic_errors

# A JSON batch is validated object by object, each far heavier than a file's row: a smaller
# limit keeps one request's memory and time bounded; more reports go in several batches.
MAX_JSON_REPORTS = 100_000
FIELDS = ("number", "code", "buyer", "seller", "issued_on", "amount", "accelerator_hours")
CHINESE = {
    "发票号码": "number",
    "数电票号码": "number",
    "数电发票号码": "number",
    "发票代码": "code",
    "购买方统一社会信用代码": "buyer",
    "购买方纳税人识别号": "buyer",
    "购方识别号": "buyer",
    "销售方统一社会信用代码": "seller",
    "销售方纳税人识别号": "seller",
    "销方识别号": "seller",
    "开票日期": "issued_on",
    "价税合计": "amount",
    "交付卡时": "accelerator_hours",
    "算力卡时": "accelerator_hours",
    "加速卡时": "accelerator_hours",
}
HEADERS = {name: name for name in FIELDS} | CHINESE
REQUIRED = ("number", "buyer", "issued_on", "amount", "accelerator_hours")
IDENTIFIERS = frozenset({"number", "code", "buyer", "seller"})
# 1,234,567.89 as a ledger writes it: commas only between groups of three digits.
GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?")


@dataclass
class SalesBatch:
    """Reports that passed their field checks by position, the others' errors, and row names."""

    items: dict[int, SalesReportIn]
    errors: list[FieldError]
    rows: dict[int, int] | None = None  # position -> file row; None for JSON (by index)
    labels: dict[str, str] = field(default_factory=dict)  # field -> header as written
    ignored: list[str] = field(default_factory=list)
    sheet: str | None = None

    def located(self, problem: Problem) -> Problem:
        """A problem whose errors name file rows and headers instead of positions and fields."""
        if self.rows is None:
            return problem
        errors = [self._located(e) for e in problem.errors]
        return Problem(problem.status, problem.title, problem.detail, errors, problem.type)

    def _located(self, error: FieldError) -> FieldError:
        label = self.labels.get(error.field, error.field)
        if error.index is None or self.rows is None:
            return FieldError(label, error.message, row=error.row)
        return FieldError(label, error.message, row=self.rows.get(error.index, error.index))


def _validate(raw: Any, i: int) -> tuple[SalesReportIn | None, list[FieldError]]:
    try:
        return SalesReportIn.model_validate(raw), []
    except ValidationError as exc:
        return None, pydantic_errors(exc, i)


def from_json(data: Any) -> SalesBatch:
    """`{"reports": [...]}`, each report checked."""
    if not isinstance(data, dict) or set(data) != {"reports"}:
        raise invalid([FieldError("body", 'send {"reports": [...]}')])
    reports = data["reports"]
    if not isinstance(reports, list) or not reports:
        raise invalid([FieldError("reports", "must be a non-empty list")])
    check_list_length(reports, MAX_JSON_REPORTS, "reports")
    batch = SalesBatch({}, [])
    for i, raw in enumerate(reports):
        item, errors = _validate(raw, i)
        if item is not None:
            batch.items[i] = item
        batch.errors.extend(errors)
    return batch


def _cell(name: str, text: str) -> str:
    text = text.strip()
    if name == "issued_on":
        return day_text(text)
    if name == "amount" and GROUPED.fullmatch(text):
        return text.replace(",", "")
    return text


def from_table(table: tables.Table) -> SalesBatch:
    """Every row of a file, checked; headers in English or Chinese."""
    positions: dict[str, int] = {}
    errors: list[FieldError] = []
    for i, header in enumerate(table.headers):
        name = HEADERS.get(header) or HEADERS.get(header.lower())
        if name is None:
            continue
        if name in positions:
            first = table.headers[positions[name]]
            message = f"says the same as column {tables.echo(first)}; keep one of them"
            errors.append(FieldError(header[: tables.MAX_ECHO_CHARS], message, row=1))
            continue
        positions[name] = i
    labels = {name: table.headers[i] for name, i in positions.items()}
    found = ", ".join(h[: tables.MAX_ECHO_CHARS] for h in table.headers[:40] if h) or "none"
    for name in REQUIRED:
        if name not in positions:
            message = f"required column is missing (the file has: {found})"
            errors.append(FieldError(name, message, row=1))
    if errors:
        raise invalid(errors)
    ignored = [
        h[: tables.MAX_ECHO_CHARS]
        for i, h in enumerate(table.headers)
        if h and i not in positions.values()
    ]
    row_of: dict[int, int] = {}
    batch = SalesBatch({}, [], rows=row_of, labels=labels, ignored=ignored, sheet=table.sheet)
    i = 0
    for frame in table.chunks:
        columns = {name: frame[p].astype(str).tolist() for name, p in positions.items()}
        for j, row in enumerate(frame["row"].tolist()):
            raw = {name: _cell(name, columns[name][j]) for name in positions}
            if not any(raw.values()):
                continue  # a blank line
            item, found_errors = _validate({k: v for k, v in raw.items() if v != ""}, i)
            row_of[i] = int(row)
            if item is not None:
                batch.items[i] = item
            batch.errors.extend(found_errors)
            i += 1
    if not row_of:
        raise invalid([FieldError("file", "no reports: the file has a header row only")])
    return batch


def _is_identifier(header: str) -> bool:
    return (HEADERS.get(header) or HEADERS.get(header.lower())) in IDENTIFIERS


def read_sales_file(path: Path, file_format: Format) -> SalesBatch:
    """The reports of an uploaded CSV, XLSX or JSON file (run in a worker thread)."""
    if file_format == "csv":
        return from_table(tables.read_csv(path))
    if file_format == "xlsx":
        return from_table(tables.read_xlsx(path, _is_identifier))
    try:
        data = loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise invalid([FieldError("body", f"not readable JSON: {str(exc)[:200]}")]) from None
    except MemoryError:
        raise tables.out_of_memory() from None
    return from_json(data)
