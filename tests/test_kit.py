"""The request kit on a bare app: a generic view that owns its transaction, and its paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import BaseModel
from sqlalchemy import Result, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db import create_engine, session_factory
from registry.models import Unit
from service.kit.keys import DB
from service.kit.paging import PageQuery
from service.kit.problems import conflict
from service.kit.view import ObjectView
from service.kit.web import Operation, Strict
from service.middlewares import error_middleware

OURS = ("A", "B", "C", "D")


class NoteIn(Strict):
    """A unit reduced to its code, for these tests."""

    code: str
    fail_after_flush: bool = False


class NoteOut(BaseModel):
    """A unit's code."""

    code: str


class UnitCodes(ObjectView[None, Unit]):
    """Units by code: list and create only; a create may fail after its rows were flushed."""

    create_body = NoteIn
    out = NoteOut

    async def scope(self, request: web.Request, session: AsyncSession) -> None:
        return None

    def listed(self, request: web.Request, scope: None, query: Any) -> Select[Any]:
        # The migrated database holds units of its own (GOV): list only this test's.
        return select(Unit).where(Unit.code.in_(OURS)).order_by(Unit.code)

    async def render_page(self, session: AsyncSession, scope: None, rows: Result[Any]) -> list[Any]:
        return [NoteOut(code=u.code) for u in rows.scalars()]

    async def perform_create(
        self, request: web.Request, session: AsyncSession, scope: None, given: Any
    ) -> BaseModel:
        digits = given.code.encode().hex()[:9].rjust(9, "0")
        session.add(
            Unit(
                code=given.code,
                name=given.code,
                credit_code=f"91230100M{digits}",
                kind="enterprise",
                in_province=True,
            )
        )
        await session.flush()
        if given.fail_after_flush:
            raise conflict("refused after the row was flushed")
        return NoteOut(code=given.code)


OPERATIONS = {
    "list": Operation(summary="List", tag="t", query=PageQuery),
    "create": Operation(summary="Create", tag="t", body=NoteIn),
}


@pytest.fixture
async def kit_client(
    database_url: str, aiohttp_client: Any
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    engine = create_engine(database_url)
    app = web.Application(middlewares=[error_middleware])
    app[DB] = session_factory(engine)
    UnitCodes(OPERATIONS).add_routes(app, "/units", "/units/{code}")
    yield await aiohttp_client(app)
    await engine.dispose()


async def codes(client: TestClient[web.Request, web.Application], query: str = "") -> Any:
    response = await client.get(f"/units{query}")
    assert response.status == 200
    return await response.json()


async def test_a_create_that_fails_after_its_flush_stores_nothing(
    kit_client: TestClient[web.Request, web.Application],
) -> None:
    refused = await kit_client.post("/units", json={"code": "A", "fail_after_flush": True})
    assert refused.status == 409
    created = await kit_client.post("/units", json={"code": "B"})
    assert created.status == 201
    assert [u["code"] for u in (await codes(kit_client))["items"]] == ["B"]


async def test_only_the_described_actions_are_routed(
    kit_client: TestClient[web.Request, web.Application],
) -> None:
    assert (await kit_client.delete("/units/B")).status in (404, 405)
    assert (await kit_client.patch("/units/B", json={})).status in (404, 405)
    routes = {
        (r.method, r.resource.canonical) for r in kit_client.app.router.routes() if r.resource
    }
    assert routes == {("GET", "/units"), ("POST", "/units")}
    assert all(hasattr(r.handler, "__operation__") for r in kit_client.app.router.routes())


async def test_a_page_counts_everything_the_select_matches(
    kit_client: TestClient[web.Request, web.Application],
) -> None:
    for code in ("C", "A", "B", "D"):
        assert (await kit_client.post("/units", json={"code": code})).status == 201
    page = await codes(kit_client, "?limit=2&offset=1")
    assert [u["code"] for u in page["items"]] == ["B", "C"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    beyond = await codes(kit_client, "?offset=10")
    assert (beyond["items"], beyond["total"]) == ([], 4)
