"""Exporter targets of a centre: register, list, change and remove them; every change audited."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import Result, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from yarl import URL

from collectors.scraping.attestation import latest_attestation, refresh_attestation
from collectors.scraping.exporters import ExporterKind, count_models
from collectors.scraping.models import ExporterTarget
from collectors.scraping.networks import literal_address
from collectors.scraping.schemas import TargetIn, TargetOut, TargetPatch
from collectors.scraping.scraper import SCRAPING
from registry.audit import actor_of, record
from registry.models import AcceleratorModel, ComputingCenter, utcnow
from service.kit.paging import Page, PageQuery
from service.kit.principal import Role, principal_of
from service.kit.problems import FieldError, Problem, invalid, not_found
from service.kit.roles import Access, check_read, check_write
from service.kit.transaction import flush
from service.kit.view import Answer, ObjectView
from service.kit.web import Operation

# Centre operators manage their own centres' targets; officials every centre's.
TARGET_ACCESS = Access(writers=frozenset({Role.CENTER}))
BASE = "/api/v1/computing-centers/{code}/exporter-targets"
TAG = "exporter scraping"


async def center_by_code(session: AsyncSession, code: str) -> ComputingCenter:
    """The centre with this code, or 404."""
    center = await session.scalar(select(ComputingCenter).where(ComputingCenter.code == code))
    if center is None:
        raise not_found("computing centre", code)
    return center


def render(target: ExporterTarget, center_code: str) -> TargetOut:
    """A target as the API shows it."""
    return TargetOut(
        id=target.id,
        center=center_code,
        url=target.url,
        interval_seconds=target.interval_seconds,
        exporter=ExporterKind(target.exporter),
        model=target.model,
        enabled=target.enabled,
        success_count=target.success_count,
        failure_count=target.failure_count,
        consecutive_failures=target.consecutive_failures,
        last_attempt_at=target.last_attempt_at,
        last_success_at=target.last_success_at,
        last_error=target.last_error,
        next_attempt_at=target.next_attempt_at,
        detected_exporter=(
            ExporterKind(target.detected_exporter) if target.detected_exporter else None
        ),
        devices_found=len(target.devices or {}),
        models_found=count_models((target.devices or {}).values()),
    )


def _settings(target: ExporterTarget, center_code: str) -> dict[str, Any]:
    # The audit keeps what an operator set, not the scrape counters.
    return {
        "center": center_code,
        "url": target.url,
        "interval_seconds": target.interval_seconds,
        "exporter": target.exporter,
        "model": target.model,
        "enabled": target.enabled,
    }


async def _check_model(session: AsyncSession, model: str | None) -> None:
    if model is None:
        return
    if await session.get(AcceleratorModel, model) is None:
        known = ", ".join(sorted(await session.scalars(select(AcceleratorModel.code))))
        raise invalid([FieldError("model", f"unknown accelerator model {model!r}; known: {known}")])


async def _check_unique_url(
    session: AsyncSession, center_id: int, url: str, except_id: int | None = None
) -> None:
    query = select(ExporterTarget.id).where(
        ExporterTarget.center_id == center_id, ExporterTarget.url == url
    )
    if except_id is not None:
        query = query.where(ExporterTarget.id != except_id)
    if await session.scalar(query) is not None:
        clash = FieldError("url", f"{url!r} is already a target of this centre")
        raise Problem(409, "Conflict", "conflicts with a registered target", [clash])


async def _check_address(app: web.Application, url: str) -> None:
    # Refused now, not only when the scrape fails: the centre learns of it while registering.
    config = app[SCRAPING].config
    host = URL(url).host or ""
    refusal = config.addresses.literal_refusal(host)
    if refusal is None and literal_address(host) is None:
        refusal = await config.addresses.name_refusal(host, config.registration_resolve_seconds)
    if refusal is not None:
        raise invalid([FieldError("url", refusal)])


async def _target(session: AsyncSession, center: ComputingCenter, raw_id: str) -> ExporterTarget:
    # Ids beyond 32 bits cannot exist; the route already insists on digits.
    target = await session.get(ExporterTarget, int(raw_id)) if len(raw_id) <= 9 else None
    if target is None or target.center_id != center.id:
        raise Problem(404, "Not found", f"centre {center.code!r} has no exporter target {raw_id}")
    return target


async def _reattest(app: web.Application, session: AsyncSession, center: ComputingCenter) -> None:
    # A removed or disabled target stops vouching for its devices at once, not at the next scrape.
    if await latest_attestation(session, center.id) is not None:
        await refresh_attestation(session, center.id, utcnow(), None, app[SCRAPING].thresholds)


class TargetView(ObjectView[ComputingCenter, ExporterTarget]):
    """A centre's exporter targets: list, register, change, remove; the scope is the centre."""

    create_body = TargetIn
    patch_body = TargetPatch
    out = TargetOut

    async def scope(self, request: web.Request, session: AsyncSession) -> ComputingCenter:
        """The centre of the path, as absent (404) to a unit that may not see it."""
        code = request.match_info["code"]
        center = await center_by_code(session, code)
        check_read(
            principal_of(request),
            TARGET_ACCESS,
            center.unit_id,
            not_found("computing centre", code),
        )
        return center

    def may_change(self, request: web.Request, scope: ComputingCenter) -> None:
        """Only the centre's own operators and officials change its targets."""
        what = f"computing centre {scope.code!r}"
        check_write(principal_of(request), TARGET_ACCESS, scope.unit_id, what)

    def listed(self, request: web.Request, scope: ComputingCenter, query: Any) -> Select[Any]:
        """The centre's targets in the order they were registered."""
        return (
            select(ExporterTarget)
            .where(ExporterTarget.center_id == scope.id)
            .order_by(ExporterTarget.id)
        )

    async def render_page(
        self, session: AsyncSession, scope: ComputingCenter, rows: Result[Any]
    ) -> list[Any]:
        """The targets with their scrape record."""
        return [render(t, scope.code) for t in rows.scalars()]

    async def lookup(
        self, request: web.Request, session: AsyncSession, scope: ComputingCenter
    ) -> ExporterTarget:
        """The target of the path's id, if it is this centre's."""
        return await _target(session, scope, request.match_info["id"])

    async def perform_create(
        self, request: web.Request, session: AsyncSession, scope: ComputingCenter, given: Any
    ) -> BaseModel:
        """Register a target, due at once; audited."""
        await _check_address(request.app, given.url)
        await _check_model(session, given.model)
        await _check_unique_url(session, scope.id, given.url)
        target = ExporterTarget(
            center_id=scope.id,
            url=given.url,
            interval_seconds=given.interval_seconds,
            exporter=given.exporter.value,
            model=given.model,
            enabled=given.enabled,
            next_attempt_at=utcnow(),
            devices={},
        )
        session.add(target)
        await flush(session)
        settings = _settings(target, scope.code)
        await record(
            session, actor_of(request), "create", "exporter_target", str(target.id), None, settings
        )
        return render(target, scope.code)

    async def perform_update(
        self,
        request: web.Request,
        session: AsyncSession,
        scope: ComputingCenter,
        obj: ExporterTarget,
        given: Any,
    ) -> Answer:
        """Change a target; a changed target is due again at once; audited."""
        target, code = obj, scope.code
        changes = given.model_dump(exclude_unset=True)
        nulls = [n for n in ("url", "interval_seconds", "exporter", "enabled") if n in changes
                 and changes[n] is None]  # fmt: skip
        if nulls:
            raise invalid([FieldError(n, "may not be null") for n in nulls])
        if "model" in changes:
            await _check_model(session, changes["model"])
        if changes.get("url") is not None or changes.get("enabled"):
            # Enabling a target stored before addresses were checked at registration checks it.
            await _check_address(request.app, changes.get("url") or target.url)
        if "url" in changes:
            await _check_unique_url(session, scope.id, changes["url"], target.id)
        before = _settings(target, code)
        for name, value in changes.items():
            setattr(target, name, value.value if isinstance(value, ExporterKind) else value)
        if changes:
            target.next_attempt_at = utcnow()
            target.consecutive_failures = 0
        await flush(session)
        if "enabled" in changes:
            await _reattest(request.app, session, scope)
        await record(
            session,
            actor_of(request),
            "update",
            "exporter_target",
            str(target.id),
            before,
            _settings(target, code),
        )
        return Answer(render(target, code))

    async def perform_destroy(
        self,
        request: web.Request,
        session: AsyncSession,
        scope: ComputingCenter,
        obj: ExporterTarget,
    ) -> None:
        """Remove a target and re-attest the centre without it; audited."""
        before = _settings(obj, scope.code)
        await session.delete(obj)
        await flush(session)
        await _reattest(request.app, session, scope)
        await record(
            session, actor_of(request), "delete", "exporter_target", str(obj.id), before, None
        )

    def destroyed(self, request: web.Request, obj: ExporterTarget) -> None:
        """Its scrape metrics go with it."""
        request.app[SCRAPING].metrics.forget(obj.id)


OPERATIONS = {
    "list": Operation(
        summary="List a centre's exporter targets with their scrape record",
        tag=TAG,
        query=PageQuery,
        responses={200: Page[TargetOut]},
        problems=(400, 401, 403, 404),
    ),
    "create": Operation(
        summary="Register an exporter target of a centre; it is scraped from now on",
        tag=TAG,
        body=TargetIn,
        responses={201: TargetOut},
        problems=(400, 401, 403, 404, 409, 413, 415, 422),
    ),
    "update": Operation(
        summary="Change an exporter target (URL, interval, exporter, model, enabled)",
        tag=TAG,
        body=TargetPatch,
        responses={200: TargetOut},
        problems=(400, 401, 403, 404, 409, 413, 415, 422),
    ),
    "destroy": Operation(
        summary="Remove an exporter target; its devices no longer count after the next attestation",
        tag=TAG,
        responses={204: None},
        problems=(401, 403, 404, 409),
    ),
}


def add_routes(app: web.Application) -> None:
    """The target routes under a centre."""
    TargetView(OPERATIONS).add_routes(app, BASE, BASE + r"/{id:[0-9]+}")
