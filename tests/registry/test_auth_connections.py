"""Pooled connections for auth and lookups: pinged when idle, autocommit left behind by none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DBAPIError

import registry.db
from registry.db import create_engine, session_factory
from service.kit.lookup import autocommit_reads
from tests.conftest import bearer, make_token


def _is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


async def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()


async def test_auth_lookup_leaves_no_autocommit_behind(database_url: str) -> None:
    """After an autocommit lookup, the next session on the same connection is transactional."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    sessions = session_factory(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE probe_autocommit (x INTEGER)"))
        async with sessions() as session:
            await autocommit_reads(session)
            before = (await session.execute(text("SELECT count(*) FROM probe_autocommit"))).scalar()
        assert before == 0
        async with sessions() as session:
            await session.execute(text("INSERT INTO probe_autocommit VALUES (1)"))
            await session.rollback()
        async with sessions() as session:
            count = (await session.execute(text("SELECT count(*) FROM probe_autocommit"))).scalar()
        assert count == 0  # the insert was rolled back: it ran in a transaction
    finally:
        await engine.dispose()


async def test_auth_connection_killed_while_idle_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pooled connection idle past the ping threshold and closed by the server is replaced."""
    if not _is_postgresql(database_url):
        pytest.skip("server-side connection kills are a PostgreSQL matter")
    monkeypatch.setattr(registry.db, "IDLE_PING_SECONDS", 0.0)
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _terminate(database_url, first)
        async with engine.connect() as conn:
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()


async def test_auth_connection_killed_just_after_use_fails_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the threshold there is no ping: one statement fails, then the pool recovers."""
    if not _is_postgresql(database_url):
        pytest.skip("server-side connection kills are a PostgreSQL matter")
    monkeypatch.setattr(registry.db, "IDLE_PING_SECONDS", 3600.0)
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _terminate(database_url, first)
        with pytest.raises(DBAPIError) as failed:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with engine.connect() as conn:
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()


async def test_auth_on_a_connection_killed_just_after_use_is_503_then_works(
    client: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request on a connection the server closed gets 503 and Retry-After, never a 500."""
    if not _is_postgresql(database_url):
        pytest.skip("server-side connection kills are a PostgreSQL matter")
    monkeypatch.setattr(registry.db, "IDLE_PING_SECONDS", 3600.0)
    token = await make_token(database_url, "GOV", "admin")
    first = await client.get("/api/v1/units", headers=bearer(token))
    assert first.status == 200
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    lost = await client.get("/api/v1/units", headers=bearer(token))
    assert lost.status == 503
    assert lost.headers["Retry-After"] == "1"
    again = await client.get("/api/v1/units", headers=bearer(token))
    assert again.status == 200
