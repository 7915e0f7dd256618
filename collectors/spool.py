"""Where uploads wait on disk while they are parsed, and the sweep of what killed processes left."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from pathlib import Path

log = logging.getLogger("infra_incentives.spool")
DIRECTORY_NAME = "infra-incentives"
# kind-PID-random.suffix: the sweep tells whose file it is, and whether that process lives.
_SPOOLED = re.compile(r"^[a-z_]+-([0-9]{1,10})-")
# A file its dead writer left is removed after a short grace; any file untouched for this
# long is removed whoever wrote it (a live upload writes, then parses, within minutes).
DEAD_GRACE_SECONDS = 60
ABANDONED_SECONDS = 3600


class SpoolError(Exception):
    """The temporary directory cannot be written; the message says which and why."""


def _base() -> Path:
    # A TMPDIR that is set is meant: Python would quietly fall back to /tmp, which
    # ProtectSystem=strict makes read-only.
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir())


def spool_dir() -> Path:
    """The uploads' own directory under $TMPDIR (or the system's temporary directory)."""
    path = _base() / DIRECTORY_NAME
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def spool_prefix(kind: str) -> str:
    """The file-name prefix of a spooled upload of this process, e.g. `invoices-4242-`."""
    return f"{kind}-{os.getpid()}-"


def check_writable() -> Path:
    """The spool directory, once a file could be written there; else SpoolError."""
    where = Path(os.environ.get("TMPDIR") or "$TMPDIR") / DIRECTORY_NAME
    try:
        where = spool_dir()
        fd, name = tempfile.mkstemp(prefix=spool_prefix("check"), dir=where)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise SpoolError(
            f"cannot write temporary files in {where}: {exc.strerror or exc}; "
            "set TMPDIR to a writable directory"
        ) from None
    return where


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def sweep(directory: Path, now: float | None = None) -> int:
    """Remove spooled files that their dead writer left, or that nobody touched for an hour."""
    now = time.time() if now is None else now
    removed = 0
    for path in directory.iterdir():
        match = _SPOOLED.match(path.name)
        if match is None or not path.is_file():
            continue
        try:
            idle = now - path.stat().st_mtime
            dead = idle > DEAD_GRACE_SECONDS and not _alive(int(match.group(1)))
            if dead or idle > ABANDONED_SECONDS:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another replica swept it first
    if removed:
        log.info("removed %d upload files left in %s by stopped processes", removed, directory)
    return removed


def prepare() -> Path:
    """At start: make sure uploads can be spooled, and sweep what a killed process left."""
    directory = check_writable()
    sweep(directory)
    return directory
