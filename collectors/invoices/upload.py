"""Receive an upload body into a temporary file: streamed, hashed, held to size and pace limits.

A body that trickles in (a byte every ten seconds) would hold a connection and a temporary
file for ever; after a grace period an upload must keep an average pace, or it gets a 408.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from collectors.invoices.parsing import MEDIA_TYPES, Format, format_of_name
from collectors.spool import spool_dir, spool_prefix
from service.kit.problems import Problem, bad_request, too_large

BLOCK = 1 << 16
GRACE_SECONDS = 30.0  # an upload may take this long whatever its size
MIN_BYTES_PER_SECOND = 16 * 1024  # and then must have arrived at this average pace
MAX_FIELDS = 8  # text fields kept from a page's upload form
MAX_FIELD_BYTES = 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Received:
    """An upload on disk, ready to parse; remove() when done."""

    path: Path
    file_format: Format
    filename: str | None
    sha256: str
    size: int

    def remove(self) -> None:
        """Delete the temporary file."""
        self.path.unlink(missing_ok=True)


def too_slow() -> Problem:
    """408 for a body that arrives slower than the pace limit."""
    return Problem(
        408,
        "Request timeout",
        f"the upload arrived too slowly: after {GRACE_SECONDS:g} s it must average at least "
        f"{MIN_BYTES_PER_SECOND} bytes a second; send it again",
    )


async def _paced(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The blocks of a body, each awaited no longer than the pace limit allows."""
    loop = asyncio.get_running_loop()
    start, size = loop.time(), 0
    blocks = aiter(chunks)
    while True:
        deadline = start + GRACE_SECONDS + size / MIN_BYTES_PER_SECOND
        try:
            async with asyncio.timeout_at(deadline):
                block = await anext(blocks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise too_slow() from None
        size += len(block)
        yield block


async def _save(chunks: AsyncIterator[bytes], limit: int, suffix: str) -> tuple[Path, str, int]:
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(prefix=spool_prefix("invoices"), suffix=suffix, dir=spool_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            async for block in _paced(chunks):
                size += len(block)
                if size > limit:
                    raise too_large(limit)
                digest.update(block)
                out.write(block)  # small blocks to the page cache: not worth a thread each
    except BaseException:
        os.unlink(name)
        raise
    return Path(name), digest.hexdigest(), size


async def _part_blocks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while block := await part.read_chunk(BLOCK):
        yield block


async def _body_blocks(request: web.Request) -> AsyncIterator[bytes]:
    async for block in request.content.iter_chunked(BLOCK):
        yield block


async def receive(
    request: web.Request, limit: int, form_fields: dict[str, str] | None = None
) -> Received:
    """The file of a CSV, XLSX or JSON body, or of a multipart form's `file` field.

    Given `form_fields`, the small text fields a form sends before its file (a page's CSRF
    token, its checkboxes) are put there.
    """
    media = request.content_type
    if media == "multipart/form-data":
        try:
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name != "file":
                    if form_fields is not None and part.name and len(form_fields) < MAX_FIELDS:
                        text = await part.read_chunk(MAX_FIELD_BYTES)
                        form_fields[part.name[:64]] = text.decode("utf-8", "replace")
                    continue
                filename = part.filename or ""
                file_format = format_of_name(filename)
                if file_format is None:
                    raise Problem(
                        415,
                        "Unsupported media type",
                        f"file {filename[:64]!r}: name a .csv, .xlsx or .json file",
                    )
                path, sha, size = await _save(_part_blocks(part), limit, f".{file_format}")
                if size == 0:
                    path.unlink(missing_ok=True)
                    raise bad_request("the form's file is empty")
                return Received(path, file_format, filename[:255], sha, size)
        except (ValueError, AssertionError, LookupError, HttpProcessingError) as exc:
            # aiohttp's multipart reader raises these for a form it cannot read.
            raise bad_request(f"not a readable multipart form: {str(exc)[:200]}") from None
        raise bad_request("the form has no `file` field")
    file_format = MEDIA_TYPES.get(media)
    if file_format is None:
        raise Problem(
            415,
            "Unsupported media type",
            f"send text/csv, {XLSX}, application/json or multipart/form-data with a file",
        )
    path, sha, size = await _save(_body_blocks(request), limit, f".{file_format}")
    if size == 0:
        path.unlink(missing_ok=True)
        raise bad_request("the body is empty")
    return Received(path, file_format, None, sha, size)
