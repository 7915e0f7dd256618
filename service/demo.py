"""`infra-incentives demo`: a demo registry with a year of life, one token per role, serve."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tqdm import tqdm

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.demo import DEMO_MARKER, DEMO_TOKENS, demo_registry
from registry.importer import import_sections
from registry.keys import authenticate
from registry.migrate import upgrade
from registry.models import Unit
from service import demo_life, serving
from service.demo_tokens import demo_tokens, read_tokens, tokens_file, write_tokens
from service.settings import Settings

MIGRATING_PACKAGES = ("registry", "collectors", "incentives")
# Telemetry per centre, then invoices, sales reports, attestations, statements.
LIFE_STEPS = 3 + 4


@dataclass
class DemoLoad:
    """What one `demo` did."""

    loaded_registry: bool
    loaded_life: bool
    tokens: list[tuple[str, str, str]]
    new_keys: int
    life: dict[str, int] = field(default_factory=dict)


async def load_demo(
    database_url: str, life: bool = True
) -> tuple[bool, list[tuple[str, str, str]]]:
    """Load the demo unless it is there; whether the registry was loaded, and the tokens."""
    load = await load_demo_all(database_url, life)
    return load.loaded_registry, load.tokens


async def load_demo_all(database_url: str, life: bool = True) -> DemoLoad:
    """Load the registry and (unless life=False) its year of life; reuse working tokens."""
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    actor = Actor.cli("demo")
    path = tokens_file(database_url)
    try:
        async with sessions() as session, session.begin():
            present = await session.scalar(select(Unit.id).where(Unit.code == DEMO_MARKER))
            if present is None:
                await import_sections(session, demo_registry(), actor, progress=True)
            tokens, new_keys = await demo_tokens(session, DEMO_TOKENS, read_tokens(path), actor)
        write_tokens(path, {f"{unit}/{role}": token for role, unit, token in tokens})
        async with sessions() as session:
            # Without life, as tests of an empty year want it, the year counts as loaded.
            loaded = not life or await demo_life.life_loaded(session)
        load = DemoLoad(present is None, not loaded, tokens, new_keys)
        if not loaded:
            load.life = await _load_life(sessions, tokens)
    finally:
        await engine.dispose()
    return load


async def _load_life(
    sessions: demo_life.Sessions, tokens: list[tuple[str, str, str]]
) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(ZoneInfo(demo_life.ZONE)).date()
    by_role = {role: token for role, _, token in tokens}
    async with sessions() as session:
        principals = {role: await authenticate(session, token) for role, token in by_role.items()}
    official, admin, center = principals["official"], principals["admin"], principals["center"]
    assert official is not None and admin is not None
    keys = {"official": official.key_id, "admin": admin.key_id}
    objector = None if center is None else (center.key_id, center.unit_id)
    life: dict[str, int] = {}
    with tqdm(total=LIFE_STEPS, desc="demo: a year of life", unit="step", file=sys.stderr) as bar:

        def step(what: str) -> None:
            bar.set_postfix_str(what)
            bar.update()

        life["telemetry_samples"] = await demo_life.load_telemetry(sessions, now, step)
        life["invoices"] = await demo_life.load_invoices(sessions, today)
        step("invoices")
        life["sales_reports"] = await demo_life.load_sales_reports(sessions, official, today)
        step("sales reports")
        life["flagged_centres"] = await demo_life.load_attestations(sessions, now)
        step("attestations")
        life |= await demo_life.load_statements(sessions, keys, objector, now)
        step("statements")
    return life


def run_demo(settings: Settings, serve: bool = True) -> int:
    """Migrate, load, print the URL and tokens, and serve until interrupted."""
    from service.app import create_app

    upgrade(settings.database_url, MIGRATING_PACKAGES)
    load = asyncio.run(load_demo_all(settings.database_url))
    url = f"http://{settings.host}:{settings.port}"
    done = (
        "loaded the demo registry into "
        if load.loaded_registry
        else "reusing the demo registry in "
    )
    print(done + settings.database_url)
    if load.loaded_life:
        life = load.life
        counts = ("telemetry_samples", "invoices", "sales_reports", "flagged_centres")
        print("loaded a year of life: " + ", ".join(f"{k} {life[k]}" for k in counts))
        ids = ", ".join(
            f"#{life[k]} {k}" for k in ("forecast", "published", "disbursed") if k in life
        )
        print(f"  statements: {ids}; objection #{life.get('objection', '-')}")
    else:
        print("reusing the demo's year of life (invoices, telemetry, statements)")
    print(f"\ninfra-incentives demo at {url}   (API: {url}/api/openapi.json)\n")
    print(f"one token per role (kept in {tokens_file(settings.database_url)}, mode 0600; "
          f"{load.new_keys} new):")  # fmt: skip
    for role, unit, token in load.tokens:
        print(f"  {role:<9} {unit:<10} {token}")
    token = load.tokens[0][2]
    print(f'\ntry: curl -H "Authorization: Bearer {token}" {url}/api/v1/computing-centers\n')
    if serve:
        return serving.serve(create_app(settings), settings.host, settings.port)
    return 0
