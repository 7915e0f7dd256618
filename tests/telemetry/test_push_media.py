"""What content types a push may carry, as the gateway reads them, and which check comes first."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.exposition import push_to_gateway

from tests.telemetry.conftest import Tokens
from tests.telemetry.test_pushgateway import gateway, samples, with_token

PROTOBUF = (
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
)


async def test_the_gateways_curl_example_is_accepted(client: Any, tokens: Tokens) -> None:
    # `echo "some_metric 3.14" | curl -H 'Authorization: …' --data-binary @- URL`, byte for byte.
    curl = {
        "User-Agent": "curl/8.5.0",
        "Accept": "*/*",
        "Content-Type": "application/x-www-form-urlencoded",
        **tokens.center_u1,
    }
    r = await client.post(
        "/metrics/job/some_job/facility/C1", data=b"some_metric 3.14\n", headers=curl
    )
    assert r.status == 200, await r.text()
    stored = await samples(client, tokens.center_u1, "some_metric")
    assert [(s["value"], s["labels"]) for s in stored] == [(3.14, {"job": "some_job"})]


async def test_text_with_any_version_and_no_content_type_are_text(
    client: Any, tokens: Tokens
) -> None:
    for i, media in enumerate(("text/plain; version=0.0.4; charset=utf-8", "text/plain", None)):
        headers = dict(tokens.center_u1)
        skip = ()
        if media is None:
            skip = ("Content-Type",)
        else:
            headers["Content-Type"] = media
        r = await client.put(
            f"/metrics/job/j/facility/C1/n/{i}",
            data=f"m {i}\n".encode(),
            headers=headers,
            skip_auto_headers=skip,
        )
        assert r.status == 200, (media, await r.text())
    assert [s["value"] for s in await samples(client, tokens.center_u1, "m")] == [0.0, 1.0, 2.0]


async def test_push_to_gateway_sends_text_that_is_accepted(client: Any, tokens: Tokens) -> None:
    registry = CollectorRegistry()
    Gauge("job_last_success_unixtime", "last success", registry=registry).set(1.7e9)
    await asyncio.to_thread(
        push_to_gateway,
        gateway(client),
        job="batch",
        registry=registry,
        grouping_key={"facility": "C1"},
        handler=with_token(tokens.center_u1),
    )
    stored = await samples(client, tokens.center_u1, "job_last_success_unixtime")
    assert [s["value"] for s in stored] == [1.7e9]


async def test_protobuf_is_415_saying_to_use_text(client: Any, tokens: Tokens) -> None:
    h = {**tokens.center_u1, "Content-Type": PROTOBUF}
    r = await client.put("/metrics/job/j/facility/C1", data=b"\x0a\x01m", headers=h)
    assert r.status == 415
    assert "text" in (await r.json())["detail"]
    h = {**tokens.center_u1, "Content-Type": "application/json"}
    r = await client.put("/metrics/job/j/facility/C1", data=b"{}", headers=h)
    assert r.status == 415


async def test_a_415_never_hides_a_401_403_or_404(client: Any, tokens: Tokens) -> None:
    cases = [
        ("/metrics/job/j/facility/C1", {}, 401),
        ("/metrics/job/j/facility/C1", tokens.buyer_u1, 403),
        ("/metrics/job/j/facility/C2", tokens.center_u1, 404),  # another unit's, as unknown
        ("/metrics/job/j/facility/NOPE", tokens.center_u1, 404),
        ("/metrics/job/j/facility/NOPE", tokens.admin, 404),
    ]
    for path, token, status in cases:
        h = {**token, "Content-Type": PROTOBUF}
        r = await client.put(path, data=b"\x0a\x01m", headers=h)
        assert r.status == status, (path, token, await r.text())


async def test_a_refused_push_says_why(client: Any, tokens: Tokens) -> None:
    r = await client.put("/metrics/job/j/facility/C2", data=b"m 1\n", headers=tokens.center_u1)
    # Another unit's centre is not named as such: that would confirm the code exists.
    assert r.status == 404
    assert (await r.json())["detail"] == "no computing centre with code 'C2'"
    r = await client.put("/metrics/job/j/facility/C1", data=b"m 1\n", headers=tokens.buyer_u1)
    assert r.status == 403
    assert "role 'buyer' may not push telemetry" in (await r.json())["detail"]
