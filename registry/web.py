"""HTTP helpers shared by every package: typed app keys, input reading, operation metadata."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from registry.problems import FieldError, Problem, bad_request, invalid
from registry.roles import Principal

DB = web.AppKey("db", async_sessionmaker[AsyncSession])
METRICS = web.AppKey("metrics", CollectorRegistry)
DATABASE_URL = web.AppKey("database_url", str)
PRINCIPAL = web.RequestKey("principal", Principal)
REQUEST_ID = web.RequestKey("request_id", str)
CLIENT_REQUEST_ID = web.RequestKey("client_request_id", str)  # the caller's own, kept apart
# APScheduler 3 ships no types; packages add their jobs to the one scheduler of the app.
SCHEDULER: web.AppKey[Any] = web.AppKey("scheduler", object)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
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
        loc = [str(p) for p in err["loc"] if p != "[key]"]
        item: int | None
        if index is None and loc and loc[0].isdigit():
            item, loc = int(loc[0]), loc[1:]
        else:
            item = index
        path = ".".join(loc) or "body"
        message = err["msg"].removeprefix("Value error, ")
        out.append(FieldError(field=path, message=message, index=item))
    return out


def loads(raw: bytes | str) -> Any:
    """Parse JSON with exact decimals: a number never becomes a float."""
    return json.loads(raw, parse_float=Decimal)


async def read_json(request: web.Request) -> Any:
    """The request body as JSON, or a 400 naming what is wrong."""
    if request.content_type not in ("application/json", "application/octet-stream", ""):
        raise Problem(415, "Unsupported media type", "send application/json")
    raw = await request.read()
    if not raw.strip():
        raise bad_request("the body is empty; send JSON")
    try:
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
