"""The registry browser, the audit log and reconciliation mismatches, as paged tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.reconciliation import reconcile
from registry.models import (
    AuditEntry,
    ComputingCenter,
    FiveGSite,
    IdentifierNode,
    KeyProviderListing,
    Unit,
)
from registry.money import from_fen
from registry.web_sessions import SignedIn
from service.kit.keys import DB
from service.kit.paging import paginate
from service.kit.problems import Problem
from service.workbench.core import PageContext, page, page_offset

PAGE_SIZE = 50
MAX_FILTER_CHARS = 64


@dataclass(frozen=True)
class Column:
    """One column of a browser table: its heading word and how a row shows it."""

    word: str
    show: Callable[[Any], object]


@dataclass(frozen=True)
class Browsable:
    """A kind of registry object as the browser lists it."""

    table: Any
    columns: Sequence[Column]
    filters: Sequence[str]  # query parameters, each a column of the table
    order: Any


def _pflops(row: Any) -> str:
    return "，".join(f"{k} {v}" for k, v in sorted(row.ComputingCenter.capacity_pflops.items()))


def _costs(row: Any) -> str:
    return "，".join(f"{k} {from_fen(v)}" for k, v in sorted(row.ComputingCenter.costs_fen.items()))


KINDS: dict[str, Browsable] = {
    "units": Browsable(
        Unit,
        [Column("code", lambda r: r.Unit.code), Column("name", lambda r: r.Unit.name),
         Column("credit_code", lambda r: r.Unit.credit_code),
         Column("kind", lambda r: r.Unit.kind), Column("region", lambda r: r.Unit.region)],
        ["kind", "region"], Unit.code,
    ),
    "computing-centers": Browsable(
        ComputingCenter,
        [Column("code", lambda r: r.ComputingCenter.code),
         Column("name", lambda r: r.ComputingCenter.name), Column("unit", lambda r: r.unit_code),
         Column("kind", lambda r: r.ComputingCenter.kind),
         Column("region", lambda r: r.ComputingCenter.region),
         Column("status", lambda r: r.ComputingCenter.status),
         Column("capacity", _pflops),
         Column("commissioned_on", lambda r: r.ComputingCenter.commissioned_on),
         Column("costs", _costs),
         Column("verified", lambda r: r.ComputingCenter.verified)],
        ["kind", "region", "status"], ComputingCenter.code,
    ),
    "identifier-nodes": Browsable(
        IdentifierNode,
        [Column("code", lambda r: r.IdentifierNode.code), Column("unit", lambda r: r.unit_code),
         Column("industry", lambda r: r.IdentifierNode.industry),
         Column("region", lambda r: r.IdentifierNode.region),
         Column("status", lambda r: r.IdentifierNode.status),
         Column("connected_on", lambda r: r.IdentifierNode.connected_on),
         Column("verified", lambda r: r.IdentifierNode.verified)],
        ["region", "status"], IdentifierNode.code,
    ),
    "5g-sites": Browsable(
        FiveGSite,
        [Column("code", lambda r: r.FiveGSite.code), Column("unit", lambda r: r.unit_code),
         Column("division", lambda r: r.FiveGSite.division),
         Column("status", lambda r: r.FiveGSite.status),
         Column("bands", lambda r: "、".join(r.FiveGSite.bands)),
         Column("opened_on", lambda r: r.FiveGSite.opened_on)],
        ["division", "status"], FiveGSite.code,
    ),
    "key-providers": Browsable(
        KeyProviderListing,
        [Column("code", lambda r: r.KeyProviderListing.code),
         Column("unit", lambda r: r.unit_code),
         Column("listed_from", lambda r: r.KeyProviderListing.listed_from),
         Column("listed_until", lambda r: r.KeyProviderListing.listed_until)],
        [], KeyProviderListing.code,
    ),
}  # fmt: skip


def _filters(request: web.Request, kind: Browsable) -> dict[str, str]:
    chosen = {}
    for name in (*kind.filters, "unit"):
        value = request.query.get(name, "").strip()
        if value:
            chosen[name] = value[:MAX_FILTER_CHARS]
    return chosen


async def _page(
    session: AsyncSession, query: Select[Any], conditions: list[ColumnElement[bool]], offset: int
) -> tuple[list[Any], int]:
    rows, total = await paginate(session, query.where(*conditions), PAGE_SIZE, offset)
    return list(rows.all()), total


@page("browse.html")
async def browse(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /registry/{kind}: officials see every unit's objects, a unit its own."""
    name = request.match_info["kind"]
    kind = KINDS.get(name)
    if kind is None:
        raise Problem(404, "Not Found", f"no such registry list: {name}")
    offset = page_offset(request)
    chosen = _filters(request, kind)
    table = kind.table
    if table is Unit:
        query = select(Unit).order_by(kind.order)
        owner = Unit.id
    else:
        query = select(table, Unit.code.label("unit_code")).join(Unit, Unit.id == table.unit_id)
        query = query.order_by(kind.order)
        owner = table.unit_id
    conditions: list[ColumnElement[bool]] = [
        getattr(table, f) == v for f, v in chosen.items() if f != "unit"
    ]
    if "unit" in chosen:
        conditions.append(Unit.code == chosen["unit"])
    if not signed.principal.is_official and name != "key-providers":
        conditions.append(owner == signed.principal.unit_id)
    async with request.app[DB]() as session:
        rows, total = await _page(session, query, conditions, offset)
        options = {
            f: sorted(v for v in await session.scalars(select(getattr(table, f)).distinct()) if v)
            for f in kind.filters
        }
    return {
        "kind": name,
        "kinds": list(KINDS),
        "columns": [c.word for c in kind.columns],
        "rows": [[c.show(r) for c in kind.columns] for r in rows],
        "filters": options,
        "chosen": chosen,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }


@page("audit.html", officials=True)
async def audit(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /audit: every recorded change, newest first."""
    offset = page_offset(request)
    chosen = {
        f: request.query[f].strip()[:MAX_FILTER_CHARS]
        for f in ("object_type", "object_code", "actor_unit")
        if request.query.get(f, "").strip()
    }
    conditions = [getattr(AuditEntry, f) == v for f, v in chosen.items()]
    async with request.app[DB]() as session:
        rows, total = await _page(
            session, select(AuditEntry).order_by(AuditEntry.id.desc()), conditions, offset
        )
    return {
        "entries": [r.AuditEntry for r in rows],
        "chosen": chosen,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }


@page("reconciliation.html", officials=True)
async def reconciliation(request: web.Request, signed: SignedIn) -> PageContext:
    """GET /reconciliation: where providers' sales reports and buyers' invoices disagree."""
    offset = page_offset(request)
    async with request.app[DB]() as session:
        found = await reconcile(session, None, None, None, None, PAGE_SIZE, offset)
    return {
        "found": found,
        "total": found.total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "chosen": {},
        "money": lambda v: f"{Decimal(v):,.2f}" if v is not None else "—",
    }


def add_routes(app: web.Application) -> None:
    """The browser, audit and reconciliation routes."""
    app.router.add_get("/registry/{kind}", browse, allow_head=False)
    app.router.add_get("/audit", audit, allow_head=False)
    app.router.add_get("/reconciliation", reconciliation, allow_head=False)
