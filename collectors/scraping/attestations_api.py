"""Reading attestations: a centre's current one, and every centre's for officials' review."""

from __future__ import annotations

from decimal import Decimal

from aiohttp import web
from sqlalchemy import ColumnElement, func, select

from collectors.scraping.attestation import latest_attestation
from collectors.scraping.models import CapacityAttestation
from collectors.scraping.schemas import AttestationOut, AttestationQuery, decimal_map
from collectors.scraping.targets_api import TARGET_ACCESS, center_by_code
from registry.fields import CenterKind, Precision
from registry.models import ComputingCenter
from service.kit.keys import DB
from service.kit.paging import Page, paginate
from service.kit.principal import principal_of
from service.kit.problems import Problem, not_found
from service.kit.roles import check_read, require_official
from service.kit.web import operation, read_query, respond

TAG = "capacity attestation"


def render(row: CapacityAttestation, center_code: str) -> AttestationOut:
    """An attestation as the API shows it."""
    return AttestationOut(
        center=center_code,
        center_kind=CenterKind(row.center_kind),
        attested_at=row.attested_at,
        confirmed_at=row.confirmed_at,
        inventory=row.inventory,
        unknown_models=row.unknown_models,
        devices_total=row.devices_total,
        devices_elsewhere=row.devices_elsewhere,
        attested_pflops=decimal_map(row.attested_pflops),
        declared_pflops=decimal_map(row.declared_pflops),
        required_precision=Precision(row.required_precision) if row.required_precision else None,
        threshold_pflops=None if row.threshold_pflops is None else Decimal(row.threshold_pflops),
        flagged=row.flagged,
        reasons=row.reasons,
        source_target_id=row.source_target_id,
        target_ids=row.target_ids,
    )


@operation(
    summary="A centre's current attested capacity beside its declared capacity",
    tag=TAG,
    responses={200: AttestationOut},
    problems=(401, 403, 404),
)
async def get_attestation(request: web.Request) -> web.Response:
    """GET the newest attestation of one centre."""
    principal = principal_of(request)
    code = request.match_info["code"]
    async with request.app[DB]() as session:
        center = await center_by_code(session, code)
        check_read(principal, TARGET_ACCESS, center.unit_id, not_found("computing centre", code))
        row = await latest_attestation(session, center.id)
    if row is None:
        raise Problem(404, "Not found", f"computing centre {code!r} has no attestation yet")
    return respond(render(row, code))


@operation(
    summary="Every centre's current attestation; `flagged=true` lists those to review",
    tag=TAG,
    query=AttestationQuery,
    responses={200: Page[AttestationOut]},
    problems=(400, 401, 403),
)
async def list_attestations(request: web.Request) -> web.Response:
    """GET the newest attestation per centre, for officials."""
    require_official(principal_of(request), "list every centre's attestation")
    query = read_query(request, AttestationQuery)
    newest = (
        select(func.max(CapacityAttestation.id))
        .group_by(CapacityAttestation.center_id)
        .scalar_subquery()
    )
    conditions: list[ColumnElement[bool]] = [CapacityAttestation.id.in_(newest)]
    if query.flagged is not None:
        conditions.append(CapacityAttestation.flagged.is_(query.flagged))
    if query.kind is not None:
        conditions.append(CapacityAttestation.center_kind == query.kind.value)
    async with request.app[DB]() as session:
        rows, total = await paginate(
            session,
            select(CapacityAttestation, ComputingCenter.code)
            .join(ComputingCenter, ComputingCenter.id == CapacityAttestation.center_id)
            .where(*conditions)
            .order_by(ComputingCenter.code),
            query.limit,
            query.offset,
        )
        items = [render(row, code) for row, code in rows.tuples()]
    page = Page[AttestationOut](items=items, total=total, limit=query.limit, offset=query.offset)
    return respond(page)


def add_routes(app: web.Application) -> None:
    """The attestation routes."""
    app.router.add_get(
        "/api/v1/computing-centers/{code}/attestation", get_attestation, allow_head=False
    )
    app.router.add_get("/api/v1/attestations", list_attestations, allow_head=False)
