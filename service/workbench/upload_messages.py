"""The invoice upload's errors as a page shows them, in the page's language.

The words are the API's own (`service/messages/`): the page and an API client that asks for
Chinese read the same sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.kit.problems import Problem
from service.messages import Language, localize, zh
from service.workbench.i18n import Lang, Translate

_MANY = re.compile(r"^[0-9]+ errors in the input; the first [0-9]+")


def say(message: str, _: Translate) -> str:
    """One upload message in the page's language (English as given when none is known)."""
    return (zh(message) or message) if _.lang is Lang.ZH else message


@dataclass(frozen=True)
class RowError:
    """One error of an upload as the page lists it."""

    row: int | None
    column: str
    message: str


def row_errors(problem: Problem, _: Translate) -> tuple[str, list[RowError]]:
    """A refused upload's summary and its errors, row by row, in the page's language."""
    shown = localize(problem, Language.ZH) if _.lang is Lang.ZH else problem
    # With every error listed, the page's own heading says it all; a cut list says how many.
    listed_all = bool(problem.errors) and not _MANY.match(problem.detail or "")
    summary = "" if listed_all else (shown.detail or shown.title)
    rows = [
        RowError(e.row if e.row is not None else e.index, e.field, e.message) for e in shown.errors
    ]
    return summary, rows
