"""A statement's files: built from the stored statement, and kept byte for byte once final."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.models import Statement, StatementFile, StatementLine
from incentives.policy import Policy
from incentives.statements.export import (
    ExportDocument,
    ExportLine,
    FileFormat,
    Lang,
    render,
)
from registry.models import Unit


async def export_document(
    session: AsyncSession,
    statement: Statement,
    policy: Policy | None,
    unit_id: int | None = None,
) -> ExportDocument:
    """The statement as a file shows it; with unit_id, only that unit's lines and their sum."""
    query = (
        select(StatementLine, Unit.code, Unit.name)
        .join(Unit, StatementLine.unit_id == Unit.id)
        .where(StatementLine.statement_id == statement.id)
        .order_by(StatementLine.position, StatementLine.id)
    )
    if unit_id is not None:
        query = query.where(StatementLine.unit_id == unit_id)
    lines = [
        ExportLine(
            id=line.id,
            position=line.position,
            unit_code=code,
            unit_name=name,
            subject=line.subject,
            kind=line.kind,
            corrects=line.corrects_id,
            entitlement_fen=line.entitlement_fen,
            amount_fen=line.amount_fen,
            explanation=list(line.explanation or []),
            explanation_en=list(line.explanation_en or []),
        )
        for line, code, name in (await session.execute(query)).tuples()
    ]
    clause = policy.clauses.get(statement.clause) if policy is not None else None
    total = statement.total_fen if unit_id is None else sum(x.amount_fen for x in lines)
    return ExportDocument(
        statement_id=statement.id,
        number=statement.number,
        policy=statement.policy,
        clause=statement.clause,
        clause_title_zh=clause.title_zh if clause else "",
        clause_title_en=clause.title_en if clause else "",
        reference=clause.reference if clause else "",
        period=statement.period,
        status=statement.status,
        as_of=statement.as_of,
        total_fen=total,
        lines=lines,
        stamp=statement.finalised_at
        or dt.datetime.combine(statement.as_of, dt.time(0), tzinfo=dt.UTC),
    )


async def freeze_files(session: AsyncSession, statement: Statement, policy: Policy | None) -> None:
    """Store every file of a statement as it is now final; later downloads serve these bytes."""
    document = await export_document(session, statement, policy)
    for file_format in FileFormat:
        for lang in Lang:
            # Rendering a large statement takes seconds: off the event loop.
            content = await asyncio.to_thread(render, document, file_format, lang)
            session.add(
                StatementFile(
                    statement_id=statement.id,
                    format=file_format.value,
                    lang=lang.value,
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            )


async def stored_file(
    session: AsyncSession, statement_id: int, file_format: FileFormat, lang: Lang
) -> bytes | None:
    """The kept bytes of a final statement's file, if any."""
    content = await session.scalar(
        select(StatementFile.content).where(
            StatementFile.statement_id == statement_id,
            StatementFile.format == file_format.value,
            StatementFile.lang == lang.value,
        )
    )
    return bytes(content) if content is not None else None


async def statement_file(
    session: AsyncSession,
    statement: Statement,
    policy: Policy | None,
    file_format: FileFormat,
    lang: Lang,
    unit_id: int | None = None,
) -> tuple[bytes, ExportDocument]:
    """A statement's file: the kept bytes once final, else built now (deterministically)."""
    document = await export_document(session, statement, policy, unit_id)
    if unit_id is None:
        kept = await stored_file(session, statement.id, file_format, lang)
        if kept is not None:
            return kept, document
    return await asyncio.to_thread(render, document, file_format, lang), document
