"""Pushgateway pushes under attack: who may push is settled before the body is read, and
bodies, labels, series and the caches of pushed series are bounded."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from collectors.telemetry.context import TELEMETRY, labels_cache, series_cache
from collectors.telemetry.exposition import MAX_SAMPLE_LINE
from collectors.telemetry.pushgateway import MAX_PUSH_BYTES, OFF_LOOP_BYTES
from tests.telemetry.conftest import Tokens

CHUNK = b'big{label="' + b"x" * (1 << 20) + b'"} 1\n'


class Trickle:
    """A body sent in 1 MiB chunks; the second waits until the test has its answer."""

    def __init__(self, chunks: int = 30) -> None:
        self.chunks = chunks
        self.sent = 0
        self.answered = asyncio.Event()

    async def body(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            if self.sent == 1:
                # Without an answer after 10 s, send the rest: the test then fails on `sent`.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.answered.wait(), 10)
            self.sent += 1
            yield CHUNK


async def refused_while_sending(client: Any, path: str, headers: dict[str, str]) -> int:
    """Push a 30 MiB body slowly; the status, and how much had been sent when it came."""
    trickle = Trickle()
    r = await client.put(path, data=trickle.body(), headers=headers)
    sent_at_answer = trickle.sent
    trickle.answered.set()
    assert sent_at_answer == 1, f"the server read {sent_at_answer} MiB before answering"
    r.close()
    return int(r.status)


async def test_a_buyer_pushing_to_no_centre_is_refused_before_the_body_is_read(
    client: Any, app: web.Application, tokens: Tokens
) -> None:
    status = await refused_while_sending(client, "/metrics/job/j/facility/NOPE", tokens.buyer_u1)
    assert status == 403
    status = await refused_while_sending(client, "/metrics/job/j/facility/NOPE", tokens.center_u1)
    assert status == 404
    status = await refused_while_sending(client, "/metrics/job/j/facility/C2", tokens.center_u1)
    assert status == 404  # another unit's centre answers as NOPE does
    status = await refused_while_sending(client, "/metrics/job/j/facility/C1", {})
    assert status == 401
    assert app[TELEMETRY].push_cache_bytes == 0


async def test_a_refused_push_with_a_readable_body_leaves_the_caches_empty(
    client: Any, app: web.Application, tokens: Tokens
) -> None:
    body = "".join(f'm{{i="{i}"}} 1\n' for i in range(1000)).encode()
    r = await client.put("/metrics/job/j/facility/NOPE", data=body, headers=tokens.buyer_u1)
    assert r.status == 403
    r = await client.put("/metrics/job/j/facility/C2", data=body, headers=tokens.center_u1)
    assert r.status == 404
    assert app[TELEMETRY].push_cache_bytes == 0
    r = await client.put("/metrics/job/j/facility/C1", data=body, headers=tokens.center_u1)
    assert r.status == 200, await r.text()
    assert app[TELEMETRY].push_cache_bytes > 0


async def test_a_one_mib_label_value_is_refused_naming_the_line(
    client: Any, tokens: Tokens
) -> None:
    body = io.BytesIO(b"ok 1\n" + CHUNK)
    r = await client.put("/metrics/job/j/facility/C1", data=body, headers=tokens.center_u1)
    assert r.status == 400
    detail = (await r.json())["detail"]
    assert "line 2" in detail and str(MAX_SAMPLE_LINE) in detail
    r = await client.put(
        "/metrics/job/j/facility/C1",
        data=b'm{v="' + b"y" * 2000 + b'"} 1\n',
        headers=tokens.center_u1,
    )
    assert r.status == 400
    assert "label 'v'" in (await r.json())["detail"]
    r = await client.put(
        "/metrics/job/j/facility/C1",
        data=b"m{" + b"n" * 101 + b'="1"} 1\n',
        headers=tokens.center_u1,
    )
    assert r.status == 400
    assert "label names" in (await r.json())["detail"]


async def test_a_body_over_the_push_limit_is_413_even_when_gzipped(
    client: Any, tokens: Tokens
) -> None:
    bomb = gzip.compress(b"# " + b"x" * MAX_PUSH_BYTES + b"\n")
    h = {**tokens.center_u1, "Content-Encoding": "gzip"}
    r = await client.put("/metrics/job/j/facility/C1", data=bomb, headers=h)
    assert r.status == 413
    assert "16 MiB" in (await r.json())["detail"]


async def test_too_many_series_in_one_push_are_refused(client: Any, tokens: Tokens) -> None:
    body = io.BytesIO("".join(f"m{i} 1\n" for i in range(100_001)).encode())
    r = await client.put("/metrics/job/j/facility/C1", data=body, headers=tokens.center_u1)
    assert r.status == 400
    assert "100000 samples" in (await r.json())["detail"]


async def test_too_many_lines_or_families_are_refused(client: Any, tokens: Tokens) -> None:
    for body, words in (
        (b"m 1\n" + b"\n" * 400_000, "400000 lines"),
        ("".join(f"# TYPE f{i} gauge\n" for i in range(100_001)).encode(), "100000 metric"),
    ):
        r = await client.put(
            "/metrics/job/j/facility/C1", data=io.BytesIO(body), headers=tokens.center_u1
        )
        assert r.status == 400
        assert words in (await r.json())["detail"]
    # Exactly at the bound, with the final newline, is fine.
    body = b"m 1\n" + b"\n" * (400_000 - 2)
    r = await client.put(
        "/metrics/job/j/facility/C1", data=io.BytesIO(body), headers=tokens.center_u1
    )
    assert r.status == 200, await r.text()


async def test_the_caches_stay_under_their_byte_bound_after_many_distinct_pushes(
    client: Any, app: web.Application, tokens: Tokens
) -> None:
    ctx = app[TELEMETRY]
    ctx.series = series_cache(64 * 1024)
    ctx.labels = labels_cache(64 * 1024)
    for push in range(40):
        body = "".join(f'gpu_util{{gpu="{push}-{i}"}} {i}\n' for i in range(100)).encode()
        r = await client.put(
            f"/metrics/job/j/facility/C1/instance/n{push}", data=body, headers=tokens.center_u1
        )
        assert r.status == 200, await r.text()
        assert ctx.series.size <= ctx.series.max_bytes
        assert ctx.labels.size <= ctx.labels.max_bytes
    assert ctx.push_cache_bytes > 32 * 1024  # full, not emptied
    # Still correct after evictions: the first push's series are parsed again.
    r = await client.get("/api/v1/telemetry?facility=C1&metric=gpu_util", headers=tokens.admin)
    assert (await r.json())["total"] == 4000


async def test_a_large_push_is_stored_whole(client: Any, tokens: Tokens) -> None:
    lines = [f'gpu_temp{{gpu="{i}",host="node-{i % 50}"}} {i % 90}' for i in range(3000)]
    body = ("# TYPE gpu_temp gauge\n" + "\n".join(lines) + "\n").encode()
    assert len(body) > OFF_LOOP_BYTES  # parsed in a worker thread
    r = await client.post("/metrics/job/j/facility/C1", data=body, headers=tokens.center_u1)
    assert r.status == 200, await r.text()
    r = await client.get(
        "/api/v1/telemetry?facility=C1&metric=gpu_temp&limit=1", headers=tokens.admin
    )
    assert (await r.json())["total"] == 3000


async def test_timestamps_out_of_range_are_400_not_500(client: Any, tokens: Tokens) -> None:
    for stamp in ("1000000000000000000000000000000", "-1", "-99999999999999999", "9" * 400):
        r = await client.put(
            "/metrics/job/j/facility/C1", data=f"m 1 {stamp}\n", headers=tokens.center_u1
        )
        assert r.status == 400, (stamp, await r.text())
        assert "line 1" in (await r.json())["detail"]


async def status_line(reader: asyncio.StreamReader) -> bytes:
    """The status line of the next answer, its headers skipped."""
    line = await asyncio.wait_for(reader.readline(), 10)
    while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b""):
        pass
    return line.strip()


async def test_a_client_that_expects_100_continue_is_refused_before_it_sends(
    client: Any, tokens: Tokens
) -> None:
    # curl sends `Expect: 100-continue` for bodies over 1 MiB and waits for the go-ahead.
    body = b"m 1\n"
    for token, path, first in (
        (tokens.buyer_u1, "/metrics/job/j/facility/NOPE", b"HTTP/1.1 403 Forbidden"),
        (tokens.center_u1, "/metrics/job/j/facility/C1", b"HTTP/1.1 100 Continue"),
    ):
        reader, writer = await asyncio.open_connection(client.host, client.port)
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
            f"Authorization: {token['Authorization']}\r\nExpect: 100-continue\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        )
        writer.write(head.encode())
        assert await status_line(reader) == first
        if first.endswith(b"Continue"):
            writer.write(body)
            assert await status_line(reader) == b"HTTP/1.1 200 OK"
        writer.close()
        await writer.wait_closed()


async def test_names_longer_than_their_columns_are_400_not_500(client: Any, tokens: Tokens) -> None:
    long_family = "h" * 195
    cases = [
        ("/metrics/job/" + "j" * 201 + "/facility/C1", b"m 1\n", "job name"),
        ("/metrics/job/j%00/facility/C1", b"m 1\n", "NUL"),
        ("/metrics/job/j/facility/C1%00", b"m 1\n", "NUL"),
        ("/metrics/job/j/facility/C1/x/" + "v" * 1000, b"m 1\n", "grouping labels"),
        ("/metrics/job/j/facility/C1/x/" + "%E6%B5%8B" * 400, b"m 1\n", "grouping labels"),
        (
            "/metrics/job/j/facility/C1",
            f'# TYPE {long_family} histogram\n{long_family}_bucket{{le="+Inf"}} 1\n'.encode(),
            "line 2",
        ),
        ("/metrics/job/j/facility/C1", b"m" * 201 + b" 1\n", "line 1"),
    ]
    for path, body, words in cases:
        for method in ("put", "post", "delete"):
            if method == "delete" and words.startswith("line"):
                continue
            r = await getattr(client, method)(path, data=body, headers=tokens.center_u1)
            assert r.status == 400, (path[:40], method, await r.text())
            assert words in (await r.json())["detail"]
