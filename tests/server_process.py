"""The real service in a child process, for tests that must kill it (SIGKILL) and restart it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """`infra-incentives serve` on 127.0.0.1, started and stopped by a test."""

    database_url: str
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    # Arguments for the interpreter itself, e.g. ("-m", "cProfile", "-o", path) in a bench.
    python_args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """The base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until /readyz answers 200."""
        self.port = free_port()
        env = {
            **os.environ,
            "INCENTIVES_DATABASE_URL": self.database_url,
            "INCENTIVES_PORT": str(self.port),
            "INCENTIVES_HOST": "127.0.0.1",
            "INCENTIVES_SCHEDULER": "false",
        }
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, *self.python_args, "-m", "service.cli", "serve"],
                env=env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not become ready: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what is committed is all that survives."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """A clean stop (SIGTERM), falling back to SIGKILL."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
