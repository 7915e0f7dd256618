"""Run the app on host:port: say where it listens, or say in one line why it cannot."""

from __future__ import annotations

import errno
import gc
import sys

from aiohttp import web

from collectors.spool import SpoolError, prepare

# Why a listening socket fails at start, in words an operator can act on.
BIND_ERRORS = {
    errno.EADDRINUSE: "the port is already in use (another process listens there)",
    errno.EACCES: "permission denied (ports below 1024 need privileges)",
    errno.EADDRNOTAVAIL: "the address is not one of this machine's",
}


def listening_url(host: str, port: int) -> str:
    """The URL a server on host:port answers at."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


async def _freeze_what_started(app: web.Application) -> None:
    """Exempt everything alive once started from the cyclic collector's scans."""
    # Modules, models and schemas live as long as the process; without this, each full
    # collection (several a second under ingest, as JSON parsing makes many dicts) rescans them.
    gc.collect()
    gc.freeze()


def serve(app: web.Application, host: str, port: int) -> int:
    """Serve until interrupted; exit code 2 with one line when it cannot listen or spool."""
    url = listening_url(host, port)
    try:
        prepare()
    except SpoolError as exc:
        # One line now, rather than a 500 on every upload later.
        print(exc, file=sys.stderr)
        return 2
    app.on_startup.append(_freeze_what_started)
    try:
        web.run_app(
            app,
            host=host,
            port=port,
            print=lambda _banner: print(f"serving on {url}", flush=True),
        )
    except OSError as exc:
        reason = BIND_ERRORS.get(exc.errno or 0)
        if reason is None:
            raise
        print(f"cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    return 0
