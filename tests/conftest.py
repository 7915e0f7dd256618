"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL on request)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections
from registry.keys import create_key
from registry.migrate import upgrade
from service.app import create_app
from service.cli import MIGRATING_PACKAGES
from service.settings import Settings
from tests.helpers import PG_ENV, pg_url_from_env


async def _pg_execute(admin_url: str, *statements: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy for each test: a SQLite file or a PostgreSQL template."""
    pg = pg_url_from_env()
    if pg is None:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url, MIGRATING_PACKAGES)
        yield url
        return
    name = f"incentives_tmpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_execute(pg, f'CREATE DATABASE "{name}"'))
    url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    upgrade(url, MIGRATING_PACKAGES)
    yield url
    asyncio.run(_pg_execute(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    pg = pg_url_from_env()
    if pg is None:
        source = make_url(template_database).database or ""
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(source, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    name = f"incentives_t_{uuid.uuid4().hex[:12]}"
    tmpl = make_url(template_database).database
    await _pg_execute(pg, f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"')
    yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    await _pg_execute(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def empty_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database with no schema, for migration tests."""
    pg = pg_url_from_env()
    if pg is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"incentives_e_{uuid.uuid4().hex[:12]}"
    await _pg_execute(pg, f'CREATE DATABASE "{name}"')
    yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    await _pg_execute(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a test app: its own database, no background scheduler."""
    # Test exporters listen on 127.0.0.1, which a deployment denies by default.
    return Settings(
        database_url=database_url, scheduler=False, max_body_mb=2, scrape_deny="169.254.0.0/16"
    )


@pytest.fixture
def app(settings: Settings) -> web.Application:
    """The real application, built by the one composition root."""
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client: Any, app: web.Application) -> TestClient[Any, Any]:
    """Real HTTP to the app through aiohttp's test server."""
    return await aiohttp_client(app)  # type: ignore[no-any-return]


async def make_token(database_url: str, unit: str, role: str) -> str:
    """Create an API key straight in the database, as `keys create` does."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            _, token = await create_key(session, unit, role, Actor.cli("test"))
    finally:
        await engine.dispose()
    return token


async def load_registry(database_url: str, sections: dict[str, list[Any]]) -> None:
    """Store registry sections (scenario vocabulary) as `import registry` does."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await import_sections(session, sections, Actor.cli("test"))
    finally:
        await engine.dispose()


@pytest.fixture
async def admin_token(database_url: str) -> str:
    """A token of the GOV unit with role admin."""
    return await make_token(database_url, "GOV", "admin")


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


__all__ = ["PG_ENV", "bearer", "load_registry", "make_token"]
