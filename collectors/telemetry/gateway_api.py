"""The Pushgateway's own read API, `GET /api/v1/metrics`: the groups held, in its JSON shape.

The gateway answers `{"status": "success", "data": [group, …]}`; a group holds its grouping
`labels`, `last_push_successful`, and one entry per metric family (with `push_time_seconds`
and `push_failure_time_seconds` added by the gateway). Values are strings as Go prints them.
The families come from `telemetry_pushed_families`, their samples from the telemetry stored
at the push's receive time. Not kept, so not shown: HELP texts, and samples pushed with a
timestamp of their own (the gateway refuses those).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from importlib.metadata import version as package_version
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.telemetry.context import TELEMETRY
from collectors.telemetry.exposition import SUFFIXES
from collectors.telemetry.facilities import TELEMETRY_ROLES
from collectors.telemetry.instants import samples_at
from collectors.telemetry.models import PushedFamily
from registry.models import ComputingCenter
from service.kit.keys import DB
from service.kit.principal import Principal, principal_of
from service.kit.roles import require_role
from service.kit.web import operation, respond

PUSH_TIME = "push_time_seconds"
PUSH_FAILURE_TIME = "push_failure_time_seconds"
PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded."
PUSH_FAILURE_HELP = "Last Unix time when changing this group in the Pushgateway failed."


def go_float(value: float) -> str:
    """A float as Go's fmt.Sprint writes it: shortest digits, exponent outside 1e-4..1e6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    exp = len(text) + exponent - 1
    minus = "-" if sign else ""
    if exp < -4 or exp >= 6:  # strconv's 'g' with the shortest digits
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{minus}0.{'0' * (-exp - 1)}{text}"
    if len(text) <= exp + 1:
        return f"{minus}{text}{'0' * (exp + 1 - len(text))}"
    return f"{minus}{text[: exp + 1]}.{text[exp + 1 :]}"


def go_count(value: float) -> str:
    """A count as the gateway prints one: a whole number when it is whole."""
    if math.isfinite(value) and value == int(value) and value >= 0:
        return str(int(value))
    return go_float(value)


class GatewayMetric(BaseModel):
    """One series of a family: `value`, or `buckets`/`quantiles` with `count` and `sum`."""

    labels: dict[str, str]
    value: str | None = None
    buckets: dict[str, str] | None = None
    quantiles: dict[str, str] | None = None
    count: str | None = None
    sum: str | None = None


class GatewayFamily(BaseModel):
    """One metric family of a group as last pushed."""

    time_stamp: dt.datetime = Field(description="when the family was last pushed")
    type: Literal["COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM"]
    help: str | None = None
    metrics: list[GatewayMetric]


class GatewayGroup(BaseModel):
    """One group: its grouping labels and, under each family's name, that family."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, GatewayFamily] = Field(init=False)

    labels: dict[str, str] = Field(description="the grouping key, job and facility included")
    last_push_successful: bool


class GatewayMetrics(BaseModel):
    """The gateway's answer: every group the token may see."""

    status: Literal["success"] = "success"
    data: list[GatewayGroup]


class _Held:
    """One group being assembled from its stored families and samples."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.families: dict[str, PushedFamily] = {}
        self.samples: dict[str, list[tuple[str, dict[str, str], float]]] = defaultdict(list)

    def matches(self, labels: dict[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.labels.items() if k != "facility")


def _family_of(metric: str, families: dict[str, PushedFamily]) -> str | None:
    if metric in families:
        return metric
    for suffix in ("_bucket", "_sum", "_count"):
        base = metric.removesuffix(suffix)
        if base in families and suffix in SUFFIXES.get(families[base].type, ()):
            return base
    return None


def _series_labels(labels: dict[str, str], held: _Held) -> dict[str, str]:
    # As the gateway shows them: the sample's labels, the grouping key's, and `instance`.
    out = {"instance": "", **labels, **held.labels}
    return dict(sorted(out.items()))


def _metrics(
    kind: str, samples: Sequence[tuple[str, dict[str, str], float]], held: _Held
) -> list[GatewayMetric]:
    if kind not in ("histogram", "summary"):
        return [
            GatewayMetric(labels=_series_labels(labels, held), value=go_float(value))
            for _, labels, value in samples
        ]
    inner = "le" if kind == "histogram" else "quantile"
    series: dict[str, GatewayMetric] = {}
    for metric, labels, value in samples:
        own = {k: v for k, v in labels.items() if k != inner}
        shown = _series_labels(own, held)
        entry = series.get(json.dumps(shown, sort_keys=True))
        if entry is None:
            # Go writes an empty map and zeros for what was not pushed.
            entry = series[json.dumps(shown, sort_keys=True)] = GatewayMetric(
                labels=shown, count="0", sum="0"
            )
            if kind == "histogram":
                entry.buckets = {}
            else:
                entry.quantiles = {}
        if metric.endswith("_sum"):
            entry.sum = go_float(value)
        elif metric.endswith("_count"):
            entry.count = go_count(value)
        elif inner in labels:
            bound = go_float(float(labels[inner]))
            if entry.buckets is not None:
                entry.buckets[bound] = go_count(value)
            elif entry.quantiles is not None:
                entry.quantiles[bound] = go_float(value)
    return list(series.values())


def _gauge(at: dt.datetime, help_text: str, labels: dict[str, str], value: str) -> GatewayFamily:
    shown = dict(sorted({"instance": "", **labels}.items()))
    return GatewayFamily(
        time_stamp=at,
        type="GAUGE",
        help=help_text,
        metrics=[GatewayMetric(labels=shown, value=value)],
    )


def _group_out(held: _Held) -> GatewayGroup:
    last = max(f.pushed_at for f in held.families.values())
    extra: dict[str, GatewayFamily] = {}
    for name, family in held.families.items():
        if name in GatewayGroup.model_fields:
            continue  # a family named `labels` would overwrite the group's own key
        extra[name] = GatewayFamily(
            time_stamp=family.pushed_at,
            type=family.type.upper(),
            metrics=_metrics(family.type, held.samples[name], held),
        )
    extra[PUSH_TIME] = _gauge(last, PUSH_TIME_HELP, held.labels, go_float(last.timestamp()))
    extra[PUSH_FAILURE_TIME] = _gauge(last, PUSH_FAILURE_HELP, held.labels, "0")
    return GatewayGroup(labels=held.labels, last_push_successful=True, **extra)


async def held_groups(session: AsyncSession, principal: Principal) -> list[GatewayGroup]:
    """Every group of the centres the token may read, as the gateway would show it."""
    query = (
        select(PushedFamily, ComputingCenter.code)
        .join(ComputingCenter, ComputingCenter.id == PushedFamily.center_id)
        .order_by(ComputingCenter.code, PushedFamily.job, PushedFamily.grouping, PushedFamily.name)
    )
    if not principal.is_official:
        query = query.where(ComputingCenter.unit_id == principal.unit_id)
    groups: dict[tuple[int, str, str], _Held] = {}
    # (centre, push time) -> the groups with a family pushed then: where its samples are.
    pushes: dict[tuple[int, dt.datetime], list[_Held]] = defaultdict(list)
    for family, code in (await session.execute(query)).tuples():
        key = (family.center_id, family.job, family.grouping)
        held = groups.get(key)
        if held is None:
            grouping = {"job": family.job, "facility": code, **json.loads(family.grouping)}
            held = groups[key] = _Held(dict(sorted(grouping.items())))
        held.families[family.name] = family
        pushed_then = pushes[(family.center_id, family.pushed_at)]
        if held not in pushed_then:
            pushed_then.append(held)
    # Each centre's series by the series key, then each push instant by the primary key.
    # Samples of other groups at the same instant are told apart below.
    for center_id, metric, raw_labels, at, value in await samples_at(session, pushes):
        candidates = pushes.get((center_id, at))
        if not candidates:
            continue
        labels = json.loads(raw_labels)
        for held in candidates:
            name = _family_of(metric, held.families)
            if name is not None and held.families[name].pushed_at == at and held.matches(labels):
                sample = (metric, labels, math.nan if value is None else value)
                held.samples[name].append(sample)
                break
    return [_group_out(held) for held in groups.values()]


@operation(
    summary="The Pushgateway's own API: every group held, for the token's centres",
    tag="pushgateway",
    responses={200: GatewayMetrics},
    problems=(401, 403),
    description=(
        "As the Pushgateway's `GET /api/v1/metrics`: each group's grouping labels, and each "
        "family as last pushed, values as strings. Centre operators see their own unit's "
        "centres, officials every centre. HELP texts and samples pushed with a timestamp "
        "of their own are not kept, so not shown."
    ),
)
async def get_metrics(request: web.Request) -> web.Response:
    """GET /api/v1/metrics."""
    principal = principal_of(request)
    require_role(principal, TELEMETRY_ROLES, "read telemetry")
    async with request.app[DB]() as session:
        groups = await held_groups(session, principal)
    body = GatewayMetrics(data=groups).model_dump_json(exclude_none=True)
    return web.Response(text=body, content_type="application/json")


class GatewayStatusData(BaseModel):
    """What the gateway tells of itself; it has no flags of its own here."""

    flags: dict[str, str]
    start_time: dt.datetime
    build_information: dict[str, str]


class GatewayStatus(BaseModel):
    """The gateway's status answer."""

    status: Literal["success"] = "success"
    data: GatewayStatusData


@operation(
    summary="The Pushgateway's own API: when this service started and its version",
    tag="pushgateway",
    responses={200: GatewayStatus},
    problems=(401,),
)
async def get_status(request: web.Request) -> web.Response:
    """GET /api/v1/status."""
    principal_of(request)
    data = GatewayStatusData(
        flags={},
        start_time=request.app[TELEMETRY].started_at,
        build_information={"version": package_version("infra-incentives")},
    )
    return respond(GatewayStatus(data=data))


def add_routes(app: web.Application) -> None:
    """Add the gateway's read API."""
    app.router.add_get("/api/v1/metrics", get_metrics, allow_head=False)
    app.router.add_get("/api/v1/status", get_status, allow_head=False)
