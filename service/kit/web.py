"""HTTP helpers shared by every package: input reading, operation metadata, responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from service.kit.keys import Handler
from service.kit.problems import FieldError, Problem, bad_request, invalid, too_large

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

PROBLEM_STATUSES = {
    400: "The request could not be read",
    401: "No valid bearer token",
    403: "The token may not do this",
    404: "No such object",
    409: "Conflicts with what is stored",
    413: "The body is too large",
    415: "Unsupported content type",
    422: "The input failed its checks; nothing was stored",
    429: "Too many requests; try again later",
}


class Strict(BaseModel):
    """Unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one route: input and every answer it can give."""

    summary: str
    tag: str
    body: Any = None
    body_media: Mapping[str, Any] = field(default_factory=dict)
    body_optional: bool = False  # an empty body is a valid request (Pushgateway pushes)
    query: type[BaseModel] | None = None
    responses: Mapping[int, Any] = field(default_factory=dict)
    # Answers that are not JSON (files): status -> {media type: JSON schema}.
    response_media: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    problems: tuple[int, ...] = (400, 401, 403, 422)
    public: bool = False
    description: str | None = None


def operation(**kwargs: Any) -> Callable[[Handler], Handler]:
    """Attach OpenAPI metadata to a handler."""

    def mark(handler: Handler) -> Handler:
        handler.__operation__ = Operation(**kwargs)  # type: ignore[attr-defined]
        return handler

    return mark


def pydantic_errors(exc: ValidationError, index: int | None = None) -> list[FieldError]:
    """Turn pydantic's errors into field errors with dotted paths like `costs.equipment`."""
    out: list[FieldError] = []
    for err in exc.errors(include_url=False):
        raw = [p for p in err["loc"] if p != "[key]"]
        loc = [str(p) for p in raw]
        item: int | None
        if index is None and raw and isinstance(raw[0], int):
            item, loc = raw[0], loc[1:]
        else:
            item = index
        path = ".".join(loc) or "body"
        message = err["msg"].removeprefix("Value error, ")
        error = FieldError(field=path, message=message, index=item)
        error.code, error.params = err["type"], dict(err.get("ctx") or {})
        out.append(error)
    return out


# Decimal keeps 1e999999999 as it is written, but int() or format() of it would build a
# number of a billion digits; nothing we take is beyond 1e±100.
MAX_DECIMAL_EXPONENT = 100


class _NumberOutOfRange(ValueError):
    """A JSON number far beyond any value the service takes."""


def _decimal(text: str) -> Decimal:
    number = Decimal(text)
    if number.is_finite() and abs(number.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise _NumberOutOfRange(text)
    return number


def loads(raw: bytes | str) -> Any:
    """Parse JSON with exact decimals: a number never becomes a float."""
    try:
        return json.loads(raw, parse_float=_decimal)
    except RecursionError:
        raise nested_too_deeply(raw) from None
    except _NumberOutOfRange as exc:
        message = f"the number {str(exc)[:40]} is out of range (at most 1e{MAX_DECIMAL_EXPONENT})"
        raise json.JSONDecodeError(message, str(exc), 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:
        # An integer of more than 4,300 digits (Python's int conversion limit).
        raise json.JSONDecodeError("a number is out of range", "", 0) from None


def nested_too_deeply(raw: bytes | str) -> json.JSONDecodeError:
    """The decode error of JSON nested past the parser's recursion limit (about 1,000)."""
    # Checking a smaller depth before parsing costs more than the parse itself (measured:
    # 0.6 s for 8 MiB), and the models refuse any nesting deeper than their own shapes.
    text = raw if isinstance(raw, str) else raw[:100].decode("utf-8", "replace")
    return json.JSONDecodeError("nested too deeply", text, 0)


# Parsing or validating more than this many bytes or items runs in a worker thread, so one
# large request does not stall every other request on the event loop.
OFF_LOOP_BYTES = 1024 * 1024
OFF_LOOP_ITEMS = 1000
# The most objects one registry list POST may create.
MAX_LIST_ITEMS = 10_000


# A JSON body bound below the app-wide upload limit: 10,000 registry objects fit in a few MiB.
MAX_JSON_BYTES = 32 * 1024 * 1024


async def read_json(request: web.Request, limit: int = MAX_JSON_BYTES) -> Any:
    """The request body as JSON (at most `limit` bytes), or a 400/413/415 naming what is wrong."""
    if request.content_type not in ("application/json", "application/octet-stream", ""):
        raise Problem(415, "Unsupported media type", "send application/json")
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    raw = await request.read()  # also bounded by the app's own limit, for chunked bodies
    if len(raw) > limit:
        raise too_large(limit)
    if not raw.strip():
        raise bad_request("the body is empty; send JSON")
    try:
        if len(raw) > OFF_LOOP_BYTES:
            return await asyncio.to_thread(loads, raw.decode("utf-8"))
        return loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise bad_request("the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def validate(model: type[M], data: Any, index: int | None = None) -> M:
    """Validate one object, raising 422 with every field error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(pydantic_errors(exc, index)) from None


def check_list_length(items: list[Any], limit: int = MAX_LIST_ITEMS, field: str = "body") -> None:
    """Refuse (422) a list longer than the limit, naming the limit, before reading any item."""
    if len(items) > limit:
        message = f"{len(items):,} items in one list; at most {limit:,}: send several requests"
        raise invalid([FieldError(field, message)], f"at most {limit:,} items in one list")


async def validate_many_off_loop(model: type[M], items: list[Any]) -> list[M]:
    """validate_many, in a worker thread when the list is long."""
    if len(items) > OFF_LOOP_ITEMS:
        return await asyncio.to_thread(validate_many, model, items)
    return validate_many(model, items)


def validate_many(model: type[M], items: list[Any]) -> list[M]:
    """Validate a list: all or nothing, every bad item reported by index."""
    errors: list[FieldError] = []
    good: list[M] = []
    for i, item in enumerate(items):
        try:
            good.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, i))
    if errors:
        raise invalid(errors)
    return good


def read_query(request: web.Request, model: type[M]) -> M:
    """Validate the query string against a model; unknown parameters are refused."""
    data: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = pydantic_errors(exc)
        for e in errors:
            e.field = f"query.{e.field}"
        raise Problem(400, "Bad query", "the query string failed its checks", errors) from None


def respond(payload: BaseModel | Any, status: int = 200, adapter: Any = None) -> web.Response:
    """A JSON response from a model, or from plain data through a TypeAdapter."""
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json()
    elif adapter is not None:
        body = TypeAdapter(adapter).dump_json(payload).decode()
    else:
        body = json.dumps(payload, ensure_ascii=False, default=str)
    return web.Response(text=body, status=status, content_type="application/json")


# Ids are 32-bit integers on both databases; a longer one names nothing.
MAX_ID = 2**31 - 1


def path_id(request: web.Request, what: str, name: str = "id") -> int:
    """The id in the path, or the 404 of an absent object when it is not a stored id's form."""
    raw = request.match_info[name]
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if not 1 <= value <= MAX_ID:
        raise Problem(404, "Not found", f"no {what} with id {raw}")
    return value
