"""The JSON telemetry API: batches stored once and all-or-nothing, read back raw and rolled up."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from collectors.telemetry.install import prune_job
from collectors.telemetry.retention import PRUNE_JOB_ID, prune
from service.kit.keys import DB, METRICS, SCHEDULER
from tests.telemetry.conftest import Tokens

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def at(hours_ago: float) -> str:
    """An RFC 3339 time some hours before the test started."""
    return (NOW - dt.timedelta(hours=hours_ago)).isoformat().replace("+00:00", "Z")


def sample(value: float, time: str, facility: str = "C1", **labels: str) -> dict[str, Any]:
    """One GPU-utilisation sample."""
    return {
        "facility": facility,
        "metric": "gpu_util",
        "value": value,
        "time": time,
        "labels": labels or {"gpu": "0"},
    }


async def post(client: Any, headers: dict[str, str], samples: list[Any]) -> Any:
    """POST a batch and return the response."""
    return await client.post("/api/v1/telemetry", json={"samples": samples}, headers=headers)


async def read(client: Any, headers: dict[str, str], query: str) -> Any:
    """GET /api/v1/telemetry with a query, asserting 200."""
    r = await client.get(f"/api/v1/telemetry?{query}", headers=headers)
    assert r.status == 200, await r.text()
    return await r.json()


async def test_a_retried_batch_is_counted_once(client: Any, tokens: Tokens) -> None:
    batch = [sample(0.5, at(3)), sample(0.7, at(2)), sample(0.9, at(2), gpu="1")]
    r = await post(client, tokens.center_u1, batch)
    assert r.status == 200, await r.text()
    assert await r.json() == {"accepted": 3, "duplicates": 0}
    r = await post(client, tokens.center_u1, batch)
    assert await r.json() == {"accepted": 0, "duplicates": 3}
    # A batch that repeats a sample inside itself stores it once, too.
    r = await post(client, tokens.center_u1, [sample(0.1, at(1)), sample(0.2, at(1))])
    assert await r.json() == {"accepted": 1, "duplicates": 1}
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    assert page["total"] == 4
    assert [(s["value"], s["labels"]) for s in page["items"]] == [
        (0.5, {"gpu": "0"}),
        (0.7, {"gpu": "0"}),
        (0.9, {"gpu": "1"}),
        (0.1, {"gpu": "0"}),
    ]
    assert page["items"][0]["time"] == at(3)


async def test_labels_in_another_order_are_the_same_series(client: Any, tokens: Tokens) -> None:
    first = sample(1, at(1))
    first["labels"] = {"gpu": "0", "host": "n1"}
    second = sample(1, at(1))
    second["labels"] = {"host": "n1", "gpu": "0"}
    r = await post(client, tokens.center_u1, [first, second])
    assert await r.json() == {"accepted": 1, "duplicates": 1}


async def test_a_batch_with_bad_samples_stores_nothing_and_names_each(
    client: Any, tokens: Tokens
) -> None:
    batch = [
        sample(0.5, at(1)),
        {"facility": "C1", "metric": "bad name", "value": 1},
        sample(0.5, at(1), facility="NOPE"),
        {"facility": "C1", "metric": "m", "value": "high"},
        {"facility": "C1", "metric": "m", "value": 1, "time": "2026-01-01T00:00:00"},
        sample(0.5, at(24 * 400)),
        {"facility": "C1", "metric": "m", "value": 1, "colour": "red"},
    ]
    r = await post(client, tokens.center_u1, batch)
    assert r.status == 422
    assert r.content_type == "application/problem+json"
    problem = await r.json()
    assert [(e["index"], e["field"]) for e in problem["errors"]] == [
        (1, "metric"),
        (2, "facility"),
        (3, "value"),
        (4, "time"),
        (5, "time"),
        (6, "colour"),
    ]
    assert "unknown centre 'NOPE'" in problem["errors"][1]["message"]
    assert "retention of 90 days" in problem["errors"][4]["message"]
    page = await read(client, tokens.admin, "facility=C1&metric=gpu_util")
    assert page["total"] == 0


async def test_nan_and_malformed_json_are_refused(client: Any, tokens: Tokens) -> None:
    h = {**tokens.center_u1, "Content-Type": "application/json"}
    body = '{"samples": [{"facility": "C1", "metric": "m", "value": NaN}]}'
    r = await client.post("/api/v1/telemetry", data=body, headers=h)
    assert r.status == 400
    assert "NaN is not JSON" in (await r.json())["detail"]
    r = await client.post("/api/v1/telemetry", data='{"samples": [', headers=h)
    assert r.status == 400
    r = await client.post("/api/v1/telemetry", json={"samples": []}, headers=h)
    assert r.status == 422


async def test_a_centre_pushes_only_for_its_own_unit(client: Any, tokens: Tokens) -> None:
    batch = [sample(1, at(1)), sample(1, at(1), facility="C2"), sample(1, at(1), facility="C2")]
    r = await post(client, tokens.center_u1, batch)
    # As for a centre that does not exist: a 403 would confirm that C2 is registered.
    assert r.status == 422
    assert [(e["index"], e["message"]) for e in (await r.json())["errors"]] == [
        (1, "unknown centre 'C2'"), (2, "unknown centre 'C2'")
    ]  # fmt: skip
    r = await post(client, tokens.buyer_u1, [sample(1, at(1))])
    assert r.status == 403
    r = await post(client, tokens.admin, batch)
    assert await r.json() == {"accepted": 2, "duplicates": 1}
    r = await client.get("/api/v1/telemetry?facility=C2&metric=gpu_util", headers=tokens.center_u1)
    assert r.status == 404  # as for a centre that does not exist: other units' codes stay hidden
    page = await read(client, tokens.center_u2, "facility=C2&metric=gpu_util")
    assert page["total"] == 1
    r = await client.get("/api/v1/telemetry?facility=C9&metric=gpu_util", headers=tokens.admin)
    assert r.status == 404
    r = await client.post("/api/v1/telemetry", json={"samples": [sample(1, at(1))]})
    assert r.status == 401


async def test_daily_rollups_follow_shanghai_days_and_ignore_duplicates(
    client: Any, tokens: Tokens
) -> None:
    # 15:30 and 16:30 UTC fall on two Shanghai days (23:30 and 00:30 the next day).
    day = (NOW - dt.timedelta(days=2)).date()
    t = dt.datetime.combine(day, dt.time(15, 30), dt.UTC)
    late, next_day = t.isoformat(), (t + dt.timedelta(hours=1)).isoformat()
    early = (t - dt.timedelta(hours=10)).isoformat()
    batch = [
        sample(10, early, gpu="0"),
        sample(30, late, gpu="0"),
        sample(20, late, gpu="1"),  # same instant, another series: last is the greatest
        sample(5, next_day, gpu="0"),
    ]
    assert (await (await post(client, tokens.center_u1, batch)).json())["accepted"] == 4
    assert (await (await post(client, tokens.center_u1, batch)).json())["duplicates"] == 4
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert page["rollup"] == "daily"
    first, second = page["items"]
    assert first["day"] == day.isoformat()
    assert (first["min"], first["max"], first["mean"], first["last"], first["count"]) == (
        10,
        30,
        20,
        30,
        3,
    )
    assert first["last_time"] == late.replace("+00:00", "Z")
    assert second["day"] == (day + dt.timedelta(days=1)).isoformat()
    assert (second["min"], second["max"], second["count"]) == (5, 5, 1)
    page = await read(
        client,
        tokens.center_u1,
        f"facility=C1&metric=gpu_util&rollup=daily&since={day + dt.timedelta(days=1)}",
    )
    assert [d["day"] for d in page["items"]] == [(day + dt.timedelta(days=1)).isoformat()]


async def test_raw_reads_page_and_filter_by_time(client: Any, tokens: Tokens) -> None:
    batch = [sample(i, at(10 - i)) for i in range(10)]
    await post(client, tokens.center_u1, batch)
    since = at(7).replace("Z", "%2B00:00")
    until = at(3).replace("Z", "%2B00:00")
    page = await read(
        client, tokens.center_u1, f"facility=C1&metric=gpu_util&since={since}&until={until}"
    )
    assert [s["value"] for s in page["items"]] == [3, 4, 5, 6]
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&limit=3&offset=8")
    assert ([s["value"] for s in page["items"]], page["total"]) == ([8, 9], 10)
    weekly = "/api/v1/telemetry?facility=C1&metric=m&rollup=weekly"
    r = await client.get(weekly, headers=tokens.admin)
    assert r.status == 400


async def test_pruning_keeps_rollups_and_is_safe_twice_at_once(
    client: Any, tokens: Tokens, app: web.Application
) -> None:
    batch = [sample(1, at(24 * 80)), sample(2, at(24 * 20)), sample(3, at(1))]
    assert (await (await post(client, tokens.center_u1, batch)).json())["accepted"] == 3
    later = NOW + dt.timedelta(days=30)  # the first sample is now 110 days old
    counts = await asyncio.gather(prune(app[DB], 90, later), prune(app[DB], 90, later))
    assert sorted(counts) in ([0, 1], [1, 1])  # both finish; the row goes once
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    assert [s["value"] for s in page["items"]] == [2, 3]
    daily = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert sum(d["count"] for d in daily["items"]) == 3
    assert await prune_job(app) == 0  # the scheduled job itself: nothing is past retention now


def test_the_prune_job_is_scheduled_with_its_own_id(app: web.Application) -> None:
    job = app[SCHEDULER].get_job(PRUNE_JOB_ID)
    assert job is not None
    assert job.func is prune_job


async def test_ingest_is_counted_in_the_apps_registry(
    client: Any, tokens: Tokens, app: web.Application
) -> None:
    batch = [sample(1, at(1)), sample(2, at(2))]
    await post(client, tokens.center_u1, batch)
    await post(client, tokens.center_u1, batch)
    registry: CollectorRegistry = app[METRICS]
    labels = {"source": "json", "outcome": "duplicate"}
    assert registry.get_sample_value("incentives_telemetry_samples_total", labels) == 2
    r = await client.get("/metrics")
    assert 'incentives_telemetry_samples_total{outcome="accepted",source="json"} 2.0' in (
        await r.text()
    )


async def test_openapi_describes_the_telemetry_routes(client: Any) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    post_op = doc["paths"]["/api/v1/telemetry"]["post"]
    assert set(post_op["responses"]) >= {"200", "400", "401", "403", "413", "415", "422"}
    assert "requestBody" in post_op
    params = {p["name"] for p in doc["paths"]["/api/v1/telemetry"]["get"]["parameters"]}
    assert params >= {"facility", "metric", "since", "until", "rollup", "limit", "offset"}
    assert "/api/v1/telemetry/groups" in doc["paths"]
