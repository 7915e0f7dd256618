"""GET /api/openapi.json describes every /api/v1 route, and a schema-driven fuzzer agrees."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import load_registry, make_token
from tests.helpers import CREDIT, center, unit
from tests.server_process import ServerProcess


async def test_every_api_route_is_described(client: Any, app: web.Application) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith(("/api/v1", "/metrics/job/")) and route.method != "HEAD":
            routed.add((re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path), route.method.lower()))
    assert routed - described == set()
    assert described - routed == set()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "security" in op:  # the public notice routes need no token
                assert "401" in op["responses"], f"{method} {path} does not document 401"
            assert any(s.startswith("2") for s in op["responses"]), f"{method} {path}"


def schemathesis_command() -> str:
    """The schemathesis CLI of this environment."""
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("schemathesis is a test dependency and must be installed")
    return found


async def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    database_url: str, tmp_path: Path
) -> None:
    await load_registry(
        database_url,
        {"units": [unit("U1", CREDIT["U1"]), unit("P1", CREDIT["P1"], "compute_provider")],
         "computing_centers": [center("C1", "U1")],
         "key_providers": [{"unit": "P1", "listed_from": "2024-01-01"}]},
    )  # fmt: skip
    token = await make_token(database_url, "GOV", "admin")
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [
                schemathesis_command(), "run", f"{server.url}/api/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--checks", "not_a_server_error,status_code_conformance,"
                "content_type_conformance,response_schema_conformance,"
                "response_headers_conformance,negative_data_rejection",
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", os.environ.get("INCENTIVES_FUZZ_EXAMPLES", "15"),
                "--seed", "20231201", "--generation-database", "none",
                "--request-timeout", "30", "--workers", "1",
                "--include-path-regex", "^/(api/v1|metrics)/",
            ],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )  # fmt: skip
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
