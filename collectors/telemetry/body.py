"""Request bodies read with a bound of their own, far below the app-wide upload limit."""

from __future__ import annotations

from aiohttp import web

from registry.problems import too_large


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
