"""The statements API: runs, statements, their lines' evidence and the facts behind them."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application) -> None:
    """Add the statement routes (filled in as runs land)."""
    del app
