"""Check one chunk of invoice rows, column by column, and report every bad cell at once.

Fast path first: each column is checked with one compiled pattern (or, for columns with few
distinct values such as dates and credit codes, once per distinct value); only the cells that
fail are examined again to say exactly what is wrong. Without pyarrow, pandas' string methods
call Python per cell anyway, so plain comprehensions are the quicker vectorisation here.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from collectors.invoices.numbers import (
    CODE_PATTERN,
    DIGITAL_PATTERN,
    LEGACY_NUMBER_PATTERN,
    REVERSES_PATTERN,
)
from collectors.invoices.parsing import Rows
from collectors.invoices.tables import LOST_DIGITS, echo
from registry.credit_code import credit_code_error
from registry.digits import folded, non_ascii_problem
from service.kit.problems import FieldError

KINDS = {
    "": "blue",
    "blue": "blue",
    "red": "red",
    "蓝字": "blue",
    "红字": "red",
    "蓝字发票": "blue",
    "红字发票": "red",
}
# YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日; a time of day after the date (数电票 exports) is ignored.
DATE = re.compile(
    r"(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"
    r"|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日)"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
AMOUNT = re.compile(r"[0-9]{1,13}(?:\.[0-9]{1,2})?")
# 1,234,567.89: commas only between groups of three digits ("1,0,0" is no amount).
GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?")
FIRST_TWO = operator.itemgetter(slice(0, 2))  # a string's first two characters, called from C
DIGITAL = re.compile(DIGITAL_PATTERN)
DIGITAL_COLUMN = re.compile(f"(?:(?:{DIGITAL_PATTERN})\x00)*")  # a column joined by SEPARATOR
LEGACY_NUMBER = re.compile(LEGACY_NUMBER_PATTERN)
CODE = re.compile(CODE_PATTERN)
REVERSES = re.compile(REVERSES_PATTERN)
EXCEL_DIGITS = (
    "the spreadsheet holds it as a number, which keeps only 15 significant digits; "
    "format the column as text and export again"
)


@dataclass(frozen=True)
class Buyers:
    """Who the rows may name as buyer, and who a row without a buyer is."""

    default: int | None = None  # a row with no buyer column or an empty cell
    only: int | None = None  # when set, every row's buyer must be this unit
    only_reason: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What checking needs from outside the file: the units and today's date."""

    units: Mapping[str, int]  # credit code -> unit id
    buyers: Buyers
    today: dt.date


@dataclass
class Checked:
    """The good rows of a chunk in the invoice table's columns, and the bad cells' errors."""

    columns: dict[str, list[object]]
    errors: list[FieldError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["row"])


SEPARATOR = "\x00"  # joins a column's cells for one scan; a cell holding it takes the slow way
# ASCII whitespace, which str.strip() removes: a column without any needs no stripping.
SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# A column of plain amounts with two decimals each (as exports write them), for one scan.
TWO_DECIMALS = re.compile("(?:[0-9]{1,13}\\.[0-9]{2}\x00)*")


def _cells(values: list[object]) -> list[str]:
    """A column's cells, stripped and in NFKC form (full-width digits become 0-9)."""
    # Other scripts' digits stay and are refused later. An all-ASCII column of strings (the
    # usual case) is tested once, not cell by cell.
    try:
        joined = SEPARATOR.join(values)  # type: ignore[arg-type]
    except TypeError:  # a cell that is not a string (JSON numbers, missing cells)
        joined = ""
    if joined.isascii() and joined.count(SEPARATOR) == len(values) - 1:
        # One C-level substring scan per character: several times quicker than a regex search.
        if not any(space in joined for space in SPACES):
            return values  # type: ignore[return-value]  # all str, as the join showed
        return [str(v).strip() for v in values]
    return [folded(str(v).strip()) for v in values]


class _Chunk:
    """One chunk under check: its cells, which rows went bad, and the errors so far."""

    def __init__(self, frame: pd.DataFrame, rows: Rows) -> None:
        self.rows = rows
        self.size = len(frame)
        self.row_numbers: list[int] = frame["row"].tolist()
        self.columns = {
            name: _cells(frame[name].tolist()) for name in frame.columns if name != "row"
        }
        self.bad = [False] * self.size
        self.errors: list[FieldError] = []
        self._bad_cells: set[tuple[int, str]] = set()

    def cells(self, name: str) -> list[str]:
        """A column's stripped text; an absent column reads as empty cells."""
        return self.columns.get(name) or [""] * self.size

    def has(self, name: str) -> bool:
        """Whether the file has the column."""
        return name in self.columns

    def add(self, i: int, name: str, message: str) -> None:
        """One error at one row, named as the file names rows and columns; one per cell."""
        if (i, name) in self._bad_cells:
            return
        self._bad_cells.add((i, name))
        self.bad[i] = True
        where = self.row_numbers[i]
        label = self.rows.label(name)
        if self.rows.by_index:
            self.errors.append(FieldError(label, message, index=where))
        else:
            self.errors.append(FieldError(label, message, row=where))

    def check(
        self,
        name: str,
        passes: Callable[[str], bool],
        explain: Callable[[int, str], str | None],
    ) -> None:
        """Fast check of every cell; explain (a message, or None for fine) only the failures."""
        for i, value in enumerate(self.cells(name)):
            if not passes(value):
                message = explain(i, value)
                if message is not None:
                    self.add(i, name, message)


def _lost(value: str) -> bool:
    return value.startswith(LOST_DIGITS)


def check_numbers(chunk: _Chunk) -> tuple[list[str], list[bool]]:
    """The stored number of each row (legacy code + number) and whether it is legacy."""
    numbers, codes = chunk.cells("number"), chunk.cells("code")
    legacy = [c != "" for c in codes]
    code_label = chunk.rows.label("code")

    def number_problem(i: int, value: str) -> str:
        if value == "":
            return "required"
        if problem := non_ascii_problem(value):
            return problem
        if _lost(value):
            return EXCEL_DIGITS
        if legacy[i]:
            return f"{echo(value)}: with an invoice code the number has 8 digits"
        return (
            f"{echo(value)} is not an invoice number: a digital invoice (数电票) has 20 digits; "
            f"an older VAT invoice has an 8-digit number and its code in {code_label!r}"
        )

    def code_problem(i: int, value: str) -> str | None:
        if _lost(value):
            return EXCEL_DIGITS
        if problem := non_ascii_problem(value):
            return problem
        return f"{echo(value)} is not an invoice code: it has 10 or 12 digits"

    all_digital = not any(legacy) and DIGITAL_COLUMN.fullmatch(SEPARATOR.join(numbers) + SEPARATOR)
    for i, value in enumerate(() if all_digital else numbers):
        pattern = LEGACY_NUMBER if legacy[i] else DIGITAL
        if pattern.fullmatch(value) is None:
            chunk.add(i, "number", number_problem(i, value))
    if chunk.has("code"):
        chunk.check("code", lambda v: v == "" or CODE.fullmatch(v) is not None, code_problem)
        return [c + n for c, n in zip(codes, numbers, strict=True)], legacy
    return numbers, legacy


def _parse_date(text: str, today: dt.date) -> dt.date | str:
    """A date, or what is wrong with the text."""
    if text == "":
        return "required"
    m = DATE.fullmatch(text)
    if m is None and (problem := non_ascii_problem(text)):
        return problem
    if m is None:
        return f"{echo(text)} is not a date: write YYYY-MM-DD (2025/03/01 and 2025年3月1日 also do)"
    year, month, day = (int(g) for g in m.groups() if g is not None)
    try:
        day_ = dt.date(year, month, day)
    except ValueError:
        return f"{echo(text)}: no such day"
    if day_ > today:
        return f"{echo(text)} is after today ({today.isoformat()})"
    return day_


def check_dates(chunk: _Chunk, today: dt.date) -> list[dt.date | None]:
    """Issue dates; None where the cell is bad. Each distinct text is parsed once."""
    texts = chunk.cells("issued_on")
    parsed = {text: _parse_date(text, today) for text in set(texts)}
    if not any(isinstance(value, str) for value in parsed.values()):
        return list(map(parsed.__getitem__, texts))  # type: ignore[arg-type]  # all dates
    out: list[dt.date | None] = []
    for i, text in enumerate(texts):
        value = parsed[text]
        if isinstance(value, str):
            chunk.add(i, "issued_on", value)
            out.append(None)
        else:
            out.append(value)
    return out


def _fen(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _amount_problem(text: str) -> str:
    if text == "":
        return "required"
    if text.startswith("-"):
        return (
            "amounts are positive in the file; a reversal is a red-letter invoice (红字) "
            "with a positive amount"
        )
    if problem := non_ascii_problem(text):
        return problem
    if re.fullmatch(r"[0-9,]+\.[0-9]{3,}", text):
        return f"{echo(text)}: at most two decimals (whole fen)"
    return f"{echo(text)} is not an amount in yuan"


def check_amounts(chunk: _Chunk) -> list[int]:
    """Amounts in integer fen; 0 where the cell is bad. Thousands separators are allowed."""
    cells = chunk.cells("amount")
    joined = SEPARATOR.join(cells)
    if TWO_DECIMALS.fullmatch(joined + SEPARATOR):
        # "123.45" is 12345 fen: the points go in one replace, the ints are made in C.
        fast = list(map(int, joined.replace(".", "").split(SEPARATOR)))
        if 0 not in fast:
            return fast
    out: list[int] = []
    for i, text in enumerate(cells):
        if AMOUNT.fullmatch(text) is None:
            if GROUPED.fullmatch(text):
                text = text.replace(",", "")
            if AMOUNT.fullmatch(text) is None:
                chunk.add(i, "amount", _amount_problem(text))
                out.append(0)
                continue
        fen = _fen(text)
        if fen == 0:
            chunk.add(i, "amount", "must be more than 0.00")
        out.append(fen)
    return out


def check_kinds(chunk: _Chunk, numbers: list[str]) -> tuple[list[str], list[str | None]]:
    """Kind (blue or red) and the stored number a red invoice reverses (None for blue)."""
    distinct = {k: KINDS.get(k.lower()) for k in set(chunk.cells("kind"))}
    reverses, rcodes = chunk.cells("reverses"), chunk.cells("reverses_code")
    if set(distinct.values()) == {"blue"} and not any(reverses) and not any(rcodes):
        return ["blue"] * chunk.size, [None] * chunk.size
    kinds = list(map(distinct.__getitem__, chunk.cells("kind")))
    for i, kind in enumerate(kinds):
        if kind is None:
            value = chunk.cells("kind")[i]
            chunk.add(i, "kind", f"{echo(value)}: write 蓝字 or 红字 (blue or red); empty is 蓝字")
    targets: list[str | None] = []
    for i, kind in enumerate(kinds):
        target, rcode = reverses[i], rcodes[i]
        if kind != "red":
            if target or rcode:
                chunk.add(i, "reverses", "only a red-letter invoice (红字) reverses another")
            targets.append(None)
            continue
        if target == "" and rcode == "" and chunk.rows.reverses_optional:
            targets.append(None)  # the export did not name it: reversal_without_original
            continue
        problem = _reverses_problem(target, rcode)
        if problem is not None:
            chunk.add(i, problem[0], problem[1])
        elif rcode + target == numbers[i]:
            chunk.add(i, "reverses", "a red-letter invoice cannot reverse itself")
        targets.append(rcode + target)
    return [k or "blue" for k in kinds], targets


def _reverses_problem(target: str, rcode: str) -> tuple[str, str] | None:
    if target == "":
        return (
            "reverses",
            "required for a red-letter invoice (红字): the number of the invoice it reverses",
        )
    if _lost(target):
        return "reverses", EXCEL_DIGITS
    if rcode == "":
        if REVERSES.fullmatch(target) is None:
            return (
                "reverses",
                f"{echo(target)} is not an invoice number (20 digits, or code and 8-digit number)",
            )
        return None
    if _lost(rcode) or CODE.fullmatch(rcode) is None:
        return "reverses_code", f"{echo(rcode)} is not an invoice code: it has 10 or 12 digits"
    if LEGACY_NUMBER.fullmatch(target) is None:
        return "reverses", f"{echo(target)}: with an invoice code the number has 8 digits"
    return None


def _credit_code_problem(value: str, units: Mapping[str, int]) -> str | None:
    if _lost(value):
        return EXCEL_DIGITS
    if error := credit_code_error(value):
        return f"{echo(value)} is not a credit code (统一社会信用代码): {error}"
    if value not in units:
        return f"no unit with credit code {value} is registered"
    return None


def _unit_ids(chunk: _Chunk, name: str, units: Mapping[str, int], default: int | None) -> list[int]:
    """Unit ids of a credit-code column; -1 where the cell is bad. Once per distinct code."""
    values = chunk.cells(name)
    found: dict[str, int | str] = {}
    for value in set(values):
        if value == "":
            found[value] = "required" if default is None else default
        else:
            problem = _credit_code_problem(value, units)
            found[value] = problem if problem is not None else units[value]
    if not any(isinstance(hit, str) for hit in found.values()):
        return list(map(found.__getitem__, values))  # type: ignore[arg-type]  # all unit ids
    out: list[int] = []
    for i, value in enumerate(values):
        hit = found[value]
        if isinstance(hit, str):
            chunk.add(i, name, hit)
            out.append(-1)
        else:
            out.append(hit)
    return out


def check_buyers(chunk: _Chunk, ctx: CheckContext) -> list[int]:
    """Buyer unit ids: the rows' credit codes, or the default buyer."""
    if not chunk.has("buyer"):
        return [ctx.buyers.default or -1] * chunk.size
    ids = _unit_ids(chunk, "buyer", ctx.units, ctx.buyers.default)
    only = ctx.buyers.only
    if only is not None and not set(ids) <= {only, -1}:
        for i, buyer in enumerate(ids):
            if buyer not in (only, -1):
                chunk.add(i, "buyer", ctx.buyers.only_reason)
    return ids


def check_year_digits(
    chunk: _Chunk, numbers: list[str], legacy: list[bool], dates: list[dt.date | None]
) -> None:
    """A digital invoice number starts with the two digits of its year of issue."""
    label = chunk.rows.label("issued_on")
    years = {day: f"{day.year % 100:02d}" for day in set(dates) if day is not None}
    if not any(legacy) and None not in dates:
        # The usual chunk: one comparison per row, in C.
        given = list(map(FIRST_TWO, numbers))
        if given == list(map(years.__getitem__, dates)):  # type: ignore[arg-type]
            return
    for i, day in enumerate(dates):
        if day is None or legacy[i] or chunk.bad[i]:
            continue
        if numbers[i][:2] != years[day]:
            message = (
                f"{echo(numbers[i])}: digits 1-2 of a digital invoice number are its year, "
                f"which does not match {label} {day.isoformat()}"
            )
            chunk.add(i, "number", message)


def check_repeats(chunk: _Chunk, numbers: list[str], buyers: list[int]) -> None:
    """The same invoice of the same buyer twice in one chunk: the later rows are errors."""
    # No key twice, the usual chunk: told by a set of the numbers alone when there is one
    # buyer (strings are quicker to hash than tuples, and the collector does not track them).
    keys: Iterable[object] = numbers if len(set(buyers)) == 1 else zip(numbers, buyers, strict=True)
    if len(set(keys)) == len(numbers):
        return
    first: dict[tuple[str, int], int] = {}
    word = "index" if chunk.rows.by_index else "row"
    for i, key in enumerate(zip(numbers, buyers, strict=True)):
        if chunk.bad[i]:
            continue
        j = first.setdefault(key, i)
        if j != i:
            message = f"appears twice in this upload (first at {word} {chunk.row_numbers[j]})"
            chunk.add(i, "number", message)


def check_chunk(frame: pd.DataFrame, rows: Rows, ctx: CheckContext) -> Checked:
    """Check every cell of a chunk; the good rows come back in the invoice table's columns."""
    chunk = _Chunk(frame, rows)
    numbers, legacy = check_numbers(chunk)
    dates = check_dates(chunk, ctx.today)
    fen = check_amounts(chunk)
    kinds, reverses = check_kinds(chunk, numbers)
    buyers = check_buyers(chunk, ctx)
    sellers = _unit_ids(chunk, "seller", ctx.units, None)
    check_year_digits(chunk, numbers, legacy, dates)
    check_repeats(chunk, numbers, buyers)
    codes: list[str | None] = (
        [c or None for c in chunk.cells("code")] if any(legacy) else [None] * chunk.size
    )
    full: dict[str, list[object]] = {
        "number": numbers,  # type: ignore[dict-item]
        "code": codes,  # type: ignore[dict-item]
        "buyer_unit_id": buyers,  # type: ignore[dict-item]
        "seller_unit_id": sellers,  # type: ignore[dict-item]
        "issued_on": dates,  # type: ignore[dict-item]
        "amount_fen": fen,  # type: ignore[dict-item]
        "kind": kinds,  # type: ignore[dict-item]
        "reverses": reverses,  # type: ignore[dict-item]
        "row": chunk.row_numbers,  # type: ignore[dict-item]
    }
    if True in chunk.bad:  # only good rows go on (the file is refused anyway, whole)
        keep = [i for i, bad in enumerate(chunk.bad) if not bad]
        full = {name: [column[i] for i in keep] for name, column in full.items()}
    columns = full
    # Each row's errors read left to right, as the columns stand in the file.
    order = {label: i for i, label in enumerate(rows.labels.values())}
    chunk.errors.sort(key=lambda e: (e.index or 0, e.row or 0, order.get(e.field, len(order))))
    return Checked(columns, chunk.errors)
