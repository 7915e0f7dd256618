"""Statements stored straight in the database, for tests of what officials do with them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from incentives.models import Statement, StatementLine
from registry.db import create_engine, session_factory
from registry.models import AuditEntry, Unit

CENTER_PERIOD = "2023-12-01/2026-12-01"


async def insert_statement(
    database_url: str,
    lines: list[tuple[str, str, int]],
    clause: str = "computing_center_build",
    period: str = CENTER_PERIOD,
    number: int = 1,
) -> tuple[int, list[int]]:
    """A draft statement with lines (unit code, subject, fen); returns its id and line ids."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            units = dict((await session.execute(select(Unit.code, Unit.id))).tuples().all())
            statement = Statement(
                policy="heilongjiang-digital-2023",
                clause=clause,
                period=period,
                number=number,
                status="draft",
                open_key=f"heilongjiang-digital-2023|{clause}|{period}",
                as_of=dt.date(2026, 11, 30),
                total_fen=sum(fen for _, _, fen in lines),
                scenario={},
            )
            session.add(statement)
            await session.flush()
            rows = [
                StatementLine(
                    statement_id=statement.id,
                    position=i,
                    unit_id=units[code],
                    subject=subject,
                    kind="award",
                    amount_fen=fen,
                    entitlement_fen=fen,
                    explanation=[f"{subject}: 奖励 {fen} 分"],
                    explanation_en=[f"{subject}: award of {fen} fen"],
                    evidence={"invoices": ["secret-invoice-24230000000000000001"]},
                )
                for i, (code, subject, fen) in enumerate(lines, start=1)
            ]
            session.add_all(rows)
            await session.flush()
            return statement.id, [row.id for row in rows]
    finally:
        await engine.dispose()


async def end_notice(database_url: str, statement_id: int) -> None:
    """Move a published statement's notice period into the past, as if the days went by."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            statement = await session.get(Statement, statement_id)
            assert statement is not None and statement.notice_ends_at is not None
            statement.notice_ends_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    finally:
        await engine.dispose()


async def stored(database_url: str, statement_id: int) -> Statement:
    """The statement as the database holds it."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            statement = await session.get(Statement, statement_id)
            assert statement is not None
            return statement
    finally:
        await engine.dispose()


async def audit_actions(database_url: str, object_type: str, code: str) -> list[Any]:
    """The audit entries of one object, oldest first."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == object_type, AuditEntry.object_code == code)
                .order_by(AuditEntry.id)
            )
            return list(rows)
    finally:
        await engine.dispose()
