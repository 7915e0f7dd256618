"""CSV and XLSX files as header and text cells, read under limits that refuse hostile files early.

One reader for invoices and sales reports. Every cell stays text (never a float), columns are
named by position so duplicate headers cannot break the reader, and each limit is checked
before the work it guards: the line length and column count of a CSV before pandas sees it,
the unpacked size of a workbook's parts before openpyxl reads them, and rows, columns and cells
of a sheet as they stream by in openpyxl's read-only mode (pandas would pad every row to the
widest one: a single cell at XFD20000 is 327 million cells).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from service.kit.problems import FieldError, Problem, invalid

MAX_COLUMNS = 200  # a finance export has about 30
MAX_LINE_BYTES = 256 * 1024  # one physical line of a CSV file
MAX_ROWS = 1_000_000  # data rows of a file
MAX_CELLS = 50_000_000  # cells of a sheet looked at, empty ones included
MAX_SHARED_STRINGS_BYTES = (
    64 * 1024 * 1024
)  # xl/sharedStrings.xml unpacked: openpyxl loads it whole
MAX_PART_BYTES = 512 * 1024 * 1024  # any other part of a workbook, unpacked
MAX_ECHO_CHARS = 64  # of a cell's text quoted back in an error
CHUNK_ROWS = 20_000
BLOCK = 1 << 20
EXACT_DIGITS = 15  # significant digits a spreadsheet number keeps
LOST_DIGITS = "\x00"  # marks a spreadsheet number too long to be exact
SHARED_STRINGS = "xl/sharedStrings.xml"


def echo(value: str) -> str:
    """A cell's text quoted for an error message, cut short: answers stay small."""
    if len(value) > MAX_ECHO_CHARS:
        value = value[:MAX_ECHO_CHARS] + "…"
    return repr(value)


MAX_LISTED_ERRORS = 1000  # errors listed in one answer; the detail gives the full count
MAX_MESSAGE_CHARS = 400  # of one listed error message


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + "…"


def capped(problem: Problem) -> Problem:
    """A problem whose error list and messages are cut short, so its answer stays small."""
    errors = [
        FieldError(e.field[:MAX_ECHO_CHARS], _cut(e.message), e.index, e.row)
        for e in problem.errors[:MAX_LISTED_ERRORS]
    ]
    detail = problem.detail
    if len(problem.errors) > MAX_LISTED_ERRORS:
        detail = (
            f"{len(problem.errors)} errors in the input; the first {MAX_LISTED_ERRORS} are "
            "listed; nothing was stored"
        )
    return Problem(problem.status, problem.title, detail, errors, problem.type)


def _refuse(message: str) -> Problem:
    return invalid([FieldError("file", message)], f"the file was refused: {message}")


def out_of_memory() -> Problem:
    """413 for a file that needs more memory than the service has: never a 'bad file'."""
    return Problem(
        413,
        "Payload too large",
        "the file needs more memory than the service can give one upload; split it",
    )


@dataclass
class Table:
    """A file's header row and its data rows, in chunks whose columns are header positions."""

    headers: list[str]
    chunks: Iterator[pd.DataFrame]  # string cells; column i is headers[i]; plus `row`
    sheet: str | None = None  # the worksheet read, for a workbook


def text_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while block := f.read(BLOCK):
                # ASCII is UTF-8 as it is: only other bytes, or a character split between
                # blocks, need decoding (isascii runs in C, several times faster).
                if not block.isascii() or decoder.getstate()[0]:
                    decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def check_lines(path: Path) -> int:
    """The number of physical lines; refuses a line over MAX_LINE_BYTES or rows over MAX_ROWS.

    Blocks are no longer than a line may be, so a line inside one is short enough: only the
    line running across blocks is measured, with C-level find and count (no split). A 36 MiB
    line is refused after its first 256 KiB.
    """
    lines = 0
    carry = 0  # length of the line still open at the end of the last block
    with path.open("rb") as f:
        while block := f.read(MAX_LINE_BYTES):
            block = block.replace(b"\r", b"\n")
            breaks = block.count(b"\n")
            if breaks:
                longest = carry + block.index(b"\n")
                carry = len(block) - block.rindex(b"\n") - 1
            else:
                longest = carry = carry + len(block)
            if longest > MAX_LINE_BYTES:
                where = "a line" if lines else "the header line"
                raise _refuse(
                    f"{where} near line {lines + 1} is longer than {MAX_LINE_BYTES} bytes"
                )
            lines += breaks
            if lines > MAX_ROWS + 1:
                raise _refuse(f"more than {MAX_ROWS} rows")
    return lines + (carry > 0)


def read_csv(path: Path, chunk_rows: int = CHUNK_ROWS) -> Table:
    """A CSV file (UTF-8 or GB18030) under the line, column and row limits."""
    check_lines(path)
    encoding = text_encoding(path)
    with path.open(encoding=encoding, newline="") as f:
        try:
            header = next(csv.reader(f), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _refuse(f"not a readable CSV file: {exc}") from None
    if not header:
        raise _refuse("the file is empty: the first line names the columns")
    if len(header) > MAX_COLUMNS:
        raise _refuse(f"the header has {len(header)} columns; at most {MAX_COLUMNS} are read")
    headers = [h.strip() for h in header]
    width = len(headers)

    def chunks() -> Iterator[pd.DataFrame]:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            chunksize=chunk_rows,
            header=None,
            skiprows=1,
            names=list(range(width)),
            index_col=False,
        )
        row = 2  # row 1 is the header, as a spreadsheet shows it
        try:
            for frame in reader:
                frame = frame.fillna("")
                frame["row"] = range(row, row + len(frame))
                row += len(frame)
                yield frame
        except pd.errors.ParserError as exc:
            raise _refuse(f"the CSV breaks near row {row}: {str(exc)[:200]}") from None
        except MemoryError:
            raise out_of_memory() from None

    return Table(headers, chunks())


def excel_text(value: Any, identifier: bool) -> str:
    """A spreadsheet cell as exact text; numbers that lost digits are marked unreadable."""
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


def check_parts(path: Path) -> None:
    """Refuse a workbook whose parts unpack beyond the limits, before openpyxl opens it.

    The central directory's sizes are binding: zipfile stops at the declared size and fails
    the CRC check of a part that claims less than it holds.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(f"not a readable XLSX workbook: {exc}") from None
    for info in infos:
        limit = MAX_SHARED_STRINGS_BYTES if info.filename == SHARED_STRINGS else MAX_PART_BYTES
        if info.file_size > limit:
            what = "the shared-strings table" if info.filename == SHARED_STRINGS else info.filename
            raise _refuse(f"{what} unpacks to {info.file_size} bytes; the limit is {limit} bytes")


def _first_visible(workbook: Any) -> Any:
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            return sheet
    raise _refuse("the workbook has no visible worksheet")


def _last_value(cells: tuple[Any, ...]) -> int:
    """How many cells up to the last one that holds a value."""
    n = len(cells)
    while n and (cells[n - 1] is None or cells[n - 1] == ""):
        n -= 1
    return n


def _cell_rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of a read-only sheet, under the row, column and cell limits."""
    sheet.reset_dimensions()  # a declared A1:XFD1048576 would pad every row to it
    cells = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        if number > MAX_ROWS + 1:
            raise _refuse(f"the sheet has more than {MAX_ROWS} rows")
        cells += len(values)
        if cells > MAX_CELLS:
            raise _refuse(f"the sheet has more than {MAX_CELLS} cells")
        if len(values) > MAX_COLUMNS and _last_value(values) > MAX_COLUMNS:
            raise _refuse(f"row {number} has a value beyond column {MAX_COLUMNS}, the limit")
        yield number, values


def read_xlsx(
    path: Path, is_identifier: Callable[[str], bool], chunk_rows: int = CHUNK_ROWS
) -> Table:
    """The first visible worksheet of a workbook (hidden ones are never read)."""
    check_parts(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise out_of_memory() from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _refuse(f"not a readable XLSX workbook: {str(exc)[:200]}") from None
    sheet = _first_visible(workbook)
    rows = _cell_rows(sheet)
    try:
        first = next(rows, None)
    except MemoryError:
        workbook.close()
        raise out_of_memory() from None
    except Problem:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _refuse(f"not a readable XLSX workbook: {str(exc)[:200]}") from None
    if first is None:
        workbook.close()
        raise _refuse(f"sheet {sheet.title!r} is empty: its first row names the columns")
    header = first[1][: _last_value(first[1])]
    headers = [excel_text(h, False).strip() for h in header]
    width = len(headers)
    identifiers = [is_identifier(h) for h in headers]

    def frame(records: list[list[str]], numbers: list[int]) -> pd.DataFrame:
        out = pd.DataFrame(records, columns=list(range(width)), dtype=object)
        out["row"] = numbers
        return out

    def chunks() -> Iterator[pd.DataFrame]:
        records: list[list[str]] = []
        numbers: list[int] = []
        try:
            for number, values in rows:
                cells = list(values[:width]) + [None] * (width - len(values))
                records.append([excel_text(v, identifiers[i]) for i, v in enumerate(cells)])
                numbers.append(number)
                if len(records) == chunk_rows:
                    yield frame(records, numbers)
                    records, numbers = [], []
            if records:
                yield frame(records, numbers)
        except MemoryError:
            raise out_of_memory() from None
        except (Problem, GeneratorExit):
            raise
        except Exception as exc:
            raise _refuse(
                f"the workbook breaks near row {len(numbers)}: {str(exc)[:200]}"
            ) from None
        finally:
            workbook.close()

    return Table(headers, chunks(), sheet=sheet.title)


__all__ = ["MAX_COLUMNS", "MAX_ECHO_CHARS", "Table", "echo", "read_csv", "read_xlsx"]
