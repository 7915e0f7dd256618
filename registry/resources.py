"""Each kind of registry object: its table, its models, its filters and who may change it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from registry.db import Base
from registry.fields import CenterKind, Code, Day, Division, FacilityStatus, Precision, UnitKind
from registry.models import (
    AcceleratorModel,
    CenterAccelerator,
    ComputingCenter,
    FiveGSite,
    IdentifierNode,
    KeyProviderListing,
    PendingChange,
    Unit,
)
from registry.money import from_fen, to_fen
from registry.schemas import (
    AcceleratorLine,
    ComputingCenterIn,
    ComputingCenterOut,
    ComputingCenterPatch,
    FiveGSiteIn,
    FiveGSiteOut,
    FiveGSitePatch,
    IdentifierNodeIn,
    IdentifierNodeOut,
    IdentifierNodePatch,
    KeyProviderIn,
    KeyProviderOut,
    KeyProviderPatch,
    PendingOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from service.kit.paging import PageQuery
from service.kit.principal import Role
from service.kit.roles import Access
from service.kit.web import Strict

PEAK_COLUMNS = {
    Precision.FP16: "fp16_tflops",
    Precision.FP32: "fp32_tflops",
    Precision.FP64: "fp64_tflops",
}


@dataclass
class Context:
    """What rendering and writing need besides the row: unit codes and the catalogue."""

    unit_ids: dict[str, int] = field(default_factory=dict)
    catalogue: dict[str, AcceleratorModel] = field(default_factory=dict)
    # Declarations waiting for review, by object code (see registry/review.py).
    pending: dict[str, PendingChange] = field(default_factory=dict)

    async def load_catalogue(self, session: AsyncSession) -> None:
        """Read the accelerator catalogue once per request."""
        if not self.catalogue:
            models = await session.scalars(select(AcceleratorModel))
            self.catalogue = {m.code: m for m in models}


def inventory_peak(
    lines: Sequence[tuple[str, int]], catalogue: dict[str, AcceleratorModel]
) -> dict[Precision, Decimal]:
    """Peak PFLOPS per precision of an inventory: count x dense TFLOPS / 1000."""
    peak: dict[Precision, Decimal] = {}
    for model_code, count in lines:
        model = catalogue.get(model_code)
        if model is None:
            continue
        for precision, column in PEAK_COLUMNS.items():
            tflops = getattr(model, column)
            if tflops is not None:
                peak[precision] = peak.get(precision, Decimal(0)) + Decimal(tflops) * count / 1000
    return {p: v.quantize(Decimal("0.001")) for p, v in peak.items()}


# --- list filters -----------------------------------------------------------------------


class UnitQuery(PageQuery):
    """Filters of the unit list."""

    kind: UnitKind | None = None
    region: Division | None = None
    unit: Code | None = None
    in_province: bool | None = None
    dishonest: bool | None = None


class CenterQuery(PageQuery):
    """Filters of the computing-centre list."""

    kind: CenterKind | None = None
    region: Division | None = None
    status: FacilityStatus | None = None
    unit: Code | None = None
    verified: bool | None = None


class NodeQuery(PageQuery):
    """Filters of the identifier-node list."""

    region: Division | None = None
    status: FacilityStatus | None = None
    unit: Code | None = None
    verified: bool | None = None


class SiteQuery(PageQuery):
    """Filters of the 5G-site list."""

    region: Division | None = None
    status: FacilityStatus | None = None
    unit: Code | None = None


class KeyProviderQuery(PageQuery):
    """Filters of the key-provider listings."""

    unit: Code | None = None
    active_on: Day | None = None


# --- the resource description ----------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One kind of registry object and everything the generic API needs to serve it."""

    path: str
    object_type: str
    label: str
    tag: str
    table: type[Base]
    create: type[Strict]
    patch: type[Strict]
    out: type[BaseModel]
    query: type[PageQuery]
    access: Access
    columns: Callable[[dict[str, Any], Context], dict[str, Any]]
    render: Callable[[Any, Context], BaseModel]
    filters: Callable[[Any], list[ColumnElement[bool]]]
    owner_column: InstrumentedAttribute[int]
    options: tuple[ExecutableOption, ...] = ()
    dependents: tuple[tuple[type[Base], str, str], ...] = ()
    unique: tuple[str, ...] = ("code",)
    # Money-deciding fields: a unit's own change to them waits for an official's review.
    reviewed: tuple[str, ...] = ()

    @property
    def code_column(self) -> ColumnElement[str]:
        """The `code` column every registry table has."""
        return cast(ColumnElement[str], getattr(self.table, "code"))  # noqa: B009

    @property
    def core_table(self) -> Table:
        """The Core table, for executemany inserts that skip the ORM."""
        return cast(Table, self.table.__table__)

    def item_of(self, model: Strict) -> dict[str, Any]:
        """The stored form of an input model, with derived codes filled in."""
        data = model.model_dump()
        resolve = getattr(model, "resolved_code", None)
        if resolve is not None:
            data["code"] = resolve()
        return data

    def owner_code(self, item: Strict) -> str:
        """The code of the unit that owns an input item."""
        return str(getattr(item, "unit", None) or getattr(item, "code"))  # noqa: B009


def _same(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: data[n] for n in names if n in data}


def _unit_ref(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {"unit_id": ctx.unit_ids[data["unit"]]} if "unit" in data else {}


def _unit_columns(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    out = _same(data, "code", "name", "credit_code", "kind", "region", "in_province", "dishonest")
    if "code" in data and data.get("in_province") is None:
        # Creating: derive from the credit code unless given.
        out["in_province"] = UnitIn.model_validate(data).resolved_in_province()
    elif out.get("in_province", False) is None:
        del out["in_province"]
    return out


def _pending(code: str, ctx: Context) -> PendingOut | None:
    entry = ctx.pending.get(code)
    if entry is None:
        return None
    return PendingOut(
        id=entry.id,
        kind=entry.kind,
        declared=entry.changes,
        submitted_at=entry.submitted_at,
        submitted_by_name=entry.submitted_by_name,
    )


def _render_unit(row: Unit, ctx: Context) -> UnitOut:
    return UnitOut.model_validate(row, from_attributes=True)


def _center_columns(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    out = _same(data, "code", "name", "kind", "region", "status", "commissioned_on")
    out |= _unit_ref(data, ctx)
    if data.get("capacity_pflops") is not None:
        out["capacity_pflops"] = {
            str(k): format(v.normalize(), "f") for k, v in data["capacity_pflops"].items()
        }
    if data.get("costs") is not None:
        out["costs_fen"] = {str(k): to_fen(v) for k, v in data["costs"].items()}
    if data.get("accelerators") is not None:
        out["accelerators"] = [
            CenterAccelerator(model=line["model"], count=line["count"])
            for line in data["accelerators"]
        ]
    return out


def _render_center(row: ComputingCenter, ctx: Context) -> ComputingCenterOut:
    lines = [(a.model, a.count) for a in row.accelerators]
    return ComputingCenterOut(
        code=row.code,
        unit=row.unit.code,
        name=row.name,
        kind=CenterKind(row.kind),
        region=row.region,
        capacity_pflops={Precision(k): Decimal(v) for k, v in row.capacity_pflops.items()},
        status=FacilityStatus(row.status),
        commissioned_on=row.commissioned_on,
        costs={k: from_fen(v) for k, v in row.costs_fen.items()},
        accelerators=[AcceleratorLine(model=m, count=c) for m, c in lines],
        inventory_pflops=inventory_peak(lines, ctx.catalogue),
        verified=row.verified,
        pending=_pending(row.code, ctx),
    )


def _node_columns(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    cols = ("code", "name", "industry", "region", "status", "connected_on")
    return _same(data, *cols) | _unit_ref(data, ctx)


def _render_node(row: IdentifierNode, ctx: Context) -> IdentifierNodeOut:
    return IdentifierNodeOut(
        code=row.code,
        unit=row.unit.code,
        name=row.name,
        industry=row.industry,
        region=row.region,
        status=FacilityStatus(row.status),
        connected_on=row.connected_on,
        verified=row.verified,
        pending=_pending(row.code, ctx),
    )


def _site_columns(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    cols = ("code", "division", "latitude", "longitude", "bands", "status", "opened_on")
    return _same(data, *cols) | _unit_ref(data, ctx)


def _render_site(row: FiveGSite, ctx: Context) -> FiveGSiteOut:
    return FiveGSiteOut(
        code=row.code,
        unit=row.unit.code,
        division=row.division,
        latitude=row.latitude,
        longitude=row.longitude,
        bands=list(row.bands),
        status=FacilityStatus(row.status),
        opened_on=row.opened_on,
    )


def _listing_columns(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    out = _same(data, "listed_from", "listed_until") | _unit_ref(data, ctx)
    return out | _same(data, "code")


def _render_listing(row: KeyProviderListing, ctx: Context) -> KeyProviderOut:
    return KeyProviderOut(
        code=row.code,
        unit=row.unit.code,
        listed_from=row.listed_from,
        listed_until=row.listed_until,
    )


def _unit_filter(table: Any, code: str | None) -> list[ColumnElement[bool]]:
    if code is None:
        return []
    return [table.unit_id == select(Unit.id).where(Unit.code == code).scalar_subquery()]


def _eq(column: Any, value: Any) -> list[ColumnElement[bool]]:
    return [] if value is None else [column == value]


def _unit_filters(q: UnitQuery) -> list[ColumnElement[bool]]:
    return (
        _eq(Unit.kind, q.kind) + _eq(Unit.region, q.region) + _eq(Unit.code, q.unit)
        + _eq(Unit.in_province, q.in_province) + _eq(Unit.dishonest, q.dishonest)
    )  # fmt: skip


def _center_filters(q: CenterQuery) -> list[ColumnElement[bool]]:
    return (
        _eq(ComputingCenter.kind, q.kind) + _eq(ComputingCenter.region, q.region)
        + _eq(ComputingCenter.status, q.status) + _unit_filter(ComputingCenter, q.unit)
        + _eq(ComputingCenter.verified, q.verified)
    )  # fmt: skip


def _node_filters(q: NodeQuery) -> list[ColumnElement[bool]]:
    return (
        _eq(IdentifierNode.region, q.region) + _eq(IdentifierNode.status, q.status)
        + _unit_filter(IdentifierNode, q.unit) + _eq(IdentifierNode.verified, q.verified)
    )  # fmt: skip


def _site_filters(q: SiteQuery) -> list[ColumnElement[bool]]:
    return (
        _eq(FiveGSite.division, q.region) + _eq(FiveGSite.status, q.status)
        + _unit_filter(FiveGSite, q.unit)
    )  # fmt: skip


def _listing_filters(q: KeyProviderQuery) -> list[ColumnElement[bool]]:
    out = _unit_filter(KeyProviderListing, q.unit)
    if q.active_on is not None:
        out.append(KeyProviderListing.listed_from <= q.active_on)
        out.append(
            (KeyProviderListing.listed_until.is_(None))
            | (KeyProviderListing.listed_until > q.active_on)
        )
    return out


UNITS = Resource(
    path="units",
    object_type="unit",
    label="unit",
    tag="units",
    table=Unit,
    create=UnitIn,
    patch=UnitPatch,
    out=UnitOut,
    query=UnitQuery,
    access=Access(),
    columns=_unit_columns,
    render=_render_unit,
    filters=_unit_filters,
    owner_column=Unit.id,
    dependents=(
        (ComputingCenter, "unit_id", "computing centres"),
        (IdentifierNode, "unit_id", "identifier nodes"),
        (FiveGSite, "unit_id", "5G sites"),
        (KeyProviderListing, "unit_id", "key-provider listings"),
    ),
    unique=("code", "credit_code"),
)

COMPUTING_CENTERS = Resource(
    path="computing-centers",
    object_type="computing_center",
    label="computing centre",
    tag="computing centres",
    table=ComputingCenter,
    create=ComputingCenterIn,
    patch=ComputingCenterPatch,
    out=ComputingCenterOut,
    query=CenterQuery,
    access=Access(writers=frozenset({Role.CENTER})),
    columns=_center_columns,
    render=_render_center,
    filters=_center_filters,
    owner_column=ComputingCenter.unit_id,
    options=(joinedload(ComputingCenter.unit), selectinload(ComputingCenter.accelerators)),
    reviewed=("kind", "capacity_pflops", "status", "commissioned_on", "costs"),
)

IDENTIFIER_NODES = Resource(
    path="identifier-nodes",
    object_type="identifier_node",
    label="identifier node",
    tag="identifier nodes",
    table=IdentifierNode,
    create=IdentifierNodeIn,
    patch=IdentifierNodePatch,
    out=IdentifierNodeOut,
    query=NodeQuery,
    access=Access(writers=frozenset({Role.NODE})),
    columns=_node_columns,
    render=_render_node,
    filters=_node_filters,
    owner_column=IdentifierNode.unit_id,
    options=(joinedload(IdentifierNode.unit),),
    reviewed=("status", "connected_on"),
)

FIVE_G_SITES = Resource(
    path="5g-sites",
    object_type="five_g_site",
    label="5G site",
    tag="5G sites",
    table=FiveGSite,
    create=FiveGSiteIn,
    patch=FiveGSitePatch,
    out=FiveGSiteOut,
    query=SiteQuery,
    access=Access(writers=frozenset({Role.OPERATOR})),
    columns=_site_columns,
    render=_render_site,
    filters=_site_filters,
    owner_column=FiveGSite.unit_id,
    options=(joinedload(FiveGSite.unit),),
)

KEY_PROVIDERS = Resource(
    path="key-providers",
    object_type="key_provider_listing",
    label="key-provider listing",
    tag="key providers",
    table=KeyProviderListing,
    create=KeyProviderIn,
    patch=KeyProviderPatch,
    out=KeyProviderOut,
    query=KeyProviderQuery,
    # The list of key providers is public: buyers need it to know which invoices count.
    access=Access(public_read=True),
    columns=_listing_columns,
    render=_render_listing,
    filters=_listing_filters,
    owner_column=KeyProviderListing.unit_id,
    options=(joinedload(KeyProviderListing.unit),),
)

RESOURCES = (UNITS, COMPUTING_CENTERS, IDENTIFIER_NODES, FIVE_G_SITES, KEY_PROVIDERS)
