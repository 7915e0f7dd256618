"""Attacks on telemetry input: loose values and times, look-alike digits, extreme bounds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.telemetry.conftest import Tokens
from tests.telemetry.test_telemetry_api import at, post, read, sample

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value", True),
        ("value", "5"),
        ("value", 1.7e308),
        ("value", -1e301),
        ("time", 1767225600),
        ("time", "1767225600"),
        ("time", at(1).translate(ARABIC)),
        ("time", at(1).translate(DEVANAGARI)),
        ("time", at(1).removesuffix("Z")),
        ("time", "2025-W10-1T00:00:00Z"),
    ],
)
async def test_loose_values_and_times_are_refused(
    client: Any, tokens: Tokens, field: str, value: Any
) -> None:
    bad = sample(1, at(1)) | {field: value}
    r = await post(client, tokens.center_u1, [sample(1, at(2)), bad])
    assert r.status == 422, await r.text()
    assert [(e["index"], e["field"]) for e in (await r.json())["errors"]] == [(1, field)]
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util")
    assert page["total"] == 0


async def test_a_full_width_time_is_the_same_instant(client: Any, tokens: Tokens) -> None:
    stamp = at(1)
    r = await post(client, tokens.center_u1, [sample(1, stamp)])
    assert (await r.json())["accepted"] == 1
    r = await post(client, tokens.center_u1, [sample(1, stamp.translate(FULL_WIDTH))])
    assert r.status == 200, await r.text()
    assert await r.json() == {"accepted": 0, "duplicates": 1}


async def test_two_huge_samples_on_one_day_never_break_the_rollup(
    client: Any, tokens: Tokens
) -> None:
    big = [sample(1e300, at(2), gpu="0"), sample(1e300, at(2), gpu="1")]
    r = await post(client, tokens.center_u1, big)
    assert r.status == 200, await r.text()
    r = await post(client, tokens.center_u1, [sample(1e300, at(1), gpu="2")])
    assert r.status == 200, await r.text()
    r = await post(client, tokens.center_u1, [sample(1.7e308, at(1), gpu="3")])
    assert r.status == 422, await r.text()
    page = await read(client, tokens.center_u1, "facility=C1&metric=gpu_util&rollup=daily")
    assert sum(d["count"] for d in page["items"]) == 3


@pytest.mark.parametrize(
    "query",
    [
        "offset=99999999999999999999",
        "offset=9223372036854775808",
        "since=0001-01-01",
        "until=9999-12-31",
        "since=9999-12-31T23:59:59-23:59",
        "since=0001-01-01T00:00:00%2B14:00",
        "since=1700000000",
        "until=٢٠٢٥-٠١-٠١",
    ],
)
async def test_extreme_reading_bounds_are_refused_not_a_500(
    client: Any, tokens: Tokens, query: str
) -> None:
    for rollup in ("", "&rollup=daily"):
        url = f"/api/v1/telemetry?facility=C1&metric=gpu_util&{query}{rollup}"
        r = await client.get(url, headers=tokens.center_u1)
        assert r.status == 400, await r.text()
        assert (await r.json())["errors"][0]["field"].startswith("query.")


async def test_pushed_huge_values_and_timestamps_are_refused(client: Any, tokens: Tokens) -> None:
    url = "/metrics/job/j/facility/C1"
    for body in ("m 1.7e308\n", "m 1 99999999999999999999\n", "m 1 -99999999999999999999\n"):
        r = await client.post(url, data=body, headers=tokens.center_u1)
        assert r.status == 400, (body, await r.text())
    r = await client.post(url, data="m NaN\nn +Inf\n", headers=tokens.center_u1)
    assert r.status == 200, await r.text()
