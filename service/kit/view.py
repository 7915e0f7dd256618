"""One generic view of a kind of object: list, create, get, change and delete, by small steps.

The shape of NetBox's api/viewsets: the view fixes the order (read the input, open one
session, find the scope and the object, perform the change, commit once) and a kind of
object overrides the steps it needs. The view owns the transaction: perform_* steps flush,
never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, NamedTuple, TypeVar

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import Result, Select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.keys import DB, Handler
from service.kit.paging import Page, PageQuery, paginate
from service.kit.transaction import commit
from service.kit.web import Operation, read_json, read_query, respond, validate

S = TypeVar("S")  # what the path names above the object (a centre), or the request's context
R = TypeVar("R")  # one stored object (a row)


class Answer(NamedTuple):
    """What a change answers: the object as it is now, and the status."""

    body: BaseModel
    status: int = 200


class ObjectView(Generic[S, R]):
    """The five routes of one kind of object; only the actions given operations are routed."""

    query: type[PageQuery] = PageQuery
    create_body: Any = None
    patch_body: Any = None
    out: Any = None  # the model of one object as answered

    def __init__(self, operations: Mapping[str, Operation]) -> None:
        self.operations = dict(operations)

    # --- steps a kind of object overrides -----------------------------------------------

    async def scope(self, request: web.Request, session: AsyncSession) -> S:
        """What every route of this view needs first, with the caller's right to read it."""
        raise NotImplementedError

    def may_change(self, request: web.Request, scope: S) -> None:
        """Refuse (403) a caller who may change nothing here, before any object is looked up."""

    async def check_filters(
        self, request: web.Request, session: AsyncSession, scope: S, query: Any
    ) -> None:
        """Refuse a filter naming what the caller may not see (403) or what is not there (404)."""

    def listed(self, request: web.Request, scope: S, query: Any) -> Select[Any]:
        """The ordered select of what the list shows."""
        raise NotImplementedError

    async def render_page(self, session: AsyncSession, scope: S, rows: Result[Any]) -> list[Any]:
        """The list's items from one page of rows."""
        raise NotImplementedError

    def page(self, items: list[Any], total: int, query: PageQuery) -> BaseModel:
        """The list's answer."""
        return Page[self.out](items=items, total=total, limit=query.limit, offset=query.offset)  # type: ignore[name-defined]

    async def lookup(self, request: web.Request, session: AsyncSession, scope: S) -> R:
        """The object the path names, or 404 (also for one the caller may not see)."""
        raise NotImplementedError

    async def render(self, session: AsyncSession, scope: S, obj: R) -> BaseModel:
        """One object as GET answers it."""
        raise NotImplementedError

    async def read_create(self, request: web.Request) -> Any:
        """The validated body of a create, read before any database work."""
        return validate(self.create_body, await read_json(request))

    async def read_patch(self, request: web.Request) -> Any:
        """The validated body of a change, read before any database work."""
        return validate(self.patch_body, await read_json(request))

    async def perform_create(
        self, request: web.Request, session: AsyncSession, scope: S, given: Any
    ) -> BaseModel:
        """Add what was given, audited; flush, never commit. Answers 201 with the result."""
        raise NotImplementedError

    async def perform_update(
        self, request: web.Request, session: AsyncSession, scope: S, obj: R, given: Any
    ) -> Answer:
        """Apply a change, audited; flush, never commit."""
        raise NotImplementedError

    async def perform_destroy(
        self, request: web.Request, session: AsyncSession, scope: S, obj: R
    ) -> Answer | None:
        """Delete one object, audited; flush, never commit. An answer: not deleted (yet)."""
        raise NotImplementedError

    def destroyed(self, request: web.Request, obj: R) -> None:
        """What follows a committed delete outside the database (metrics); nothing by default."""

    # --- the fixed shape ------------------------------------------------------------------

    async def list(self, request: web.Request) -> web.Response:
        """GET the collection, one page."""
        query = read_query(request, self.query)
        async with request.app[DB]() as session:
            scope = await self.scope(request, session)
            await self.check_filters(request, session, scope, query)
            rows, total = await paginate(
                session, self.listed(request, scope, query), query.limit, query.offset
            )
            items = await self.render_page(session, scope, rows)
        return respond(self.page(items, total, query))

    async def create(self, request: web.Request) -> web.Response:
        """POST to the collection: one transaction."""
        given = await self.read_create(request)
        async with request.app[DB]() as session:
            scope = await self.scope(request, session)
            self.may_change(request, scope)
            out = await self.perform_create(request, session, scope, given)
            await commit(session)
        return respond(out, status=201)

    async def retrieve(self, request: web.Request) -> web.Response:
        """GET one object."""
        async with request.app[DB]() as session:
            scope = await self.scope(request, session)
            obj = await self.lookup(request, session, scope)
            return respond(await self.render(session, scope, obj))

    async def update(self, request: web.Request) -> web.Response:
        """PATCH one object: one transaction."""
        given = await self.read_patch(request)
        async with request.app[DB]() as session:
            scope = await self.scope(request, session)
            self.may_change(request, scope)
            obj = await self.lookup(request, session, scope)
            answer = await self.perform_update(request, session, scope, obj, given)
            await commit(session)
        return respond(answer.body, status=answer.status)

    async def destroy(self, request: web.Request) -> web.Response:
        """DELETE one object: one transaction."""
        async with request.app[DB]() as session:
            scope = await self.scope(request, session)
            self.may_change(request, scope)
            obj = await self.lookup(request, session, scope)
            answer = await self.perform_destroy(request, session, scope, obj)
            await commit(session)
        if answer is not None:
            return respond(answer.body, status=answer.status)
        self.destroyed(request, obj)
        return web.Response(status=204)

    def add_routes(self, app: web.Application, collection: str, item: str) -> None:
        """Route each action that has an operation: list/create on the collection, the rest
        on the item."""
        methods = {
            "list": ("GET", collection, self.list),
            "create": ("POST", collection, self.create),
            "retrieve": ("GET", item, self.retrieve),
            "update": ("PATCH", item, self.update),
            "destroy": ("DELETE", item, self.destroy),
        }
        for action, operation in self.operations.items():
            method, path, step = methods[action]
            app.router.add_route(method, path, _described(step, operation))


def _described(step: Handler, operation: Operation) -> Handler:
    # A bound method takes no attributes: the OpenAPI document reads them from a function.
    async def handler(request: web.Request) -> web.StreamResponse:
        return await step(request)

    handler.__operation__ = operation  # type: ignore[attr-defined]
    return handler
