"""`infra-incentives demo`: a demo registry on SQLite, one token per role, then serve."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.demo import DEMO_MARKER, DEMO_TOKENS, demo_registry
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade
from registry.models import Unit
from service import serving
from service.settings import Settings

MIGRATING_PACKAGES = ("registry", "collectors", "incentives")


async def load_demo(database_url: str) -> tuple[bool, list[tuple[str, str, str]]]:
    """Load the demo registry unless it is there; create one fresh token per role."""
    engine = create_engine(database_url)
    actor = Actor.cli("demo")
    tokens = []
    try:
        async with session_factory(engine)() as session, session.begin():
            present = await session.scalar(select(Unit.id).where(Unit.code == DEMO_MARKER))
            if present is None:
                await import_sections(session, demo_registry(), actor, progress=True)
            for unit, role in DEMO_TOKENS:
                _, token = await create_key(session, unit, role, actor, "demo")
                tokens.append((role, unit, token))
    finally:
        await engine.dispose()
    return present is None, tokens


def run_demo(settings: Settings, serve: bool = True) -> int:
    """Migrate, load, print the URL and tokens, and serve until interrupted."""
    from service.app import create_app

    upgrade(settings.database_url, MIGRATING_PACKAGES)
    loaded, tokens = asyncio.run(load_demo(settings.database_url))
    url = f"http://{settings.host}:{settings.port}"
    print(("loaded the demo registry into " if loaded else "reusing the demo registry in ")
          + settings.database_url)  # fmt: skip
    print(f"\ninfra-incentives demo at {url}   (API: {url}/api/openapi.json)\n")
    print("one token per role (shown once; new ones each start):")
    for role, unit, token in tokens:
        print(f"  {role:<9} {unit:<10} {token}")
    print(f'\ntry: curl -H "Authorization: Bearer {tokens[0][2]}" {url}/api/v1/computing-centers\n')
    if serve:
        return serving.serve(create_app(settings), settings.host, settings.port)
    return 0
