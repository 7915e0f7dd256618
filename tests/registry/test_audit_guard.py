"""The audit log cannot be rewritten: no REPLACE over an entry, no TRUNCATE."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from registry.db import create_engine
from tests.helpers import pg_url_from_env

ON_PG = pg_url_from_env() is not None
FORGED = "VALUES (900001, CURRENT_TIMESTAMP, 'forged', 'unit', 'X')"
COLUMNS = "audit_log (id, at, action, object_type, object_code)"


async def _first_entry(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(f"INSERT INTO {COLUMNS} VALUES (900001, CURRENT_TIMESTAMP, 'create', 'unit', 'X')")
        )


async def _refused(engine: AsyncEngine, statement: str) -> None:
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    except Exception as exc:
        assert "append-only" in str(exc), exc
    else:
        raise AssertionError(f"{statement} succeeded")
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT action FROM audit_log WHERE id = 900001"))).all()
    assert [r[0] for r in rows] == ["create"]


@pytest.mark.skipif(ON_PG, reason="SQLite's REPLACE conflict resolution")
@pytest.mark.parametrize(
    "statement",
    [f"INSERT OR REPLACE INTO {COLUMNS} {FORGED}", f"REPLACE INTO {COLUMNS} {FORGED}"],
    ids=["insert-or-replace", "replace-into"],
)
async def test_replace_cannot_overwrite_an_entry(database_url: str, statement: str) -> None:
    engine = create_engine(database_url)
    try:
        await _first_entry(engine)
        await _refused(engine, statement)
    finally:
        await engine.dispose()


async def test_an_upsert_cannot_overwrite_an_entry(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await _first_entry(engine)
        await _refused(
            engine,
            f"INSERT INTO {COLUMNS} {FORGED} ON CONFLICT (id) DO UPDATE SET action = 'forged'",
        )
    finally:
        await engine.dispose()


@pytest.mark.skipif(not ON_PG, reason="PostgreSQL's TRUNCATE")
async def test_truncate_is_refused(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await _first_entry(engine)
        await _refused(engine, "TRUNCATE audit_log")
    finally:
        await engine.dispose()


async def test_new_entries_are_still_appended(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await _first_entry(engine)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO audit_log (at, action, object_type, object_code) "
                    "VALUES (CURRENT_TIMESTAMP, 'create', 'unit', 'Y')"
                )
            )
        async with engine.connect() as conn:
            codes = (await conn.execute(text("SELECT object_code FROM audit_log"))).scalars()
            assert set(codes) >= {"X", "Y"}
    finally:
        await engine.dispose()


def _service_role_sql(role: str, database: str) -> list[str]:
    doc = (Path(__file__).resolve().parents[2] / "ops" / "POSTGRESQL.md").read_text("utf-8")
    block = doc.split("-- service role grants\n", 1)[1].split("```", 1)[0]
    block = block.replace("incentives_service", role).replace("DATABASE incentives", database)
    return [s.strip() for s in block.split(";") if s.strip()]


@pytest.mark.skipif(not ON_PG, reason="PostgreSQL roles")
async def test_the_documented_service_role_cannot_rewrite_the_audit_log(database_url: str) -> None:
    url = make_url(database_url)
    role = f"incentives_svc_{uuid.uuid4().hex[:10]}"
    owner = create_engine(database_url)
    service = create_engine(url.set(username=role, password=None).render_as_string(False))
    try:
        async with owner.begin() as conn:
            await conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            for statement in _service_role_sql(role, f'DATABASE "{url.database}"'):
                await conn.execute(text(statement))
        await _first_entry(service)
        async with service.begin() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM units"))).scalar()
        for statement in (
            "UPDATE audit_log SET action = 'forged'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        ):
            try:
                async with service.begin() as conn:
                    await conn.execute(text(statement))
            except Exception as exc:
                assert "permission denied" in str(exc) or "must be owner" in str(exc), exc
            else:
                raise AssertionError(f"{statement} succeeded")
    finally:
        await service.dispose()
        async with owner.begin() as conn:
            await conn.execute(text(f'DROP OWNED BY "{role}"'))
            await conn.execute(text(f'DROP ROLE "{role}"'))
        await owner.dispose()
