"""Problems: the failures the service reports, as RFC 9457 problem details."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One bad field of the input: where it is and what is wrong."""

    field: str
    message: str
    index: int | None = None
    row: int | None = None
    # pydantic's error type and context, when it found the error: messages are translated by them.
    code: str | None = dataclasses.field(default=None, init=False, compare=False)
    params: dict[str, Any] | None = dataclasses.field(default=None, init=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The wire form: index or row only when known."""
        out: dict[str, Any] = {}
        if self.index is not None:
            out["index"] = self.index
        if self.row is not None:
            out["row"] = self.row
        out["field"] = self.field
        out["message"] = self.message
        return out


@dataclass
class Problem(Exception):
    """An expected failure with an HTTP status; the error middleware renders it."""

    status: int
    title: str
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    type: str = "about:blank"

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail or ''}"


def invalid(errors: list[FieldError], detail: str | None = None) -> Problem:
    """422: the input was read but did not pass the checks."""
    count = len(errors)
    # Stable order: by item, then as found, so a reader sees each item's errors together.
    errors = sorted(
        errors,
        key=lambda e: (e.index if e.index is not None else -1, e.row if e.row is not None else -1),
    )
    return Problem(
        422,
        "Invalid input",
        detail or f"{count} error{'s' if count != 1 else ''} in the input; nothing was stored",
        errors,
    )


def bad_request(detail: str, errors: list[FieldError] | None = None) -> Problem:
    """400: the request could not be read at all."""
    return Problem(400, "Bad request", detail, errors or [])


def not_found(kind: str, code: str) -> Problem:
    """404: no such object."""
    return Problem(404, "Not found", f"no {kind} with code {code!r}")


def conflict(detail: str) -> Problem:
    """409: the request contradicts what is stored."""
    return Problem(409, "Conflict", detail)


def unauthorized(detail: str = "a valid bearer token is required") -> Problem:
    """401: no valid token."""
    return Problem(401, "Unauthorized", detail)


def forbidden(detail: str) -> Problem:
    """403: a valid token that may not do this."""
    return Problem(403, "Forbidden", detail)


def too_large(limit: int | None = None) -> Problem:
    """413: the body is over the size limit (named when known)."""
    if limit is None:
        return Problem(413, "Payload too large", "the request body exceeds the size limit")
    size = f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"
    return Problem(413, "Payload too large", f"the body exceeds {size}")
