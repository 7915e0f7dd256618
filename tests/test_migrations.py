"""Migrations: every step goes up, down and up again, and the result matches the models."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text

from registry.db import create_engine
from registry.migrate import alembic_config, downgrade, upgrade
from service.demo import MIGRATING_PACKAGES
from tests.helpers import schema_differences


def _revisions(url: str) -> list[Any]:
    script = ScriptDirectory.from_config(alembic_config(url, MIGRATING_PACKAGES))
    return list(reversed(list(script.walk_revisions("base", "heads"))))


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: c.dialect.get_table_names(c)))
    finally:
        await engine.dispose()


async def _diff(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(schema_differences)
    finally:
        await engine.dispose()


def test_stairway_every_revision_up_down_up(empty_database_url: str) -> None:
    url = empty_database_url
    revisions = _revisions(url)
    assert revisions, "no migrations found"
    for rev in revisions:
        upgrade(url, MIGRATING_PACKAGES, rev.revision)
        downgrade(url, MIGRATING_PACKAGES, rev.down_revision or "base")
        upgrade(url, MIGRATING_PACKAGES, rev.revision)
    upgrade(url, MIGRATING_PACKAGES)
    downgrade(url, MIGRATING_PACKAGES, "base")
    assert asyncio.run(_tables(url)) <= {"alembic_version"}
    upgrade(url, MIGRATING_PACKAGES)
    assert {"units", "audit_log", "api_keys"} <= asyncio.run(_tables(url))


def test_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    import collectors.models  # noqa: F401 - every table in the metadata
    import incentives.models  # noqa: F401

    upgrade(empty_database_url, MIGRATING_PACKAGES)
    assert asyncio.run(_diff(empty_database_url)) == []


async def test_the_audit_log_refuses_updates_and_deletes(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO audit_log (at, action, object_type, object_code) "
                    "VALUES (CURRENT_TIMESTAMP, 'create', 'unit', 'X')"
                )
            )
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            try:
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
            except Exception as exc:
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{statement} succeeded")
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT action FROM audit_log"))).scalar() == "create"
    finally:
        await engine.dispose()
