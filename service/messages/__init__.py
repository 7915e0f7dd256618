"""Every message a person reads, in Chinese and English: English ids, translated at the edge."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from service.kit.problems import FieldError, Problem
from service.messages.catalogue import Catalogue
from service.messages.collectors_zh import INVOICES, TELEMETRY
from service.messages.common_zh import (
    CLI,
    COMMON,
    NOUNS,
    PYDANTIC_REASONS,
    PYDANTIC_TEXT,
    STATUS_TITLES,
    TITLES,
)
from service.messages.incentives_zh import SCENARIOS, STATEMENTS
from service.messages.lang import Language, from_accept_language, from_environment
from service.messages.pydantic_zh import by_type
from service.messages.registry_zh import REGISTRY

BOOKS = (
    COMMON,
    PYDANTIC_TEXT,
    PYDANTIC_REASONS,
    REGISTRY,
    INVOICES,
    TELEMETRY,
    STATEMENTS,
    SCENARIOS,
)
CATALOGUE = Catalogue(BOOKS, NOUNS)
# The CLI's frames ("row 3: field: message") come first, around a message of the catalogue.
CLI_FRAMES = Catalogue((CLI,), NOUNS, inner=CATALOGUE)
# Codes pydantic gives whose text is the validator's own message: those go through the catalogue.
_OWN_TEXT = frozenset({"value_error", "assertion_error"})


def zh(text: str) -> str | None:
    """The Chinese of one message, or None when the catalogue lacks it."""
    return CATALOGUE.zh(text)


def cli_zh(line: str) -> str | None:
    """One line the CLI prints, in Chinese: a frame around a known message, or the message."""
    return CLI_FRAMES.zh(line, whole=True) or CATALOGUE.zh(line) or CLI_FRAMES.zh(line)


def title_zh(title: str, status: int) -> str:
    """A problem's title in Chinese: by its text, else by its status."""
    return TITLES.get(title) or STATUS_TITLES.get(status) or CATALOGUE.zh(title) or title


def field_message_zh(error: FieldError) -> str | None:
    """One field error's message in Chinese, by pydantic's type when it carries one."""
    code = getattr(error, "code", None)
    if code and code not in _OWN_TEXT:
        found = by_type(code, getattr(error, "params", None))
        if found is not None:
            return found
    return CATALOGUE.zh(error.message)


def localize(problem: Problem, lang: Language) -> Problem:
    """The problem as a reader of `lang` reads it (English is the text it was raised with)."""
    if lang is not Language.ZH:
        return problem
    errors = [
        dataclasses.replace(e, message=field_message_zh(e) or e.message) for e in problem.errors
    ]
    detail = problem.detail and (CATALOGUE.zh(problem.detail) or problem.detail)
    return Problem(
        problem.status, title_zh(problem.title, problem.status), detail, errors, problem.type
    )


def untranslated(problem: Problem) -> Iterable[str]:
    """The texts of a problem the catalogue has no Chinese for (for coverage reports)."""
    if problem.title not in TITLES and problem.status not in STATUS_TITLES:
        yield problem.title
    if problem.detail and CATALOGUE.zh(problem.detail) is None:
        yield problem.detail
    for e in problem.errors:
        if field_message_zh(e) is None:
            yield e.message


__all__ = [
    "CATALOGUE",
    "CLI_FRAMES",
    "Language",
    "cli_zh",
    "from_accept_language",
    "from_environment",
    "localize",
    "zh",
]
