"""Pushgateway compatibility: prometheus_client pushes to the service, and the history is kept."""

from __future__ import annotations

import asyncio
import base64
import gzip
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import (
    default_handler,
    delete_from_gateway,
    push_to_gateway,
    pushadd_to_gateway,
)

from tests.telemetry.conftest import Tokens


def with_token(token: dict[str, str]) -> Callable[..., Callable[[], None]]:
    """A push handler that adds the bearer token, as a centre's exporter would."""

    def handler(
        url: str, method: str, timeout: float | None, headers: list[Any], data: bytes
    ) -> Callable[[], None]:
        return default_handler(url, method, timeout, [*headers, *token.items()], data)

    return handler


def gateway(client: Any) -> str:
    """The base URL of the test server, as push_to_gateway wants it."""
    return f"http://{client.host}:{client.port}"


async def samples(client: Any, headers: dict[str, str], metric: str) -> list[Any]:
    """Every stored sample of a metric of centre C1, oldest first."""
    r = await client.get(f"/api/v1/telemetry?facility=C1&metric={metric}", headers=headers)
    assert r.status == 200, await r.text()
    return (await r.json())["items"]  # type: ignore[no-any-return]


async def groups(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    """C1's groups as the gateway would hold them: {job: {family: series}}."""
    r = await client.get("/api/v1/telemetry/groups?facility=C1", headers=headers)
    assert r.status == 200, await r.text()
    return {
        g["job"]: {f["name"]: f["series"] for f in g["families"]}
        for g in (await r.json())["groups"]
    }


def dcgm_registry(utilisation: float) -> CollectorRegistry:
    """A registry like a dcgm-exporter's, with an awkward label value."""
    registry = CollectorRegistry()
    util = Gauge("DCGM_FI_DEV_GPU_UTIL", "GPU utilisation", ["gpu", "modelName"], registry=registry)
    util.labels("0", 'NVIDIA "H100" \\ 80GB').set(utilisation)
    util.labels("1", "NVIDIA H100 80GB HBM3").set(utilisation / 2)
    return registry


async def test_push_to_gateway_is_stored_and_read_back(client: Any, tokens: Tokens) -> None:
    handler = with_token(tokens.center_u1)
    key = {"facility": "C1", "instance": "node 1/a"}  # a space and a slash: sent as base64
    for value in (80.0, 90.0):
        await asyncio.to_thread(
            push_to_gateway,
            gateway(client),
            job="dcgm",
            registry=dcgm_registry(value),
            grouping_key=key,
            handler=handler,
        )
    stored = await samples(client, tokens.center_u1, "DCGM_FI_DEV_GPU_UTIL")
    assert [s["value"] for s in stored] == [80.0, 40.0, 90.0, 45.0]
    assert len({s["time"] for s in stored}) == 2  # two pushes, both kept as history
    assert stored[0]["labels"] == {
        "gpu": "0",
        "modelName": 'NVIDIA "H100" \\ 80GB',
        "instance": "node 1/a",
        "job": "dcgm",
    }
    assert all(s["labels"]["job"] == "dcgm" and "facility" not in s["labels"] for s in stored)
    assert (await groups(client, tokens.center_u1)) == {"dcgm": {"DCGM_FI_DEV_GPU_UTIL": 2}}


async def test_put_replaces_the_group_post_replaces_same_names_delete_removes(
    client: Any, tokens: Tokens
) -> None:
    handler = with_token(tokens.center_u1)
    url = gateway(client)
    first = CollectorRegistry()
    Gauge("a", "a", registry=first).set(1)
    Gauge("b", "b", registry=first).set(2)
    await asyncio.to_thread(push_to_gateway, url, "j", first, {"facility": "C1"}, 10, handler)
    assert await groups(client, tokens.center_u1) == {"j": {"a": 1, "b": 1}}

    only_b = CollectorRegistry()
    Gauge("b", "b", ["x"], registry=only_b).labels("1").set(3)
    await asyncio.to_thread(pushadd_to_gateway, url, "j", only_b, {"facility": "C1"}, 10, handler)
    assert await groups(client, tokens.center_u1) == {"j": {"a": 1, "b": 1}}  # POST kept a

    only_c = CollectorRegistry()
    Gauge("c", "c", registry=only_c).set(4)
    await asyncio.to_thread(push_to_gateway, url, "j", only_c, {"facility": "C1"}, 10, handler)
    assert await groups(client, tokens.center_u1) == {"j": {"c": 1}}  # PUT replaced all

    await asyncio.to_thread(delete_from_gateway, url, "j", {"facility": "C1"}, 10, handler)
    assert await groups(client, tokens.center_u1) == {}
    # The history stays: every pushed sample was stored.
    assert [s["value"] for s in await samples(client, tokens.center_u1, "b")] == [2.0, 3.0]
    assert [s["value"] for s in await samples(client, tokens.center_u1, "a")] == [1.0]


async def test_gzip_and_base64_job_are_accepted(client: Any, tokens: Tokens) -> None:
    registry = CollectorRegistry()
    Counter("jobs_done", "done", registry=registry).inc(7)
    await asyncio.to_thread(
        push_to_gateway,
        gateway(client),
        job="batch/nightly",  # a slash: prometheus_client sends /metrics/job@base64/…
        registry=registry,
        grouping_key={"facility": "C1"},
        handler=with_token(tokens.center_u1),
        compression="gzip",
    )
    stored = await samples(client, tokens.center_u1, "jobs_done_total")
    assert [(s["value"], s["labels"]) for s in stored] == [(7.0, {"job": "batch/nightly"})]
    # An empty label value is '=' in base64 form; unpadded base64 is accepted too.
    empty = "/metrics/job/j/facility/C1/tier@base64/="
    unpadded = "/metrics/job/j/facility/C1/zone@base64/" + base64.urlsafe_b64encode(b"a").decode(
    ).rstrip("=")  # fmt: skip
    for path in (empty, unpadded):
        r = await client.put(path, data=b"up 1\n", headers=tokens.center_u1)
        assert r.status == 200, await r.text()
    labels = [s["labels"] for s in await samples(client, tokens.center_u1, "up")]
    assert labels == [{"job": "j", "tier": ""}, {"job": "j", "zone": "a"}]


async def test_nan_and_inf_pushes_are_kept(client: Any, tokens: Tokens) -> None:
    body = gzip.compress(b'x{k="a"} NaN\nx{k="b"} +Inf\nx{k="c"} -Inf\n')
    h = {**tokens.center_u1, "Content-Encoding": "gzip"}
    r = await client.post("/metrics/job/j/facility/C1", data=body, headers=h)
    assert r.status == 200, await r.text()
    stored = await samples(client, tokens.center_u1, "x")
    assert sorted(str(s["value"]) for s in stored) == ["-Infinity", "Infinity", "NaN"]


async def test_bad_pushes_are_refused_naming_the_line(client: Any, tokens: Tokens) -> None:
    h = tokens.center_u1
    r = await client.put("/metrics/job/j/facility/C1", data=b"a 1\nb{x=1} 2\n", headers=h)
    assert r.status == 400
    assert "line 2" in (await r.json())["detail"]
    r = await client.put("/metrics/job/j/instance/i", data=b"a 1\n", headers=h)
    assert r.status == 400
    assert "facility" in (await r.json())["detail"]
    r = await client.put("/metrics/job/j/facility/NOPE", data=b"a 1\n", headers=h)
    assert r.status == 404
    r = await client.put("/metrics/job/j/facility/C2", data=b"a 1\n", headers=h)
    assert r.status == 404  # another unit's centre, answered as NOPE is
    r = await client.put("/metrics/job/j/facility/C1", data=b"a 1\n")
    assert r.status == 401
    r = await client.put("/metrics/job@base64/ag/facility/C1", data=b"a 1\n")
    assert r.status == 401
    assert await samples(client, tokens.admin, "a") == []
    r = await client.put("/metrics/job/j/facility/C1", data=b"\xff\n", headers=h)
    assert r.status == 400


async def test_concurrent_pushes_to_one_group_all_succeed_and_the_last_one_stands(
    client: Any, tokens: Tokens
) -> None:
    url = "/metrics/job/dcgm/facility/C1"
    bodies = [f'# TYPE gpu_temp gauge\ngpu_temp{{gpu="0"}} {40 + i}\n' for i in range(8)]
    answers = await asyncio.gather(
        *(client.put(url, data=body, headers=tokens.center_u1) for body in bodies)
    )
    assert [r.status for r in answers] == [200] * 8
    stored = await samples(client, tokens.center_u1, "gpu_temp")
    assert sorted(s["value"] for s in stored) == [40.0 + i for i in range(8)]
    listed = await groups(client, tokens.center_u1)
    assert "gpu_temp" in str(listed)
