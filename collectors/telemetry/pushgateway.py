"""Pushgateway-compatible pushes: PUT, POST and DELETE /metrics/job/<job>{/<label>/<value>}.

The gateway's semantics for the group named by the grouping key: PUT replaces the whole
group, POST replaces only the metric families pushed, DELETE removes the group. The gateway
keeps only the latest push; we also keep every pushed sample as telemetry, with the grouping
labels (except `facility`, which names the centre) merged over the samples' own labels.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.scraping.pushed import attest_push
from collectors.telemetry.body import expect_later, read_bounded, send_continue
from collectors.telemetry.context import TELEMETRY, TelemetryContext
from collectors.telemetry.exposition import ExpositionError, Family, parse
from collectors.telemetry.facilities import Facility, check_pusher, facilities_by_code, pushable
from collectors.telemetry.metrics import Source
from collectors.telemetry.models import PushedFamily
from collectors.telemetry.samples import (
    LABEL_NAME_RE,
    MAX_METRIC_LENGTH,
    Reading,
    canonical_labels,
    labels_error,
    time_error,
)
from collectors.telemetry.store import store_readings
from registry.models import utcnow
from service.kit.keys import DB, Handler
from service.kit.principal import Principal, principal_of
from service.kit.problems import Problem, bad_request, conflict, not_found, too_large
from service.kit.transaction import commit
from service.kit.web import operation

# Pushes are metrics, not files: a limit of their own, far below the upload limit.
MAX_PUSH_BYTES = 16 * 1024 * 1024
# Larger bodies are parsed in a worker thread, so the event loop keeps serving meanwhile.
OFF_LOOP_BYTES = 64 * 1024
PROTOBUF = "application/vnd.google.protobuf"
# Read as text, as the gateway reads all but protobuf: curl's `--data-binary` sends a form
# type, prometheus_client `text/plain; version=0.0.4`, bare clients nothing.
TEXT_MEDIA = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "application/octet-stream", ""}
)
USE_TEXT = "push the text exposition format (text/plain; version=0.0.4)"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
FACILITY = "facility"
JOB = "job"
# The lengths of telemetry_pushed_families' columns: PostgreSQL refuses longer values. The
# grouping is bounded in bytes, so its unique index entry stays under PostgreSQL's 2,704.
MAX_JOB = 200
MAX_GROUPING = 1000


@dataclass(frozen=True)
class Group:
    """A grouping key: the job, the centre's code and any further labels."""

    job: str
    facility: str
    others: tuple[tuple[str, str], ...]  # sorted

    @property
    def key(self) -> str:
        """The further labels as canonical JSON, as stored."""
        return canonical_labels(dict(self.others))


def _segment(raw: str) -> str:
    return unquote(raw, errors="strict")


def _decode_base64(value: str, name: str) -> str:
    # The gateway takes URL-safe base64 with or without padding; '=' alone is the empty value.
    padded = value + "=" * (-len(value) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_request(f"the value of {name!r} is not valid base64url") from None


def parse_grouping(raw_path: str) -> Group:
    """The grouping key of `/metrics/job/<job>{/<label>/<value>}`, or 400."""
    tail = raw_path.split("?", 1)[0].removeprefix("/metrics/")
    parts = tail.split("/")
    if len(parts) % 2:
        raise bad_request("the grouping key needs a value for every label name")
    labels: dict[str, str] = {}
    for i in range(0, len(parts), 2):
        try:
            name, value = _segment(parts[i]), _segment(parts[i + 1])
        except UnicodeDecodeError:
            raise bad_request("the path is not UTF-8") from None
        if name.endswith("@base64"):
            name = name.removesuffix("@base64")
            value = _decode_base64(value, name)
        if not LABEL_NAME_RE.match(name):
            raise bad_request(f"invalid label name {name!r} in the grouping key")
        if name in labels:
            raise bad_request(f"label {name!r} appears twice in the grouping key")
        labels[name] = value
    job = labels.pop(JOB, "")
    if not job:
        raise bad_request("the job name must not be empty")
    if len(job) > MAX_JOB:
        raise bad_request(f"the job name has at most {MAX_JOB} characters")
    facility = labels.pop(FACILITY, "")
    if not facility:
        raise bad_request("the grouping key must name the centre: …/facility/<CODE>")
    if "\x00" in job or "\x00" in facility:
        # Stored and compared as text, which PostgreSQL cannot hold a NUL in.
        raise bad_request("the job and the centre's code must not contain NUL")
    group = Group(job, facility, tuple(sorted(labels.items())))
    size = len(group.key.encode())
    if size > MAX_GROUPING:
        raise bad_request(
            f"the grouping labels besides job and facility take {size} bytes as JSON; "
            f"at most {MAX_GROUPING}"
        )
    return group


def check_media(request: web.Request) -> None:
    """Refuse (415) what is not the text format, as the gateway does protobuf only."""
    media = request.content_type
    if media == PROTOBUF:
        raise Problem(
            415, "Unsupported media type", f"the protobuf format is not accepted; {USE_TEXT}"
        )
    if media not in TEXT_MEDIA:
        raise Problem(415, "Unsupported media type", f"{media} is not accepted; {USE_TEXT}")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise bad_request(f"line {line}: the text is not UTF-8") from None


def pushed_readings(
    raw: bytes, group: Group, facility: Facility, now: dt.datetime, ctx: TelemetryContext
) -> tuple[list[Family], list[Reading]]:
    """A push's families and readings: the CPU-bound part, safe to run in a worker thread."""
    text = _decode(raw)
    with ctx.series.borrow() as cache:
        try:
            families = parse(text, cache)
        except ExpositionError as exc:
            raise bad_request(f"text format parsing error in {exc}") from None
    return families, to_readings(families, group, facility, now, ctx)


def to_readings(
    families: Sequence[Family],
    group: Group,
    facility: Facility,
    now: dt.datetime,
    ctx: TelemetryContext,
) -> list[Reading]:
    """Every pushed sample as telemetry, grouping labels winning over the samples' own."""
    grouping = ((JOB, group.job), *group.others)
    merged_names = {name for name, _ in grouping} | {FACILITY}
    with ctx.labels.borrow() as cache:
        return _readings(families, grouping, merged_names, facility, now, ctx, cache)


def _readings(
    families: Sequence[Family],
    grouping: tuple[tuple[str, str], ...],
    merged_names: set[str],
    facility: Facility,
    now: dt.datetime,
    ctx: TelemetryContext,
    cache: MutableMapping[tuple[object, ...], str],
) -> list[Reading]:
    readings: list[Reading] = []
    append = readings.append
    for family in families:
        if len(family.name) > MAX_METRIC_LENGTH:
            line = family.samples[0].line if family.samples else 0
            raise bad_request(f"line {line}: metric names have at most {MAX_METRIC_LENGTH} chars")
        # A histogram's or summary's samples add a suffix to the family's name.
        suffixed = len(family.name) > MAX_METRIC_LENGTH - len("_bucket")
        for name, labels, value, timestamp, line in family.samples:
            if suffixed and len(name) > MAX_METRIC_LENGTH:
                raise bad_request(
                    f"line {line}: metric names have at most {MAX_METRIC_LENGTH} chars"
                )
            key = (grouping, labels)
            stored = cache.get(key)
            if stored is None:
                merged = {k: v for k, v in labels if k not in merged_names}
                merged.update(grouping)
                stored = canonical_labels(merged)
                problem = labels_error(stored)
                if problem:
                    raise bad_request(f"line {line}: {problem}")
                cache[key] = stored
            at = now
            if timestamp is not None:
                # The gateway refuses timestamps; we keep history, so a given time is used.
                at = _pushed_time(timestamp, line)
                problem = time_error(at, now, ctx.retention_days)
                if problem:
                    raise bad_request(f"line {line}: {problem}")
            append(Reading(facility.id, name, stored, at, None if value != value else value))
    return readings


def _pushed_time(timestamp_ms: int, line: int) -> dt.datetime:
    try:
        return EPOCH + dt.timedelta(milliseconds=timestamp_ms)
    except (OverflowError, ValueError):
        raise bad_request(f"line {line}: the timestamp {timestamp_ms} is out of range") from None


async def replace_families(
    session: AsyncSession,
    facility: Facility,
    group: Group,
    families: Sequence[Family] | None,
    whole_group: bool,
    now: dt.datetime,
) -> None:
    """Record the group's latest families: PUT replaces all, POST those named, DELETE all."""
    where = [
        PushedFamily.center_id == facility.id,
        PushedFamily.job == group.job,
        PushedFamily.grouping == group.key,
    ]
    if not whole_group and families is not None:
        where.append(PushedFamily.name.in_([f.name for f in families]))
    await session.execute(
        delete(PushedFamily).where(*where).execution_options(synchronize_session=False)
    )
    if families:
        rows = [
            {
                "center_id": facility.id,
                "job": group.job,
                "grouping": group.key,
                "name": family.name,
                "type": family.type,
                "series": len(family.samples),
                "pushed_at": now,
            }
            for family in families
        ]
        # Upsert: two pushes to one group at once both find nothing to delete; the later one
        # then replaces the earlier's families, as on the real gateway, instead of a 500.
        dialect = session.get_bind().dialect.name
        upsert: Any = (postgresql if dialect == "postgresql" else sqlite).insert(PushedFamily)
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=["center_id", "job", "grouping", "name"],
                set_={"type": upsert.excluded.type, "series": upsert.excluded.series,
                      "pushed_at": upsert.excluded.pushed_at},
            ),
            rows,
        )  # fmt: skip


async def pushable_facility(request: web.Request, principal: Principal, group: Group) -> Facility:
    """The centre the grouping key names, if this token may push to it (403 role, 404)."""
    check_pusher(principal)
    async with request.app[DB]() as session:
        found = await facilities_by_code(session, [group.facility])
    # Another unit's centre answers as one that does not exist: a 403 would confirm the code.
    facility = pushable(principal, found).get(group.facility)
    if facility is None:
        raise not_found("computing centre", group.facility)
    return facility


async def read_push(
    request: web.Request, group: Group, facility: Facility, ctx: TelemetryContext
) -> tuple[list[Family], list[Reading], dt.datetime]:
    """The body's families and readings, and the receive time (415, 413, 400)."""
    check_media(request)
    if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
        raise too_large(MAX_PUSH_BYTES)
    await send_continue(request)
    raw = await read_bounded(request, MAX_PUSH_BYTES)
    now = utcnow()
    if len(raw) > OFF_LOOP_BYTES:
        families, readings = await asyncio.to_thread(
            pushed_readings, raw, group, facility, now, ctx
        )
    else:
        families, readings = pushed_readings(raw, group, facility, now, ctx)
    return families, readings, now


async def push(request: web.Request) -> web.Response:
    """PUT | POST | DELETE /metrics/job/<job>{/<label>/<value>}."""
    ctx = request.app[TELEMETRY]
    try:
        principal = principal_of(request)
        group = parse_grouping(request.raw_path)
        # Who may push, before a byte of the body is read: a refused push costs nothing.
        facility = await pushable_facility(request, principal, group)
        families: list[Family] | None = None
        readings: list[Reading] = []
        now = utcnow()
        if request.method != "DELETE":
            families, readings, now = await read_push(request, group, facility, ctx)
        async with request.app[DB]() as session:
            # The centre may have been removed or moved while the body arrived.
            current = (await facilities_by_code(session, [group.facility])).get(group.facility)
            if current is None:
                raise not_found("computing centre", group.facility)
            if current != facility:
                raise conflict("the centre changed while the push arrived; push again")
            accepted = duplicates = 0
            async with ctx.write_turn(session):
                if families is not None:
                    stored = await store_readings(session, readings, ctx.timezone)
                    accepted, duplicates = stored.accepted, stored.duplicates
                whole = request.method in ("PUT", "DELETE")
                await replace_families(session, facility, group, families, whole, now)
                # Pushed exporter samples attest the centre's capacity as a scrape would.
                await attest_push(
                    request.app, session, facility.id, group.job, group.key, families, whole, now
                )
                await commit(session)
    except Problem as problem:
        ctx.metrics.rejected.labels(Source.PUSHGATEWAY.value, str(problem.status)).inc()
        raise
    if request.method == "DELETE":
        return web.Response(status=202)
    ctx.metrics.stored(Source.PUSHGATEWAY, accepted, duplicates)
    return web.Response(status=200)


class PushedFamilyOut(BaseModel):
    """One metric family of a group as last pushed."""

    name: str
    type: str
    series: int
    pushed_at: dt.datetime


class PushedGroupOut(BaseModel):
    """One Pushgateway group of a centre: its grouping labels and current families."""

    job: str
    grouping: dict[str, str] = Field(description="grouping labels besides job and facility")
    families: list[PushedFamilyOut]


class PushedGroups(BaseModel):
    """What the gateway would hold now for one centre."""

    facility: str
    groups: list[PushedGroupOut]


async def pushed_groups(session: AsyncSession, facility: Facility) -> PushedGroups:
    """The centre's groups as the gateway would hold them now: families and series counts."""
    rows = await session.scalars(
        select(PushedFamily)
        .where(PushedFamily.center_id == facility.id)
        .order_by(PushedFamily.job, PushedFamily.grouping, PushedFamily.name)
    )
    groups: dict[tuple[str, str], PushedGroupOut] = {}
    for row in rows:
        group = groups.get((row.job, row.grouping))
        if group is None:
            group = groups[(row.job, row.grouping)] = PushedGroupOut(
                job=row.job, grouping=json.loads(row.grouping), families=[]
            )
        group.families.append(
            PushedFamilyOut(
                name=row.name, type=row.type, series=row.series, pushed_at=row.pushed_at
            )
        )
    return PushedGroups(facility=facility.code, groups=list(groups.values()))


PUSH_ROUTE = "/metrics/job/{job}/facility/{facility}"
PUSH_PROBLEMS = (400, 401, 403, 404, 409, 413, 415)
GROUPING_NOTE = (
    "Pushgateway-compatible. The grouping key names the job and the centre "
    "(`facility/<CODE>`) and may go on with further `/<label>/<value>` pairs; any name "
    "may end in `@base64` (`/metrics/job@base64/<job>/…`) with a base64url value. Those "
    "longer paths behave the same and are not listed apart. "
)
BODY_NOTE = (
    "The body is the text exposition format 0.0.4, at most 16 MiB after gzip, sent as "
    "`text/plain` (any version), without a content type, or as curl's form type; protobuf "
    "is refused (415). Every sample is also kept as telemetry."
)
TEXT_BODY = {"text/plain": {"type": "string"}}


def _push_operation(summary: str) -> Callable[[Handler], Handler]:
    """What the OpenAPI document says of a push: the same body and answers for PUT and POST."""
    return operation(
        summary=summary,
        tag="pushgateway",
        body_media=TEXT_BODY,
        body_optional=True,  # an empty push is valid, as on the gateway
        responses={200: None},
        problems=PUSH_PROBLEMS,
        description=GROUPING_NOTE + BODY_NOTE,
    )


@_push_operation(
    "Push a group: its families replace every family the group held (the gateway's PUT)"
)
async def put_group(request: web.Request) -> web.Response:
    """PUT /metrics/job/<job>/facility/<CODE>{/<label>/<value>}."""
    return await push(request)


@_push_operation("Push families into a group: only the families pushed are replaced (POST)")
async def post_group(request: web.Request) -> web.Response:
    """POST /metrics/job/<job>/facility/<CODE>{/<label>/<value>}."""
    return await push(request)


@operation(
    summary="Delete a group, as the gateway does; the samples kept as telemetry stay",
    tag="pushgateway",
    responses={202: None},
    problems=(400, 401, 403, 404, 409),
    description=GROUPING_NOTE,
)
async def delete_group(request: web.Request) -> web.Response:
    """DELETE /metrics/job/<job>/facility/<CODE>{/<label>/<value>}."""
    return await push(request)


def add_routes(app: web.Application) -> None:
    """Add the Pushgateway-compatible routes; the common form is described in OpenAPI."""
    for method, handler in (("PUT", put_group), ("POST", post_group), ("DELETE", delete_group)):
        app.router.add_route(method, PUSH_ROUTE, handler, expect_handler=expect_later)
    # Every other grouping key (more labels, @base64 names): the same handler, undescribed.
    path = "/metrics/{grouping:job(?:@base64)?/.+}"
    for method in ("PUT", "POST", "DELETE"):
        app.router.add_route(method, path, push, expect_handler=expect_later)
