"""Reading statements back: lists with filters, one statement with its lines, a line's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.models import Invoice, InvoiceUpload
from incentives.models import Statement, StatementLine, StatementRun
from registry.models import Unit
from registry.money import fen_text
from service.kit.paging import paginate

# A unit's own token sees its lines once the statement is public.
VISIBLE_TO_UNITS = ("published", "final", "disbursed")


@dataclass(frozen=True, slots=True)
class LineRow:
    """A statement line with its unit's code."""

    id: int
    unit: str
    unit_id: int
    subject: str
    kind: str
    corrects_id: int | None
    amount_fen: int
    entitlement_fen: int
    explanation: list[str]
    explanation_en: list[str]
    evidence: dict[str, Any]


async def list_statements(
    session: AsyncSession,
    clause: str | None,
    period: str | None,
    status: str | None,
    limit: int,
    offset: int,
    unit_id: int | None = None,
) -> tuple[list[Statement], int]:
    """One page of statements, newest first, and how many match."""
    conditions: list[ColumnElement[bool]] = []
    if clause is not None:
        conditions.append(Statement.clause == clause)
    if period is not None:
        conditions.append(Statement.period == period)
    if status is not None:
        conditions.append(Statement.status == status)
    if unit_id is not None:
        conditions.append(Statement.status.in_(VISIBLE_TO_UNITS))
        conditions.append(
            Statement.id.in_(
                select(StatementLine.statement_id).where(StatementLine.unit_id == unit_id)
            )
        )
    query = select(Statement).where(*conditions).order_by(Statement.id.desc())
    rows, total = await paginate(session, query, limit, offset)
    return list(rows.scalars()), total


async def statement_lines(
    session: AsyncSession,
    statement_id: int,
    unit_id: int | None,
    *,
    line_id: int | None = None,
    window: tuple[int, int] | None = None,
    with_evidence: bool = True,
) -> tuple[Statement, list[LineRow]] | None:
    """A statement and its lines (only one unit's, when unit_id is given); None if not seen.

    `line_id` reads one line; `window` (offset, limit) one page of them; without evidence a
    voucher line's invoice ids (a million, for a large statement) are not read at all.
    """
    statement = await session.get(Statement, statement_id)
    if statement is None:
        return None
    if unit_id is not None and statement.status not in VISIBLE_TO_UNITS:
        return None
    evidence = StatementLine.evidence if with_evidence else literal(None, JSON)
    query = (
        select(
            StatementLine.id,
            Unit.code,
            StatementLine.unit_id,
            StatementLine.subject,
            StatementLine.kind,
            StatementLine.corrects_id,
            StatementLine.amount_fen,
            StatementLine.entitlement_fen,
            StatementLine.explanation,
            StatementLine.explanation_en,
            evidence,
        )
        .join(Unit, Unit.id == StatementLine.unit_id)
        .where(StatementLine.statement_id == statement_id)
        .order_by(StatementLine.position)
    )
    if unit_id is not None:
        query = query.where(StatementLine.unit_id == unit_id)
    if line_id is not None:
        query = query.where(StatementLine.id == line_id)
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    rows = (await session.execute(query)).tuples().all()
    lines = [
        LineRow(line, code, unit, subject, kind, corrects, amount, entitlement, zh, en, ev or {})
        for line, code, unit, subject, kind, corrects, amount, entitlement, zh, en, ev in rows
    ]
    return statement, lines


async def count_lines(session: AsyncSession, statement_id: int) -> int:
    """How many lines a statement has."""
    count = await session.scalar(
        select(func.count())
        .select_from(StatementLine)
        .where(StatementLine.statement_id == statement_id)
    )
    return int(count or 0)


async def run_facts(session: AsyncSession, statement: Statement) -> bytes | None:
    """The compressed scenario of the run a statement was computed from."""
    if statement.run_id is None:
        return None
    blob: bytes | None = await session.scalar(
        select(StatementRun.facts_gz).where(StatementRun.id == statement.run_id)
    )
    return blob


def evidence_invoices(buyer: str, ids: list[int]) -> Select[Any]:
    """A buyer's invoices of these ids, with their upload and seller.

    The buyer is named too: on PostgreSQL invoices are found by id along the primary key
    (buyer, id), which has no index of ids alone (migration 0018_invoice_buyer_key).
    """
    seller = Unit.__table__.alias("seller")
    buyer_id = select(Unit.id).where(Unit.code == buyer).scalar_subquery()
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.issued_on,
            Invoice.amount_fen,
            Invoice.kind,
            Invoice.reverses,
            Invoice.upload_id,
            Invoice.row,
            InvoiceUpload.filename,
            InvoiceUpload.created_at,
            seller.c.code,
        )
        .join(InvoiceUpload, InvoiceUpload.id == Invoice.upload_id)
        .join(seller, seller.c.id == Invoice.seller_unit_id)
        .where(Invoice.buyer_unit_id == buyer_id, Invoice.id.in_(ids))
    )


async def expand_evidence(session: AsyncSession, evidence: dict[str, Any]) -> dict[str, Any]:
    """A voucher line's invoice ids as the stored invoices, with their upload and status."""
    if "counted" not in evidence:
        return evidence
    status: dict[int, str] = {i: "counted" for i in evidence["counted"]}
    status |= {i: "counted" for i in evidence.get("reversals", [])}
    status |= {int(i): str(reason) for i, reason in evidence.get("excluded", [])}
    invoices: list[dict[str, Any]] = []
    ids = sorted(status)
    for start in range(0, len(ids), 5000):
        rows = await session.execute(
            evidence_invoices(evidence["buyer"], ids[start : start + 5000])
        )
        for r in rows.tuples():
            invoices.append(
                {
                    "id": r[0],
                    "number": r[1],
                    "seller": r[10],
                    "issued_on": r[2].isoformat(),
                    "amount": fen_text(r[3]),
                    "kind": r[4],
                    "reverses": r[5],
                    "status": status[r[0]],
                    "upload": {
                        "id": r[6],
                        "row": r[7],
                        "filename": r[8],
                        "uploaded_at": r[9].isoformat(),
                    },
                }
            )
    invoices.sort(key=lambda item: item["id"])
    return {"buyer": evidence["buyer"], "year": evidence["year"], "invoices": invoices}
