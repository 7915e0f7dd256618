"""The JSON telemetry API: POST a batch of samples, GET samples or daily roll-ups back."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.telemetry.batch import (
    decode_json,
    quick_readings,
    quick_samples,
    read_raw_body,
    to_readings,
    validated_samples,
)
from collectors.telemetry.columns import Columns, fast_batch, resolve
from collectors.telemetry.context import TELEMETRY, TelemetryContext
from collectors.telemetry.facilities import (
    Facility,
    check_pusher,
    check_view,
    facilities_by_code,
    pushable,
)
from collectors.telemetry.metrics import Source
from collectors.telemetry.models import TelemetryDaily, TelemetrySample, TelemetrySeries
from collectors.telemetry.pushgateway import PushedGroups, pushed_groups
from collectors.telemetry.samples import (
    FacilityCode,
    Ingested,
    MetricName,
    Reading,
    SampleIn,
    TelemetryBatch,
)
from collectors.telemetry.store import from_microseconds, to_microseconds
from registry.fields import ISO_DATE, parse_instant, parse_iso_date
from registry.models import utcnow
from service.kit.keys import DB
from service.kit.lookup import autocommit_reads
from service.kit.paging import paginate
from service.kit.principal import Principal, principal_of
from service.kit.problems import FieldError, Problem, not_found
from service.kit.web import OFF_LOOP_BYTES, operation, read_query, respond

# Far enough either side for any real sample; beyond it a date overflows on conversion to UTC.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _time_bound(value: Any) -> dt.datetime | dt.date:
    """A date (YYYY-MM-DD) or an RFC 3339 time, in ASCII digits, between 1900 and 2999."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        moment: dt.datetime | dt.date = parse_iso_date(value)
    else:
        moment = parse_instant(value)
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return moment


TimeBound = Annotated[
    dt.datetime | dt.date,
    BeforeValidator(_time_bound),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date-time"},
                              {"type": "string", "format": "date"}]}),
]  # fmt: skip


class TelemetryQuery(BaseModel):
    """Which samples to read: a centre, a metric, a time range, raw or rolled up."""

    model_config = ConfigDict(extra="forbid")

    facility: FacilityCode
    metric: MetricName
    since: TimeBound | None = Field(
        None, description="inclusive; a date means its midnight in Asia/Shanghai"
    )
    until: TimeBound | None = Field(None, description="exclusive")
    rollup: Literal["daily"] | None = Field(None, description="daily roll-ups instead of samples")
    limit: int = Field(1000, ge=1, le=10_000)
    offset: int = Field(0, ge=0, le=10_000_000)


class SampleOut(BaseModel):
    """One stored sample; NaN and infinities are written as strings."""

    model_config = ConfigDict(ser_json_inf_nan="strings")

    time: dt.datetime
    value: float
    labels: dict[str, str]


class DailyOut(BaseModel):
    """One day's roll-up of a metric over all its series (finite values only)."""

    day: dt.date
    min: float
    max: float
    mean: float
    last: float = Field(description="the value at the latest time; the greatest if several")
    last_time: dt.datetime
    count: int


class SamplesPage(BaseModel):
    """Samples of one metric of one centre, oldest first."""

    facility: str
    metric: str
    items: list[SampleOut]
    total: int
    limit: int
    offset: int


class DailyPage(BaseModel):
    """Daily roll-ups of one metric of one centre, oldest first."""

    facility: str
    metric: str
    rollup: Literal["daily"] = "daily"
    items: list[DailyOut]
    total: int
    limit: int
    offset: int


@operation(
    summary="Push a batch of telemetry samples: all stored or none, repeats counted once",
    tag="telemetry",
    body=TelemetryBatch,
    responses={200: Ingested},
    problems=(400, 401, 403, 413, 415, 422),
)
async def post_samples(request: web.Request) -> web.Response:
    """POST /api/v1/telemetry."""
    ctx = request.app[TELEMETRY]
    try:
        principal = principal_of(request)
        # Who may push at all, before the body is read: a refused push costs nothing.
        check_pusher(principal)
        writer = ctx.group_writer(request.app[DB])
        # Counted while read and checked: a group about to start waits a moment for it.
        with writer.arrival() as arrival:
            batch = await _received(request, ctx, principal)
            # Group commit: stored with whatever batches wait alongside, answered once committed.
            stored = await writer.store(batch, arrival)
    except Problem as problem:
        ctx.metrics.rejected.labels(Source.JSON.value, str(problem.status)).inc()
        raise
    ctx.metrics.stored(Source.JSON, stored.accepted, stored.duplicates)
    return respond(Ingested(accepted=stored.accepted, duplicates=stored.duplicates))


async def _received(
    request: web.Request, ctx: TelemetryContext, principal: Principal
) -> Columns | list[Reading]:
    """The pushed batch read and checked, ready to store, or 400/413/415/422."""
    raw = await read_raw_body(request)
    now = utcnow()
    if len(raw) > OFF_LOOP_BYTES:  # the event loop keeps serving other requests
        parsed = await asyncio.to_thread(fast_batch, raw, now, ctx.retention_days)
    else:
        parsed = fast_batch(raw, now, ctx.retention_days)
    if parsed is not None:
        async with request.app[DB]() as session:
            await autocommit_reads(session)  # reads only; the writer has its own transaction
            codes = {key[0] for key in parsed.keys}
            facilities = pushable(principal, await facilities_by_code(session, codes))
        batch = resolve(parsed, facilities)
        if batch is not None:
            return batch
    return await _checked_readings(request, principal, raw, now, ctx.retention_days)


async def _checked_readings(
    request: web.Request, principal: Principal, raw: bytes, now: dt.datetime, retention: int
) -> list[Reading]:
    """The readings of a batch the fast path left alone, or 400/422 naming every error."""
    data = await decode_json(raw)
    quick = quick_samples(data, now, retention)
    checked: tuple[list[SampleIn | None], list[FieldError]] | None = None
    if quick is None:
        checked = validated_samples(data)
        codes = {s.facility for s in checked[0] if s is not None}
    else:
        codes = {q[0] for q in quick}
    async with request.app[DB]() as session:
        await autocommit_reads(session)  # reads only; the writer has its own transaction
        # Another unit's centre reads as an unknown one (422 naming each such sample).
        facilities = pushable(principal, await facilities_by_code(session, codes))
    resolved = None if quick is None else quick_readings(quick, facilities, now)
    if resolved is not None:
        return resolved[0]
    # The slow path: pydantic decides, and every error is reported by index.
    samples, errors = checked or validated_samples(data)
    return to_readings(samples, facilities, now, retention, errors)


def _bound(value: dt.datetime | dt.date | None, ctx: TelemetryContext) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), ctx.timezone)


def _day(value: dt.datetime | dt.date | None, ctx: TelemetryContext) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(ctx.timezone).date()
    return value


async def _facility(session: AsyncSession, request: web.Request, code: str) -> Facility:
    facility = (await facilities_by_code(session, [code])).get(code)
    if facility is None:
        raise not_found("computing centre", code)
    check_view(principal_of(request), facility)
    return facility


async def _raw_page(
    session: AsyncSession, facility: Facility, query: TelemetryQuery, ctx: TelemetryContext
) -> SamplesPage:
    conditions = [
        TelemetrySeries.center_id == facility.id,
        TelemetrySeries.metric == query.metric,
        TelemetrySample.series_id == TelemetrySeries.id,
    ]
    since, until = _bound(query.since, ctx), _bound(query.until, ctx)
    if since is not None:
        conditions.append(TelemetrySample.sampled_us >= to_microseconds(since))
    if until is not None:
        conditions.append(TelemetrySample.sampled_us < to_microseconds(until))
    rows, total = await paginate(
        session,
        select(TelemetrySample.sampled_us, TelemetrySample.value, TelemetrySeries.labels)
        .where(*conditions)
        .order_by(TelemetrySample.sampled_us, TelemetrySeries.labels),
        query.limit,
        query.offset,
        counted=select(func.count()).select_from(TelemetrySample).where(*conditions),
    )
    items = [
        SampleOut(
            time=from_microseconds(us),
            value=float("nan") if value is None else value,
            labels=json.loads(lab),
        )
        for us, value, lab in rows.tuples()
    ]
    return SamplesPage(
        facility=facility.code,
        metric=query.metric,
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


async def _daily_page(
    session: AsyncSession, facility: Facility, query: TelemetryQuery, ctx: TelemetryContext
) -> DailyPage:
    conditions = [TelemetryDaily.center_id == facility.id, TelemetryDaily.metric == query.metric]
    since, until = _day(query.since, ctx), _day(query.until, ctx)
    if since is not None:
        conditions.append(TelemetryDaily.day >= since)
    if until is not None:
        conditions.append(TelemetryDaily.day < until)
    rows, total = await paginate(
        session,
        select(TelemetryDaily).where(*conditions).order_by(TelemetryDaily.day),
        query.limit,
        query.offset,
    )
    items = [
        DailyOut(
            day=r.day,
            min=r.minimum,
            max=r.maximum,
            mean=r.total / r.count,
            last=r.last_value,
            last_time=r.last_at,
            count=r.count,
        )
        for r in rows.scalars()
    ]
    return DailyPage(
        facility=facility.code,
        metric=query.metric,
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


@operation(
    summary="Read the samples, or the daily roll-ups, of one metric of one centre",
    tag="telemetry",
    query=TelemetryQuery,
    responses={200: SamplesPage | DailyPage},
    problems=(400, 401, 403, 404),
)
async def get_samples(request: web.Request) -> web.Response:
    """GET /api/v1/telemetry."""
    ctx = request.app[TELEMETRY]
    query = read_query(request, TelemetryQuery)
    async with request.app[DB]() as session:
        facility = await _facility(session, request, query.facility)
        if query.rollup == "daily":
            return respond(await _daily_page(session, facility, query, ctx))
        return respond(await _raw_page(session, facility, query, ctx))


class GroupsQuery(BaseModel):
    """Which centre's Pushgateway groups to list."""

    model_config = ConfigDict(extra="forbid")

    facility: FacilityCode


@operation(
    summary="List a centre's Pushgateway groups as last pushed (PUT, POST and DELETE applied)",
    tag="telemetry",
    query=GroupsQuery,
    responses={200: PushedGroups},
    problems=(400, 401, 403, 404),
)
async def get_groups(request: web.Request) -> web.Response:
    """GET /api/v1/telemetry/groups."""
    query = read_query(request, GroupsQuery)
    async with request.app[DB]() as session:
        facility = await _facility(session, request, query.facility)
        return respond(await pushed_groups(session, facility))


def add_routes(app: web.Application) -> None:
    """Add the JSON telemetry routes."""
    app.router.add_post("/api/v1/telemetry", post_samples)
    app.router.add_get("/api/v1/telemetry", get_samples, allow_head=False)
    app.router.add_get("/api/v1/telemetry/groups", get_groups, allow_head=False)
