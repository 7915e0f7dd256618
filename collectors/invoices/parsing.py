"""Invoice files (CSV, XLSX, JSON) to chunks of string rows in the scenario vocabulary.

Every cell stays a string: amounts and numbers are never read as floats, so leading zeros and
fen survive. Headers may be the English field names or the Chinese ones a finance office
exports; an error names the column as it appears in the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from collectors.invoices import platform, tables
from collectors.invoices.platform import Notice
from collectors.invoices.tables import CHUNK_ROWS, MAX_ECHO_CHARS, Table, echo
from service.kit.problems import FieldError, invalid
from service.kit.web import loads

COLUMNS = (
    "number", "code", "buyer", "seller", "issued_on", "amount", "kind", "reverses",
    "reverses_code",
)  # fmt: skip
REQUIRED = ("number", "seller", "issued_on", "amount")

# The headers of the finance exports this service has seen; unknown columns are ignored
# because those exports also carry names, tax rates and remarks.
CHINESE = {
    "发票号码": "number",
    "数电票号码": "number",
    "发票代码": "code",
    "购买方统一社会信用代码": "buyer",
    "购买方纳税人识别号": "buyer",
    "购买方统一社会信用代码/纳税人识别号": "buyer",
    "销售方统一社会信用代码": "seller",
    "销售方纳税人识别号": "seller",
    "销售方统一社会信用代码/纳税人识别号": "seller",
    "开票日期": "issued_on",
    "价税合计": "amount",
    "发票类型": "kind",
    "被冲红发票号码": "reverses",
    "被冲红发票代码": "reverses_code",
}
HEADERS = {name: name for name in COLUMNS} | CHINESE
# The first Chinese header of each field names a missing column in a Chinese file.
CHINESE_NAMES = {name: header for header, name in reversed(CHINESE.items())}
# Identifier columns must be text in a spreadsheet: Excel keeps only 15 significant digits.
IDENTIFIERS = frozenset({"number", "code", "buyer", "seller", "reverses", "reverses_code"})

Format = Literal["csv", "xlsx", "json"]
MEDIA_TYPES: Mapping[str, Format] = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
}
EXTENSIONS: Mapping[str, Format] = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


@dataclass
class Rows:
    """A source of invoice rows: chunks of canonical string columns and a `row` column."""

    labels: dict[str, str]  # canonical name -> the header as written in the file
    chunks: Iterator[pd.DataFrame]
    by_index: bool = False  # JSON items are named by index, file rows by row number
    header_errors: list[FieldError] = field(default_factory=list)
    row_errors: list[FieldError] = field(default_factory=list)  # found while reading
    headers: list[str] = field(default_factory=list)  # every header of the file, in order
    ignored: list[str] = field(default_factory=list)  # headers not read
    sheet: str | None = None  # the worksheet read, for a workbook
    skipped: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    reverses_optional: bool = False  # a platform red invoice may not name its original
    source: str = "invoice list"  # or "e-invoice platform export"
    names: Mapping[str, str] | None = None  # how the file's format names an absent column

    def label(self, name: str) -> str:
        """The column's name as the file writes it (in the file's language when it is absent)."""
        if name in self.labels:
            return self.labels[name]
        if self.names is not None:
            return self.names.get(name, name)
        if any(header in CHINESE for header in self.labels.values()):
            return CHINESE_NAMES[name]
        return name


def format_of_name(filename: str) -> Format | None:
    """The file format a file name's extension announces."""
    return EXTENSIONS.get(Path(filename).suffix.lower())


def map_headers(
    headers: list[str], known: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[FieldError]]:
    """Canonical name -> column position, and an error for each header that repeats a field."""
    known = HEADERS if known is None else known
    positions: dict[str, int] = {}
    errors: list[FieldError] = []
    for i, header in enumerate(headers):
        name = known.get(header) or known.get(header.lower())
        if name is None:
            continue
        if name in positions:
            first = headers[positions[name]]
            message = f"says the same as column {echo(first)}; keep one of them"
            errors.append(FieldError(header[:MAX_ECHO_CHARS], message, row=1))
            continue
        positions[name] = i
    return positions, errors


def unknown_headers(headers: list[str], used: set[int], known_ignored: frozenset[str]) -> list[str]:
    """Headers neither read nor known to be ignorable, cut short, for the answer."""
    return [
        h[:MAX_ECHO_CHARS]
        for i, h in enumerate(headers)
        if i not in used and h and h not in known_ignored
    ]


def _canonical(frame: pd.DataFrame, positions: dict[str, int]) -> pd.DataFrame:
    out = pd.DataFrame(
        {name: frame[i].astype(str) for name, i in positions.items()}, index=frame.index
    )
    out["row"] = frame["row"]
    # Blank lines keep their row number but are not invoices.
    names = list(positions)
    if not names:
        return out.iloc[0:0]
    # Only a row whose number (a required column) is empty can be blank: the other columns
    # are compared only when there is one, not 7 columns of 100,000 cells every upload.
    blank = out["number" if "number" in positions else names[0]] == ""
    if not blank.any():
        return out
    blank &= (out[names] == "").all(axis=1)
    return out[~blank]


def _is_identifier(header: str) -> bool:
    name = HEADERS.get(header) or HEADERS.get(header.lower())
    return name in IDENTIFIERS or header in platform.IDENTIFIER_HEADERS


def read_table(table: Table) -> Rows:
    """Invoice rows of a CSV or XLSX table: the plain list, or the platform's export."""
    if platform.is_export(table.headers):
        export = platform.read_export(table)
        return Rows(
            export.labels,
            iter([export.frame]),
            header_errors=export.header_errors,
            row_errors=export.errors,
            headers=table.headers,
            ignored=export.ignored,
            sheet=table.sheet,
            skipped=export.skipped,
            warnings=export.warnings,
            reverses_optional=True,
            source="e-invoice platform export",
            names=platform.NAMES,
        )
    positions, errors = map_headers(table.headers)
    labels = {name: table.headers[i] for name, i in positions.items()}
    chunks = (_canonical(frame, positions) for frame in table.chunks)
    ignored = unknown_headers(table.headers, set(positions.values()), frozenset())
    return Rows(
        labels,
        chunks,
        header_errors=errors,
        headers=table.headers,
        ignored=ignored,
        sheet=table.sheet,
    )


def read_csv(path: Path, chunk_rows: int = CHUNK_ROWS) -> Rows:
    """CSV rows, read in chunks so a large file never sits in memory whole."""
    return read_table(tables.read_csv(path, chunk_rows))


def read_xlsx(path: Path) -> Rows:
    """The first visible sheet of a workbook; cells become exact text."""
    return read_table(tables.read_xlsx(path, _is_identifier))


def read_json_items(data: Any) -> Rows:
    """`{"invoices": [...]}` in the scenario vocabulary; items are named by index."""
    if not isinstance(data, dict) or set(data) != {"invoices"}:
        raise invalid([FieldError("body", 'send {"invoices": [...]}')])
    items = data["invoices"]
    if not isinstance(items, list) or not items:
        raise invalid([FieldError("invoices", "must be a non-empty list")])
    if len(items) > tables.MAX_ROWS:
        raise invalid([FieldError("invoices", f"at most {tables.MAX_ROWS} items")])
    errors: list[FieldError] = []
    records: list[dict[str, str]] = []
    for i, item in enumerate(items):
        record: dict[str, str] = {}
        if not isinstance(item, dict):
            errors.append(FieldError("body", "must be an object", index=i))
            item = {}
        for key, value in item.items():
            if key not in COLUMNS:
                errors.append(FieldError(key[:MAX_ECHO_CHARS], "unknown field", index=i))
            elif value is None:
                record[key] = ""
            elif isinstance(value, str):
                record[key] = value
            elif isinstance(value, int | Decimal) and not isinstance(value, bool):
                if key in IDENTIFIERS:
                    message = "give it as a string: a number loses leading zeros"
                    errors.append(FieldError(key, message, index=i))
                record[key] = str(value)
            else:
                errors.append(FieldError(key, "must be a string", index=i))
        records.append(record)
    if errors:
        raise invalid(errors)
    present = sorted({k for r in records for k in r}, key=COLUMNS.index)
    frame = pd.DataFrame.from_records(records, columns=present).fillna("").astype(str)
    frame["row"] = range(len(frame))
    labels = {name: name for name in present}
    return Rows(labels, iter([frame]), by_index=True)


def read_file(path: Path, file_format: Format) -> Rows:
    """Rows of a CSV or XLSX file, or of a JSON document."""
    if file_format == "csv":
        return read_csv(path)
    if file_format == "xlsx":
        return read_xlsx(path)
    try:
        data = loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        message = f"not readable JSON: {str(exc)[:200]}"
        raise invalid([FieldError("file", message)]) from None
    except MemoryError:
        raise tables.out_of_memory() from None
    return read_json_items(data)
