"""The invoice upload's English error messages as a page shows them, in the page's language.

The API words its row errors in English (Chinese API messages come later); the upload page
recognises each message by its shape and says it from the word book. A message of a shape not
listed here is shown as the API gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.problems import FieldError, Problem
from service.workbench.i18n import Translate

_V = r"(?P<value>'.*'|\S+)"
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), key)
    for pattern, key in (
        (r"^required column is missing.*?\(the file has: (?P<found>.*)\)", "err_required_column"),
        (r"^required$", "err_required"),
        (rf"^{_V} is not an invoice number", "err_not_number"),
        (rf"^{_V}: with an invoice code the number has 8 digits", "err_number_with_code"),
        (rf"^{_V} is not an invoice code", "err_not_code"),
        (rf"^{_V} is not a date", "err_not_date"),
        (rf"^{_V}: no such day", "err_no_such_day"),
        (rf"^{_V} is after today \((?P<today>[0-9-]+)\)", "err_after_today"),
        (rf"^{_V}: at most two decimals", "err_two_decimals"),
        (rf"^{_V} is not an amount in yuan", "err_not_amount"),
        (rf"^{_V}: write 蓝字 or 红字", "err_kind"),
        (r"^a red-letter invoice cannot reverse itself", "err_reverse_self"),
        (rf"^{_V} is not a credit code \(统一社会信用代码\): (?P<why>.*)", "err_not_credit"),
        (r"^no unit with credit code (?P<value>\S+) is registered", "err_no_unit"),
        (r"^must be your unit's credit code (?P<value>\S+):", "err_own_credit"),
        (rf"^{_V}: digits 1-2 of a digital invoice number .* {_V.replace('value', 'day')}$",
         "err_year_digits"),
        (r"^appears twice in this upload \(first at \S+ (?P<first>[0-9]+)\)", "err_twice"),
        (r"^already uploaded with other values: stored (?P<stored>.*)", "err_stored_differs"),
        (rf"^says the same as column {_V}", "err_same_column"),
        (r"^the file was refused: (?P<why>.*)", "err_refused"),
        (r"^file '.*': name a \.csv, \.xlsx or \.json file", "err_file_type"),
        (r"^the form's file is empty|^the form has no `file` field", "err_no_file"),
    )
)  # fmt: skip
_MANY = re.compile(r"^(?P<count>[0-9]+) errors in the input; the first (?P<listed>[0-9]+)")


def say(message: str, _: Translate) -> str:
    """One upload message in the page's language, or as given when its shape is unknown."""
    for pattern, key in SHAPES:
        found = pattern.match(message)
        if found:
            return _(key, **found.groupdict())
    return message


@dataclass(frozen=True)
class RowError:
    """One error of an upload as the page lists it."""

    row: int | None
    column: str
    message: str


def row_errors(problem: Problem, _: Translate) -> tuple[str, list[RowError]]:
    """A refused upload's summary and its errors, row by row, in the page's language."""
    errors: list[FieldError] = list(problem.errors)
    many = _MANY.match(problem.detail or "")
    if many:
        summary = _("err_many", **many.groupdict())
    elif errors:
        summary = ""
    elif problem.status == 413:
        summary = _("err_too_large")
    else:
        summary = say(problem.detail or problem.title, _)
    rows = [
        RowError(e.row if e.row is not None else e.index, e.field, say(e.message, _))
        for e in errors
    ]
    return summary, rows
