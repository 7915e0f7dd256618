"""The database: declarative base, engine and session factory for SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)


def default_database_url(root: Path | None = None) -> str:
    """The embedded default: a SQLite file under var/."""
    base = (root or Path.cwd()) / "var"
    return f"sqlite+aiosqlite:///{base / 'incentives.sqlite3'}"


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a writer commits; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 32 MiB of page cache (the default is 2 MiB), taken only as pages are read: an upload's
    # index pages stay in memory instead of going back and forth to the OS for every row.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def install_sqlite_pragmas(engine: Engine) -> None:
    """Set the SQLite pragmas on every new connection of a sync engine."""
    event.listen(engine, "connect", _sqlite_pragmas)


# A pooled connection returned less than this long ago is handed out without a ping: a ping
# costs three round trips on asyncpg (BEGIN, an empty query, ROLLBACK), more than a lookup.
IDLE_PING_SECONDS = 5.0
_RETURNED = "returned_at"


def _mark_returned(_dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    # A connection that sat idle may have been closed by the server, a restart or a firewall;
    # the pool replaces one that fails the ping (DisconnectionError) and tries the next.
    returned = record.info.get(_RETURNED)
    if returned is not None and time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError(f"a pooled connection failed its ping: {exc}") from exc


def install_idle_ping(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has been idle a while."""
    event.listen(engine, "connect", _mark_returned)
    event.listen(engine, "checkin", _mark_returned)
    event.listen(engine, "checkout", _ping_if_idle)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine, creating the SQLite folder when needed."""
    parsed = make_url(url)
    if is_sqlite(url):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        install_sqlite_pragmas(engine.sync_engine)
        return engine
    if kwargs.get("pool_pre_ping"):
        return create_async_engine(url, **kwargs)
    engine = create_async_engine(url, **kwargs)
    install_idle_ping(engine.sync_engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """One factory per app; one session per request."""
    return async_sessionmaker(engine, expire_on_commit=False)
