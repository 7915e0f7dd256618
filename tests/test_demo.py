"""`infra-incentives demo`: a believable registry, one token per role, reused on a second run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from service.app import create_app
from service.settings import Settings
from tests.conftest import bearer

ROLES = ("admin", "official", "center", "node", "operator", "buyer", "provider")


def demo(database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the demo without serving."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "demo", "--no-serve", "--database-url", database_url],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )  # fmt: skip


def tokens_of(output: str) -> dict[str, str]:
    """The role → token lines the demo prints."""
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ROLES and parts[2].startswith("ii_"):
            found[parts[0]] = parts[2]
    return found


async def test_demo_loads_once_and_prints_a_working_token_per_role(
    empty_database_url: str, tmp_path: Path
) -> None:
    first = demo(empty_database_url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "loaded the demo registry" in first.stdout
    tokens = tokens_of(first.stdout)
    assert set(tokens) == set(ROLES)
    second = demo(empty_database_url, tmp_path)
    assert "reusing the demo registry" in second.stdout
    app = create_app(Settings(database_url=empty_database_url, scheduler=False))
    async with TestClient(TestServer(app)) as client:
        await check_registry(client, tokens)


async def check_registry(client: Any, tokens: dict[str, str]) -> None:
    """The demo registry is what the README promises, and each role sees its share."""
    h = bearer(tokens["official"])
    centres = await (await client.get("/api/v1/computing-centers", headers=h)).json()
    regions = {c["region"] for c in centres["items"]}
    assert {"哈尔滨市", "大庆市"} <= regions
    sites = await (await client.get("/api/v1/5g-sites?limit=1", headers=h)).json()
    assert sites["total"] >= 200
    listed = await (await client.get("/api/v1/key-providers", headers=h)).json()
    assert listed["total"] == 2
    mine = await (await client.get("/api/v1/units", headers=bearer(tokens["buyer"]))).json()
    assert [u["kind"] for u in mine["items"]] == ["university"]
