"""Another unit's centre answers a unit's token exactly as a code that does not exist.

A 403 for a registered code beside a 422 or 404 for an unknown one tells a caller which codes
exist. Every route that names a centre is asked both ways; officials may still tell them apart.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.telemetry.conftest import Tokens

HIDDEN, ABSENT = "C2", "NOPE"  # C2 is U2's centre; NOPE is no centre at all
TARGETS = "/api/v1/computing-centers/{}/exporter-targets"


def _requests(code: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every request that names a centre by its code, as (method, path, keyword arguments)."""
    sample = {"facility": code, "metric": "gpu_util", "value": 1}
    own = {"facility": "C1", "metric": "gpu_util", "value": 1}
    target = {"url": "http://127.0.0.1:9/metrics"}
    return [
        ("POST", "/api/v1/telemetry", {"json": {"samples": [sample]}}),
        # Among samples of the caller's own centre, in the slow (per-sample) path too.
        ("POST", "/api/v1/telemetry", {"json": {"samples": [own, sample, {**sample, "x": 1}]}}),
        ("GET", f"/api/v1/telemetry?facility={code}&metric=gpu_util", {}),
        ("GET", f"/api/v1/telemetry/groups?facility={code}", {}),
        ("PUT", f"/metrics/job/j/facility/{code}", {"data": b"a 1\n"}),
        ("POST", f"/metrics/job/j/facility/{code}", {"data": b"a 1\n"}),
        ("DELETE", f"/metrics/job/j/facility/{code}", {}),
        ("PUT", f"/metrics/job/j/facility/{code}/instance/n1", {"data": b"a 1\n"}),
        # Refused for the centre before the body is even looked at.
        ("PUT", f"/metrics/job/j/facility/{code}", {"data": b"x", "headers": {
            "Content-Type": "application/vnd.google.protobuf; encoding=delimited"}}),
        ("GET", TARGETS.format(code), {}),
        ("POST", TARGETS.format(code), {"json": target}),
        ("PATCH", TARGETS.format(code) + "/1", {"json": {"enabled": False}}),
        ("DELETE", TARGETS.format(code) + "/1", {}),
        ("GET", f"/api/v1/computing-centers/{code}/attestation", {}),
    ]  # fmt: skip


async def _answer(
    client: Any, headers: dict[str, str], method: str, path: str, kwargs: dict[str, Any]
) -> tuple[int, Any]:
    sent = {**kwargs, "headers": {**headers, **kwargs.get("headers", {})}}
    r = await client.request(method, path, **sent)
    text = await r.text()
    body = json.loads(text) if text else None
    if isinstance(body, dict):
        body.pop("request_id", None)  # the server's id of this one request
    return r.status, body


@pytest.mark.parametrize("lang", [None, "zh-CN,zh;q=0.9"])
async def test_another_units_centre_answers_as_an_unknown_code(
    client: Any, tokens: Tokens, lang: str | None
) -> None:
    headers = {**tokens.center_u1, **({"Accept-Language": lang} if lang else {})}
    for (method, path, kwargs), (_, absent_path, absent_kwargs) in zip(
        _requests(HIDDEN), _requests(ABSENT), strict=True
    ):
        hidden = await _answer(client, headers, method, path, kwargs)
        absent = await _answer(client, headers, method, absent_path, absent_kwargs)
        # The same status and the same words; only the code the caller sent is echoed.
        shown = json.loads(json.dumps(hidden[1]).replace(f"'{HIDDEN}'", f"'{ABSENT}'"))
        assert (hidden[0], shown) == absent, (method, path, hidden, absent)
        assert hidden[0] in (404, 422), (method, path, hidden)


async def test_nothing_is_stored_for_a_hidden_centre_and_the_owner_still_pushes(
    client: Any, tokens: Tokens
) -> None:
    for method, path, kwargs in _requests(HIDDEN):
        await _answer(client, tokens.center_u1, method, path, kwargs)
    r = await client.get(
        f"/api/v1/telemetry?facility={HIDDEN}&metric=gpu_util", headers=tokens.admin
    )
    assert (await r.json())["total"] == 0
    r = await client.get(f"/api/v1/telemetry/groups?facility={HIDDEN}", headers=tokens.admin)
    assert (await r.json())["groups"] == []
    r = await client.put(f"/metrics/job/j/facility/{HIDDEN}", data=b"a 1\n",
                         headers=tokens.center_u2)  # fmt: skip
    assert r.status == 200, await r.text()
    sample = {"facility": HIDDEN, "metric": "gpu_util", "value": 1}
    r = await client.post("/api/v1/telemetry", json={"samples": [sample]},
                          headers=tokens.center_u2)  # fmt: skip
    assert r.status == 200, await r.text()


async def test_a_role_that_may_not_push_is_refused_before_any_code_is_looked_up(
    client: Any, tokens: Tokens
) -> None:
    for code in (HIDDEN, ABSENT, "C1"):
        sample = {"facility": code, "metric": "gpu_util", "value": 1}
        r = await client.post("/api/v1/telemetry", json={"samples": [sample]},
                              headers=tokens.buyer_u1)  # fmt: skip
        assert r.status == 403
        assert (await r.json())["detail"].startswith("role 'buyer' may not push telemetry")
        r = await client.put(f"/metrics/job/j/facility/{code}", data=b"a 1\n",
                             headers=tokens.buyer_u1)  # fmt: skip
        assert r.status == 403


async def test_officials_still_tell_an_unknown_code_from_a_registered_one(
    client: Any, tokens: Tokens
) -> None:
    sample = {"facility": HIDDEN, "metric": "gpu_util", "value": 1}
    r = await client.post("/api/v1/telemetry", json={"samples": [sample]}, headers=tokens.admin)
    assert r.status == 200, await r.text()
    r = await client.post("/api/v1/telemetry", json={"samples": [{**sample, "facility": ABSENT}]},
                          headers=tokens.admin)  # fmt: skip
    assert r.status == 422
    assert (await r.json())["errors"][0]["message"] == f"unknown centre '{ABSENT}'"
