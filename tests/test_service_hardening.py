"""Attacks on the service itself: request ids, disconnects, temp files, the unit file."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from collectors.spool import spool_dir, sweep
from tests.conftest import bearer, load_registry, make_token
from tests.helpers import CREDIT, unit
from tests.server_process import ServerProcess, free_port


async def test_a_callers_request_id_never_becomes_the_audited_id(
    client: Any, admin_token: str
) -> None:
    h = bearer(admin_token)
    first = await client.post("/api/v1/units", json=unit("U1", CREDIT["U1"]), headers=h)
    assert first.status == 201
    victim_id = first.headers["X-Request-Id"]
    # A second caller reuses the first request's id to blur the audit trail.
    second = await client.post(
        "/api/v1/units", json=unit("U2", CREDIT["U2"]), headers={**h, "X-Request-Id": victim_id}
    )
    assert second.status == 201
    assert second.headers["X-Request-Id"] != victim_id
    assert second.headers["X-Client-Request-Id"] == victim_id
    r = await client.get(f"/api/v1/audit?request_id={victim_id}", headers=h)
    assert [e["object_code"] for e in (await r.json())["items"]] == ["U1"]
    r = await client.get("/api/v1/audit?object_code=U2", headers=h)
    (entry,) = (await r.json())["items"]
    assert entry["request_id"] == second.headers["X-Request-Id"]
    assert entry["client_request_id"] == victim_id  # kept, but apart


async def test_an_insane_client_id_is_neither_used_nor_echoed(client: Any) -> None:
    r = await client.get("/healthz", headers={"X-Request-Id": "a b\tc"})
    assert len(r.headers["X-Request-Id"]) == 32
    assert "X-Client-Request-Id" not in r.headers


def _hang_up_mid_body(port: int, path: str, token: str, media: str) -> None:
    """Send the head and part of a body that claims 1 MB, then close the connection."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 1000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(head.encode() + b"number,seller,issued_on,amount\n" * 200)
        time.sleep(0.5)  # let the server start reading the body before the client leaves


def _metric_lines(url: str) -> list[str]:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text: str = r.read().decode()
    return [line for line in text.splitlines() if line.startswith("incentives_http_requests_total")]


async def test_a_client_hanging_up_mid_upload_is_no_server_error(
    database_url: str, tmp_path: Path
) -> None:
    await load_registry(database_url, {"units": [unit("B1", CREDIT["B1"], kind="university")]})
    token = await make_token(database_url, "B1", "buyer")
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        await asyncio.to_thread(
            _hang_up_mid_body, server.port, "/api/v1/invoices", token, "text/csv"
        )
        deadline = time.monotonic() + 30
        lines = await asyncio.to_thread(_metric_lines, server.url)
        while not any('status="499"' in line for line in lines) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            lines = await asyncio.to_thread(_metric_lines, server.url)
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    upload = [line for line in lines if 'route="/api/v1/invoices"' in line]
    assert upload and all('status="499"' in line for line in upload), lines
    assert "client closed the connection during POST /api/v1/invoices" in log
    assert " ERROR " not in log, log[-3000:]


def test_serve_says_where_it_listens(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        log = (tmp_path / "server.log").read_text()
    finally:
        server.stop()
    assert f"serving on http://127.0.0.1:{server_port(log)}" in log


def server_port(log: str) -> str:
    """The port the log's `serving on` line names."""
    return log.split("serving on http://127.0.0.1:", 1)[1].split()[0]


def test_a_port_in_use_is_one_clear_line(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "INCENTIVES_DATABASE_URL": database_url,
            "INCENTIVES_SCHEDULER": "false",
        }
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"cannot listen on 127.0.0.1:{port}: the port is already in use "
        "(another process listens there)"
    )
    assert "Traceback" not in result.stderr


def _spooled(directory: Path, name: str, age: float) -> Path:
    path = directory / name
    path.write_bytes(b"number,seller\n")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_sweep_removes_only_what_stopped_processes_left(tmp_path: Path) -> None:
    dead = _dead_pid()
    left = _spooled(tmp_path, f"invoices-{dead}-abc.csv", age=120)
    fresh = _spooled(tmp_path, f"invoices-{dead}-def.csv", age=0)  # its writer may be a replica
    live = _spooled(tmp_path, f"invoices-{os.getpid()}-ghi.csv", age=120)
    abandoned = _spooled(tmp_path, f"invoices-{os.getpid()}-jkl.csv", age=7200)
    other = _spooled(tmp_path, "notes.txt", age=7200)
    assert sweep(tmp_path) == 2
    assert not left.exists() and not abandoned.exists()
    assert fresh.exists() and live.exists() and other.exists()


async def test_uploads_are_spooled_in_their_own_directory(
    client: Any, admin_token: str, database_url: str
) -> None:
    await load_registry(database_url, {"units": [unit("B1", CREDIT["B1"], kind="university")]})
    token = await make_token(database_url, "B1", "buyer")
    before = set(spool_dir().iterdir())
    touched = spool_dir().stat().st_mtime_ns
    r = await client.post(
        "/api/v1/invoices?dry_run=true",
        data=b"number,seller,issued_on,amount\n",
        headers={**bearer(token), "Content-Type": "text/csv"},
    )
    assert r.status < 500, await r.text()
    tmpdir = os.environ.get("TMPDIR") or tempfile.gettempdir()
    assert spool_dir() == Path(tmpdir) / "infra-incentives"
    assert spool_dir().stat().st_mtime_ns != touched  # the upload was written there…
    assert set(spool_dir().iterdir()) == before  # …and removed once parsed


def test_an_unwritable_temp_dir_stops_the_service_with_one_line(
    database_url: str, tmp_path: Path
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    env = {
        **os.environ, "INCENTIVES_DATABASE_URL": database_url, "INCENTIVES_SCHEDULER": "false",
        "TMPDIR": str(not_a_dir),
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("cannot write temporary files in ") and "TMPDIR" in last, last
    assert "Traceback" not in result.stderr


def _unit_settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_systemd_unit_names_a_writable_temp_dir() -> None:
    unit_file = Path(__file__).resolve().parents[1] / "ops" / "infra-incentives.service"
    settings = _unit_settings(unit_file.read_text(encoding="utf-8"))
    env = dict(v.split("=", 1) for v in settings.get("Environment", []))
    tmpdir = env.get("TMPDIR")
    assert tmpdir, "the unit sets no TMPDIR"
    # ProtectSystem=strict leaves writable only these: the private /tmp and /var/tmp, the
    # directories systemd creates for the unit, and ReadWritePaths.
    writable = [str(Path(p)) for p in settings.get("ReadWritePaths", [])]
    if settings.get("PrivateTmp") == ["yes"]:
        writable += ["/tmp", "/var/tmp"]
    for kind, root in (("StateDirectory", "/var/lib"), ("CacheDirectory", "/var/cache"),
                       ("RuntimeDirectory", "/run")):  # fmt: skip
        writable += [f"{root}/{name}" for v in settings.get(kind, []) for name in v.split()]
    assert settings.get("ProtectSystem") == ["strict"]
    assert any(Path(tmpdir) == Path(w) or Path(w) in Path(tmpdir).parents for w in writable), (
        tmpdir,
        writable,
    )
