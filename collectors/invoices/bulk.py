"""Bulk inserts through the driver's own executemany: no per-row work in SQLAlchemy.

A hundred thousand invoices spend most of their time in SQLAlchemy's per-row parameter
handling when inserted through the ORM (4x) or even exec_driver_sql (2x); handing plain tuples
to the driver on the session's connection, and so inside its transaction, is the fast path
(aiosqlite's executemany; on PostgreSQL one array per column through unnest). The session must
already have begun its transaction (the upload row is written first), so these rows commit or
roll back with it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

# What the drivers raise, on their own connections, for a row whose unique key is taken.
DUPLICATE_KEY = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


def day_value(dialect: str, day: dt.date) -> Any:
    """A date as the driver takes it: SQLite stores ISO text, as SQLAlchemy's Date does."""
    return day if dialect == "postgresql" else day.isoformat()


async def dialect_of(session: AsyncSession) -> str:
    """The name of the session's database dialect."""
    return (await session.connection()).dialect.name


async def insert_rows(
    session: AsyncSession,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: list[tuple[Any, ...]],
    skip_existing: bool = False,
) -> int:
    """INSERT many rows in the session's transaction (optionally skipping key conflicts): how many.

    `columns` are (name, PostgreSQL type) pairs. On PostgreSQL the rows go as one array per
    column through `unnest`, one statement per call: asyncpg's executemany runs a statement per
    row and is ten times slower.
    """
    if not rows:
        return 0
    conn = await session.connection()
    names = ", ".join(f'"{name}"' for name, _ in columns)
    driver: Any = (await conn.get_raw_connection()).driver_connection
    conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(columns, 1))
        sql = f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays}){conflict}'
        status = await driver.execute(sql, *(list(column) for column in zip(*rows, strict=True)))
        return int(str(status).rsplit(" ", 1)[-1])  # "INSERT 0 <rows>"
    marks = ", ".join("?" * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks}){conflict}'
    cursor = await driver.executemany(sql, rows)
    try:
        return int(cursor.rowcount)  # the rows inserted by every execution together
    finally:
        await cursor.close()


async def copy_rows(
    session: AsyncSession,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: list[tuple[Any, ...]],
) -> None:
    """Store many new rows in the session's transaction: COPY on PostgreSQL, else executemany.

    A taken unique key raises one of DUPLICATE_KEY; the caller then rolls the transaction back.
    """
    if not rows:
        return
    conn = await session.connection()
    driver: Any = (await conn.get_raw_connection()).driver_connection
    if conn.dialect.name == "postgresql":
        names = [name for name, _ in columns]
        await driver.copy_records_to_table(table, records=rows, columns=names)
        return
    names_sql = ", ".join(f'"{name}"' for name, _ in columns)
    marks = ", ".join("?" * len(columns))
    await driver.executemany(f'INSERT INTO "{table}" ({names_sql}) VALUES ({marks})', rows)
