"""A 5G-site file as operators send it (CSV in UTF-8 or GB18030, or XLSX), read under limits."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from registry.importer import SiteTable, decode_text, read_site_table, site_table
from service.kit.problems import FieldError, Problem, invalid

MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 64
# A workbook's parts are XML that compresses well, but not this well: past these it is a bomb.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_RATIO = 200
XLSX_MAGIC = b"PK\x03\x04"

SiteFormat = Literal["csv", "xlsx"]


def format_of(raw: bytes, media: str, filename: str | None) -> SiteFormat:
    """CSV or XLSX, from the file name, the media type, or the file's first bytes."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or "spreadsheetml" in media or raw.startswith(XLSX_MAGIC):
        return "xlsx"
    if name and not name.endswith((".csv", ".txt")):
        raise Problem(415, "Unsupported media type", f"file {filename!r}: send a .csv or .xlsx")
    return "csv"


def read_site_file(
    raw: bytes, file_format: SiteFormat, max_rows: int | None = MAX_ROWS
) -> SiteTable:
    """The rows of a site file, or a 422 naming what is wrong with the file as a whole."""
    if not raw.strip():
        raise invalid([FieldError("file", "the file is empty")])
    table = _read_xlsx(raw, max_rows) if file_format == "xlsx" else _read_csv(raw, max_rows)
    if not table.rows:
        raise invalid([FieldError("file", "the file has a header but no rows")])
    return table


def _read_csv(raw: bytes, max_rows: int | None) -> SiteTable:
    text = decode_text(raw)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    _check_header(header)
    try:
        return _bounded(read_site_table(text, max_rows), max_rows)
    except csv.Error as exc:
        raise invalid([FieldError("file", f"not a readable CSV: {exc}")]) from None


def _check_header(header: Sequence[Any]) -> None:
    if len(header) > MAX_COLUMNS:
        raise invalid([FieldError("file", f"more than {MAX_COLUMNS} columns")])


def _bounded(table: SiteTable, max_rows: int | None) -> SiteTable:
    if max_rows is not None and len(table.rows) > max_rows:
        raise invalid([FieldError("file", f"more than {max_rows} rows; split the file")])
    return table


def _check_archive(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise invalid([FieldError("file", "not a readable XLSX workbook")]) from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * packed:
        raise invalid([FieldError("file", "the workbook unpacks to far more than it holds")])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _read_xlsx(raw: bytes, max_rows: int | None) -> SiteTable:
    import openpyxl  # only uploads need it; the CLI's CSV path starts faster without

    _check_archive(raw)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise invalid([FieldError("file", "not a readable XLSX workbook")]) from None
    try:
        # The first sheet a reviewer sees in Excel, never a hidden one.
        sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not sheets:
            raise invalid([FieldError("file", "the workbook has no visible sheet")])
        rows = sheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = [_cell(v) for v in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        _check_header(header)
        return _bounded(site_table(header, _numbered(rows, max_rows)), max_rows)
    finally:
        book.close()


def _numbered(
    rows: Iterator[tuple[Any, ...]], max_rows: int | None
) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(rows, start=2):
        # Empty rows count too: a workbook padded to row 1,000,000 is refused, not walked.
        if max_rows is not None and number > max_rows + 2:
            raise invalid([FieldError("file", f"more than {max_rows} rows; split the file")])
        cells = [_cell(v) for v in values]
        if any(c.strip() for c in cells):
            yield number, cells
