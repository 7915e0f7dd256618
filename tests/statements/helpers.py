"""Helpers of the statement tests: load a scenario into a test database, set a status."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlalchemy import update

from incentives.models import Statement
from incentives.scenario import load_scenario
from incentives.scenario_import import ScenarioImport, import_scenario
from registry.audit import Actor
from registry.db import create_engine, session_factory

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


async def import_file(database_url: str, path: Path) -> ScenarioImport:
    """`import scenario FILE` in-process."""
    loaded = load_scenario(path)
    digest = hashlib.sha256(await asyncio.to_thread(path.read_bytes)).hexdigest()
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await import_scenario(session, path, loaded, Actor.cli("test"), digest)
    finally:
        await engine.dispose()


async def set_status(database_url: str, statement_id: int, status: str) -> None:
    """Move a statement straight to a status (the review workflow is another module's)."""
    final = status in ("final", "disbursed")
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            values: dict[str, object] = {"status": status}
            if final:
                values["open_key"] = None
            await session.execute(
                update(Statement).where(Statement.id == statement_id).values(**values)
            )
    finally:
        await engine.dispose()
