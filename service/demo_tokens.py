"""The demo's tokens, kept in a 0600 file under var/ so a second `demo` reuses its keys."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import Actor
from registry.keys import authenticate, create_key


def tokens_file(database_url: str) -> Path:
    """Next to the SQLite database; under ./var for a server database (one file per database)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "demo-tokens.json"
    name = f"{url.host or 'local'}-{url.port or ''}-{url.database or ''}".replace("/", "_")
    return Path("var") / f"demo-tokens-{name}.json"


def read_tokens(path: Path) -> dict[str, str]:
    """The saved "unit/role" → token map; empty when there is none or it is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def write_tokens(path: Path, tokens: dict[str, str]) -> None:
    """Write the map readable by its owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file may have had another mode
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(tokens, f, indent=2, sort_keys=True)


async def demo_tokens(
    session: AsyncSession, wanted: tuple[tuple[str, str], ...], saved: dict[str, str], actor: Actor
) -> tuple[list[tuple[str, str, str]], int]:
    """(role, unit, token) per wanted pair, reusing saved tokens that still work; new count."""
    out = []
    created = 0
    for unit, role in wanted:
        token = saved.get(f"{unit}/{role}")
        principal = None if token is None else await authenticate(session, token)
        if principal is None or principal.unit_code != unit or principal.role.value != role:
            _, token = await create_key(session, unit, role, actor, "demo")
            created += 1
        assert token is not None
        out.append((role, unit, token))
    return out, created
