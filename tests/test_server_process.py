"""The service starts as a real process, answers, and survives a SIGKILL and restart."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.server_process import ServerProcess


def test_serve_answers_and_restarts_after_sigkill(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        with urllib.request.urlopen(server.url + "/readyz", timeout=5) as r:
            assert json.load(r)["status"] == "ready"
        server.kill()
        server.start()
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as r:
            assert r.status == 200
    finally:
        server.stop()
