"""last_error is no port scanner: refused, reset and timed-out connections read the same."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from collectors.scraping.scraper import SCRAPING
from tests.scraping.conftest import World

TARGETS = "/api/v1/computing-centers/C1/exporter-targets"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens here now: connecting is refused


@pytest.fixture
async def rude_ports() -> AsyncIterator[dict[str, int]]:
    """Local servers that reset the connection, hang up at once, or speak another protocol."""

    async def reset(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST

    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def ssh(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        writer.close()

    servers = {
        name: await asyncio.start_server(handler, "127.0.0.1", 0)
        for name, handler in (("reset", reset), ("hang_up", hang_up), ("ssh", ssh))
    }
    yield {name: server.sockets[0].getsockname()[1] for name, server in servers.items()}
    for server in servers.values():
        server.close()
        await server.wait_closed()


async def test_refused_reset_and_timed_out_targets_show_one_message(
    world: World, rude_ports: dict[str, int]
) -> None:
    scraping = world.app[SCRAPING]
    scraping.config = replace(scraping.config, timeout_seconds=0.5)
    urls = [
        f"http://127.0.0.1:{_closed_port()}/metrics",
        *(f"http://127.0.0.1:{port}/metrics" for port in rude_ports.values()),
        world.exporters.url("/hang"),
    ]
    ids = []
    for url in urls:
        r = await world.client.post(TARGETS, json={"url": url}, headers=world.operator)
        assert r.status == 201, await r.text()
        ids.append((await r.json())["id"])
    outcome = await world.scrape()
    assert outcome.failed == len(urls)
    errors = {(await world.target("C1", target_id))["last_error"] for target_id in ids}
    assert errors == {"could not connect (refused, reset or no answer within 0.5 s)"}
