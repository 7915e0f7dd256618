"""GET /api/v1/metrics answers as the Pushgateway's own API does, for the token's centres."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
from prometheus_client.exposition import push_to_gateway, pushadd_to_gateway

from collectors.telemetry.gateway_api import go_float
from tests.telemetry.conftest import Tokens
from tests.telemetry.test_pushgateway import gateway, with_token


def batch_registry() -> CollectorRegistry:
    """A batch job's registry: a gauge with labels, a counter, a histogram and a summary."""
    registry = CollectorRegistry()
    temp = Gauge("gpu_temp", "GPU temperature", ["gpu"], registry=registry)
    temp.labels("0").set(61.5)
    temp.labels("1").set(1_000_000)
    Counter("jobs_done", "done", registry=registry).inc(7)
    latency = Histogram("latency_seconds", "latency", buckets=(0.1, 1.0), registry=registry)
    for value in (0.05, 0.5, 5.0):
        latency.observe(value)
    Summary("size_bytes", "size", registry=registry).observe(3)
    return registry


async def gateway_groups(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The `data` of GET /api/v1/metrics, after checking the envelope."""
    r = await client.get("/api/v1/metrics", headers=headers)
    assert r.status == 200, await r.text()
    body = await r.json()
    assert body["status"] == "success"
    return sorted(body["data"], key=lambda g: sorted(g["labels"].items()))  # type: ignore[no-any-return]


async def test_the_groups_held_in_the_gateways_shape(client: Any, tokens: Tokens) -> None:
    before = dt.datetime.now(dt.UTC).timestamp()
    await asyncio.to_thread(
        push_to_gateway,
        gateway(client),
        job="batch",
        registry=batch_registry(),
        grouping_key={"facility": "C1", "instance": "node1"},
        handler=with_token(tokens.center_u1),
    )
    [group] = await gateway_groups(client, tokens.center_u1)
    key = {"facility": "C1", "instance": "node1", "job": "batch"}
    assert group["labels"] == key
    assert group["last_push_successful"] is True
    temp = group["gpu_temp"]
    assert temp["type"] == "GAUGE"
    assert dt.datetime.fromisoformat(temp["time_stamp"]).timestamp() >= before - 1
    assert sorted(temp["metrics"], key=lambda m: m["labels"]["gpu"]) == [
        {"labels": {**key, "gpu": "0"}, "value": "61.5"},
        {"labels": {**key, "gpu": "1"}, "value": "1e+06"},  # as Go prints it
    ]
    assert group["jobs_done_total"]["type"] == "COUNTER"
    assert group["jobs_done_total"]["metrics"] == [{"labels": key, "value": "7"}]
    [latency] = group["latency_seconds"]["metrics"]
    assert group["latency_seconds"]["type"] == "HISTOGRAM"
    assert latency == {
        "labels": key,
        "buckets": {"0.1": "1", "1": "2", "+Inf": "3"},
        "count": "3",
        "sum": "5.55",
    }
    [size] = group["size_bytes"]["metrics"]
    assert group["size_bytes"]["type"] == "SUMMARY"
    assert size == {"labels": key, "quantiles": {}, "count": "1", "sum": "3"}
    pushed = group["push_time_seconds"]
    assert pushed["type"] == "GAUGE"
    assert pushed["help"] == "Last Unix time when changing this group in the Pushgateway succeeded."
    assert float(pushed["metrics"][0]["value"]) >= before - 1
    assert pushed["metrics"][0]["labels"] == key
    assert group["push_failure_time_seconds"]["metrics"][0]["value"] == "0"


async def test_instance_is_empty_when_not_pushed_and_post_keeps_other_families(
    client: Any, tokens: Tokens
) -> None:
    url, handler = gateway(client), with_token(tokens.center_u1)
    first = CollectorRegistry()
    Gauge("a", "a", registry=first).set(1)
    Gauge("b", "b", registry=first).set(2)
    await asyncio.to_thread(push_to_gateway, url, "j", first, {"facility": "C1"}, 10, handler)
    second = CollectorRegistry()
    Gauge("b", "b", registry=second).set(3)
    await asyncio.to_thread(pushadd_to_gateway, url, "j", second, {"facility": "C1"}, 10, handler)
    [group] = await gateway_groups(client, tokens.center_u1)
    assert group["labels"] == {"facility": "C1", "job": "j"}
    shown = {"facility": "C1", "instance": "", "job": "j"}
    assert group["a"]["metrics"] == [{"labels": shown, "value": "1"}]
    assert group["b"]["metrics"] == [{"labels": shown, "value": "3"}]
    assert group["b"]["time_stamp"] > group["a"]["time_stamp"]
    assert group["push_time_seconds"]["time_stamp"] == group["b"]["time_stamp"]


async def test_each_token_sees_its_own_centres_officials_all(client: Any, tokens: Tokens) -> None:
    for token, code in ((tokens.center_u1, "C1"), (tokens.center_u2, "C2")):
        r = await client.put(f"/metrics/job/j/facility/{code}", data=b"up 1\n", headers=token)
        assert r.status == 200, await r.text()
    assert [g["labels"]["facility"] for g in await gateway_groups(client, tokens.center_u1)] == [
        "C1"
    ]
    assert [g["labels"]["facility"] for g in await gateway_groups(client, tokens.center_u2)] == [
        "C2"
    ]
    assert [g["labels"]["facility"] for g in await gateway_groups(client, tokens.admin)] == [
        "C1",
        "C2",
    ]
    assert (await client.get("/api/v1/metrics", headers=tokens.buyer_u1)).status == 403
    assert (await client.get("/api/v1/metrics")).status == 401
    r = await client.delete("/metrics/job/j/facility/C1", headers=tokens.center_u1)
    assert r.status == 202
    assert await gateway_groups(client, tokens.center_u1) == []


async def test_nan_and_inf_are_written_as_go_writes_them(client: Any, tokens: Tokens) -> None:
    body = b'x{k="a"} NaN\nx{k="b"} +Inf\nx{k="c"} -Inf\nx{k="d"} 1.5e-05\nlabels 1\n'
    r = await client.put("/metrics/job/j/facility/C1", data=body, headers=tokens.center_u1)
    assert r.status == 200, await r.text()
    [group] = await gateway_groups(client, tokens.center_u1)
    values = {m["labels"]["k"]: m["value"] for m in group["x"]["metrics"]}
    assert values == {"a": "NaN", "b": "+Inf", "c": "-Inf", "d": "1.5e-05"}
    assert group["x"]["type"] == "UNTYPED"
    assert group["labels"] == {"facility": "C1", "job": "j"}  # a family cannot hide the key


def test_go_float_prints_as_fmt_sprint() -> None:
    cases = {
        0.0: "0",
        1.0: "1",
        3.14: "3.14",
        123456.0: "123456",
        1e6: "1e+06",
        1583921100.5: "1.5839211005e+09",
        0.0001: "0.0001",
        0.00001: "1e-05",
        -2.5: "-2.5",
    }
    assert {v: go_float(v) for v in cases} == cases


async def test_the_pushgateway_routes_are_described_in_openapi(client: Any) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    push = doc["paths"]["/metrics/job/{job}/facility/{facility}"]
    assert set(push) == {"put", "post", "delete"}
    assert "text/plain" in push["put"]["requestBody"]["content"]
    assert {"200", "401", "403", "404", "413", "415"} <= set(push["put"]["responses"])
    assert "202" in push["delete"]["responses"]
    assert [p["name"] for p in push["post"]["parameters"]] == ["job", "facility"]
    metrics = doc["paths"]["/api/v1/metrics"]["get"]
    schema = metrics["responses"]["200"]["content"]["application/json"]["schema"]
    group = doc["components"]["schemas"]["GatewayGroup"]
    assert group["additionalProperties"] == {"$ref": "#/components/schemas/GatewayFamily"}
    assert schema == {"$ref": "#/components/schemas/GatewayMetrics"}


async def test_status_answers_in_the_gateways_envelope(client: Any, tokens: Tokens) -> None:
    r = await client.get("/api/v1/status", headers=tokens.buyer_u1)
    assert r.status == 200, await r.text()
    body = await r.json()
    assert body["status"] == "success"
    assert set(body["data"]) == {"flags", "start_time", "build_information"}
    assert body["data"]["build_information"]["version"]
    assert (await client.get("/api/v1/status")).status == 401
