"""Invoice files (CSV, XLSX, JSON) to chunks of string rows in the scenario vocabulary.

Every cell stays a string: amounts and numbers are never read as floats, so leading zeros and
fen survive. Headers may be the English field names or the Chinese ones a finance office
exports; an error names the column as it appears in the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from registry.problems import FieldError, invalid
from registry.web import loads

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
EXACT_DIGITS = 15
LOST_DIGITS = "\x00"  # marks a spreadsheet number too long to be exact
CHUNK_ROWS = 20_000
FIRST_DATA_ROW = 2  # row 1 is the header, as a spreadsheet shows it

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

    def label(self, name: str) -> str:
        """The column's name as the file writes it (in the file's language when it is absent)."""
        if name in self.labels:
            return self.labels[name]
        if any(header in CHINESE for header in self.labels.values()):
            return CHINESE_NAMES[name]
        return name


def format_of_name(filename: str) -> Format | None:
    """The file format a file name's extension announces."""
    return EXTENSIONS.get(Path(filename).suffix.lower())


def map_headers(headers: list[str]) -> tuple[dict[str, str], list[FieldError]]:
    """Canonical name -> header, and an error for each header that says the same as another."""
    labels: dict[str, str] = {}
    errors: list[FieldError] = []
    for header in headers:
        name = HEADERS.get(header) or HEADERS.get(header.lower())
        if name is None:
            continue
        if name in labels:
            message = f"says the same as column {labels[name]!r}; keep one of them"
            errors.append(FieldError(header, message, row=1))
            continue
        labels[name] = header
    return labels, errors


def _text_encoding(path: Path) -> str:
    # Chinese finance software often exports GB18030 (GBK); UTF-8 is tried first.
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _canonical(frame: pd.DataFrame, labels: dict[str, str], first_row: int) -> pd.DataFrame:
    out = pd.DataFrame(
        {name: frame[header].fillna("").astype(str) for name, header in labels.items()},
        index=frame.index,
    )
    out["row"] = range(first_row, first_row + len(frame))
    # Blank lines keep their row number but are not invoices.
    blank = (out[list(labels)] == "").all(axis=1) if labels else pd.Series(True, out.index)
    return out[~blank]


def read_csv(path: Path, chunk_rows: int = CHUNK_ROWS) -> Rows:
    """CSV rows, read in chunks so a large file never sits in memory whole."""
    encoding = _text_encoding(path)
    try:
        header = pd.read_csv(path, dtype=str, nrows=0, encoding=encoding)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise invalid([FieldError("file", f"not a readable CSV file: {exc}")]) from None
    headers = [str(h).strip() for h in header.columns]
    labels, errors = map_headers(headers)

    def chunks() -> Iterator[pd.DataFrame]:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            chunksize=chunk_rows,
            names=headers,
            header=0,
        )
        row = FIRST_DATA_ROW
        try:
            for frame in reader:
                yield _canonical(frame, labels, row)
                row += len(frame)
        except pd.errors.ParserError as exc:
            raise invalid([FieldError("file", f"the CSV breaks near row {row}: {exc}")]) from None

    return Rows(labels, chunks(), header_errors=errors)


def _excel_text(value: Any, identifier: bool) -> str:
    """A spreadsheet cell as exact text; floats that lost digits are marked unreadable."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        text = format(exact, "f")
        if identifier and len(text.replace(".", "").lstrip("0")) > EXACT_DIGITS:
            return LOST_DIGITS + text  # fails every format check; validation says why
        return text
    return str(value)


def read_xlsx(path: Path) -> Rows:
    """The first sheet of a workbook; cells become exact text (pandas with openpyxl)."""
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise invalid([FieldError("file", f"not a readable XLSX workbook: {exc}")]) from None
    headers = [str(h).strip() for h in frame.columns]
    frame.columns = pd.Index(headers)
    labels, errors = map_headers(headers)
    for name, header in labels.items():
        identifier = name in IDENTIFIERS
        frame[header] = [_excel_text(v, identifier) for v in frame[header]]
    return Rows(labels, iter([_canonical(frame, labels, FIRST_DATA_ROW)]), header_errors=errors)


def read_json_items(data: Any) -> Rows:
    """`{"invoices": [...]}` in the scenario vocabulary; items are named by index."""
    if not isinstance(data, dict) or set(data) != {"invoices"}:
        raise invalid([FieldError("body", 'send {"invoices": [...]}')])
    items = data["invoices"]
    if not isinstance(items, list) or not items:
        raise invalid([FieldError("invoices", "must be a non-empty list")])
    errors: list[FieldError] = []
    records: list[dict[str, str]] = []
    for i, item in enumerate(items):
        record: dict[str, str] = {}
        if not isinstance(item, dict):
            errors.append(FieldError("body", "must be an object", index=i))
            item = {}
        for key, value in item.items():
            if key not in COLUMNS:
                errors.append(FieldError(key, "unknown field", index=i))
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
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid([FieldError("file", f"not readable JSON: {exc}")]) from None
    return read_json_items(data)
