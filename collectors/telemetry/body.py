"""Request bodies read with a bound of their own, far below the app-wide upload limit."""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.http import HttpVersion11

from service.kit.problems import too_large

CONTINUE = "100-continue"


async def expect_later(request: web.Request) -> None:
    """An expect handler that leaves `100 Continue` to the handler (see `send_continue`).

    aiohttp's default answers `100 Continue` before any middleware or handler has run, so a
    client that asks first (curl does for bodies over 1 MiB) would send a body we refuse.
    """
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version == HttpVersion11 and expect.lower() != CONTINUE:
        raise web.HTTPExpectationFailed(text=f"Unknown Expect: {expect}")


async def send_continue(request: web.Request) -> None:
    """Ask a client that waits for it to send its body now: the request may go ahead."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version == HttpVersion11 and expect.lower() == CONTINUE:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # the 100 is not part of the response


async def read_bounded(request: web.Request, limit: int) -> bytes:
    """The whole body (decompressed when sent with Content-Encoding), at most `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
