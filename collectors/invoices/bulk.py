"""Bulk inserts on the driver's own connection: no per-row work in SQLAlchemy.

A hundred thousand invoices spend most of their time in SQLAlchemy's per-row parameter
handling when inserted through the ORM (4x) or even exec_driver_sql (2x); handing plain tuples
to the driver on the session's connection, and so inside its transaction, is the fast path
(on SQLite multi-row VALUES statements, on PostgreSQL COPY or one array per column through
unnest). The session must already have begun its transaction (the upload row is written
first), so these rows commit or roll back with it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

# What the drivers raise, on their own connections, for a row whose unique key is taken.
DUPLICATE_KEY = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)
# Rows per multi-row INSERT on SQLite: 500 rows of 10 columns are 5,000 host parameters, far
# below SQLite's default limit (32,766 since 3.32); larger statements gain nothing more.
ROWS_PER_STATEMENT = 500


def _parameter_limit() -> int:
    """Host parameters one statement may have in the linked SQLite (999 before 3.32)."""
    probe = sqlite3.connect(":memory:")
    try:
        return int(probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    finally:
        probe.close()


MAX_PARAMETERS = _parameter_limit()


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
    values = [list(column) for column in zip(*rows, strict=True)]
    return await _insert_sqlite(driver, table, columns, values, conflict)


async def _insert_sqlite(
    driver: Any,
    table: str,
    columns: Sequence[tuple[str, str]],
    values: Sequence[Sequence[Any]],
    conflict: str = "",
) -> int:
    """INSERT rows, given column by column, as multi-row VALUES statements: how many went in.

    One statement per ROWS_PER_STATEMENT rows costs SQLite half the CPU of executemany's
    statement per row (100,000 invoices: 0.15 s against 0.26 s), and the few statements
    (cached by sqlite3 by their text) keep the round trips to aiosqlite's thread few. Each
    statement's parameters are laid out by one slice assignment per column, in C: no tuple
    per row.
    """
    names = ", ".join(f'"{name}"' for name, _ in columns)
    width = len(columns)
    per = max(1, min(ROWS_PER_STATEMENT, MAX_PARAMETERS // width))
    one = "(" + ", ".join("?" * width) + ")"
    total = len(values[0])
    inserted = 0
    for start in range(0, total, per):
        size = min(per, total - start)
        parameters: list[Any] = [None] * (size * width)
        for j, column in enumerate(values):
            parameters[j::width] = column[start : start + size]
        sql = f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * size)}{conflict}'
        cursor = await driver.execute(sql, parameters)
        try:
            inserted += int(cursor.rowcount)  # the rows this statement inserted
        finally:
            await cursor.close()
    return inserted


async def copy_columns(
    session: AsyncSession,
    table: str,
    columns: Sequence[tuple[str, str]],
    parts: Iterable[Sequence[Sequence[Any]]],
) -> int:
    """Store many new rows in the session's transaction, a part at a time: how many.

    Each part is some rows, given column by column; the parts may be made as they are
    stored, so the rows need never be held whole a second time. One COPY on PostgreSQL,
    multi-row VALUES on SQLite. A taken unique key raises one of DUPLICATE_KEY (a multi-row
    statement fails whole); the caller then rolls the transaction back, which undoes the
    statements before it.
    """
    conn = await session.connection()
    driver: Any = (await conn.get_raw_connection()).driver_connection
    if conn.dialect.name == "postgresql":
        # Whole columns zipped in C, one part at a time; each row tuple is freed once sent,
        # so the collector never sees many of them alive.
        records = itertools.chain.from_iterable(zip(*part, strict=True) for part in parts)
        names = [name for name, _ in columns]
        status = await driver.copy_records_to_table(table, records=records, columns=names)
        return int(str(status).rsplit(" ", 1)[-1])  # "COPY <rows>"
    stored = 0
    for part in parts:
        if part and part[0]:
            stored += await _insert_sqlite(driver, table, columns, part)
    return stored
