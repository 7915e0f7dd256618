"""Loss-free: SIGKILL in the middle of telemetry batches leaves each batch whole or absent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import bearer, make_token
from tests.server_process import ServerProcess

BATCHES = 12
SIZE = 2000
TIMEOUT = aiohttp.ClientTimeout(total=60)


def batch_body(number: int) -> bytes:
    """A batch of its own metric, so what is stored can be counted batch by batch."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    samples = [
        {
            "facility": "C1" if i % 2 else "C1B",
            "metric": f"batch_{number}",
            "value": i / 10,
            "time": (start + dt.timedelta(milliseconds=i)).isoformat(),
            "labels": {"gpu": str(i % 8)},
        }
        for i in range(SIZE)
    ]
    return json.dumps({"samples": samples}).encode()


async def post(session: aiohttp.ClientSession, url: str, body: Any, h: dict[str, str]) -> Any:
    """POST a batch; the answer's JSON, or raise on a broken connection."""
    headers = {**h, "Content-Type": "application/json"}
    async with session.post(url + "/api/v1/telemetry", data=body, headers=headers) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def stored(session: aiohttp.ClientSession, url: str, h: dict[str, str], n: int) -> int:
    """How many samples of batch n are stored, over both centres, and in the roll-ups."""
    total = rolled = 0
    for code in ("C1", "C1B"):
        query = f"facility={code}&metric=batch_{n}&limit=1"
        async with session.get(f"{url}/api/v1/telemetry?{query}", headers=h) as r:
            total += (await r.json())["total"]
        async with session.get(f"{url}/api/v1/telemetry?{query}&rollup=daily", headers=h) as r:
            rolled += sum(d["count"] for d in (await r.json())["items"])
    assert rolled == total, f"batch {n}: roll-ups count {rolled}, samples {total}"
    return total


async def test_sigkill_mid_batch_then_retry_counts_every_sample_once(
    database_url: str, centres: None, tmp_path: Path
) -> None:
    h = bearer(await make_token(database_url, "U1", "center"))
    bodies = [batch_body(n) for n in range(BATCHES + 1)]
    slow = BATCHES  # this one is sent slowly: the kill is sure to land in its middle
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        sending = asyncio.Event()

        async def slow_body() -> AsyncIterator[bytes]:
            yield bodies[slow][: len(bodies[slow]) // 2]
            sending.set()
            await asyncio.sleep(60)  # never finishes: the server dies first
            yield bodies[slow][len(bodies[slow]) // 2 :]

        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            fast = [asyncio.create_task(post(session, server.url, b, h)) for b in bodies[:slow]]
            trickle = asyncio.create_task(post(session, server.url, slow_body(), h))
            await asyncio.wait_for(sending.wait(), 30)
            await asyncio.wait(fast, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            server.kill()
            answers = await asyncio.gather(*fast, trickle, return_exceptions=True)
        answered = {n for n, a in enumerate(answers) if isinstance(a, dict)}
        assert answered, "no batch finished before the kill"
        assert slow not in answered

        server.start()
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            before = [await stored(session, server.url, h, n) for n in range(BATCHES + 1)]
            assert all(count in (0, SIZE) for count in before), before
            assert all(before[n] == SIZE for n in answered)
            assert before[slow] == 0
            # The client retries every batch: each sample is counted exactly once overall.
            retries = [await post(session, server.url, b, h) for b in bodies]
            for n, retry in enumerate(retries):
                expected = {"accepted": 0, "duplicates": SIZE} if before[n] else {
                    "accepted": SIZE, "duplicates": 0}  # fmt: skip
                assert retry == expected, (n, retry)
            after = [await stored(session, server.url, h, n) for n in range(BATCHES + 1)]
            assert after == [SIZE] * (BATCHES + 1)
    finally:
        server.stop()
