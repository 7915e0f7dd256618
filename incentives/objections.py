"""Objections (异议) to published lines: filed during the notice, resolved by an official."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.models import Objection, Statement, StatementLine
from incentives.policy import Policy
from incentives.statements.review import ActionInput, apply_action
from incentives.statements.workflow import Action, Status, WorkflowRules, notice_running
from registry.audit import Actor, record
from registry.models import Unit
from service.kit.paging import paginate
from service.kit.problems import FieldError, Problem, conflict, forbidden, invalid

PUBLIC = "public"
# Open objections from the public notice page per line: enough for every real objector,
# few enough that a script filling the form cannot flood the officials' queue.
PUBLIC_OPEN_PER_LINE = 20


class ObjectionStatus(StrEnum):
    """Where an objection stands."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Decision(StrEnum):
    """How an official resolves an objection."""

    UPHELD = "upheld"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Filer:
    """Who files: a unit's key (unit_id set), or anyone on the public page (name, contact)."""

    key_id: str | None
    unit_id: int | None
    name: str | None = None
    contact: str | None = None

    @property
    def is_public(self) -> bool:
        """Filed on the public notice page, without a token."""
        return self.key_id is None


def snapshot(objection: Objection) -> dict[str, Any]:
    """What the audit log keeps of an objection (not the filer's contact)."""
    return {
        "statement": objection.statement_id,
        "line": objection.line_id,
        "filed_by": objection.filed_by,
        "status": objection.status,
        "text": objection.text,
        "resolution": objection.resolution,
    }


async def file_objection(
    session: AsyncSession,
    statement_id: int,
    line_id: int,
    text: str,
    filer: Filer,
    actor: Actor,
    now: dt.datetime,
) -> Objection:
    """Store an objection to a line of a statement under public notice; audited, flushed."""
    row = (
        await session.execute(
            select(Statement, StatementLine)
            .join(StatementLine, StatementLine.statement_id == Statement.id)
            .where(Statement.id == statement_id, StatementLine.id == line_id)
        )
    ).first()
    if row is None:
        statement = await session.get(Statement, statement_id)
        if statement is None:
            raise invalid([FieldError("statement", f"no statement with id {statement_id}")])
        raise invalid([FieldError("line", f"statement {statement_id} has no line {line_id}")])
    statement, line = row._tuple()
    if statement.status != Status.PUBLISHED.value:
        raise conflict(
            f"statement {statement_id} is {statement.status}; objections are filed only "
            "while it is published for public notice"
        )
    if not notice_running(statement.notice_ends_at, now):
        ended = statement.notice_ends_at.isoformat() if statement.notice_ends_at else "?"
        raise conflict(f"the notice period of statement {statement_id} ended at {ended}")
    if filer.unit_id is not None and line.unit_id != filer.unit_id:
        raise forbidden(
            f"line {line_id} belongs to another unit; a unit objects only to its own lines "
            "(anyone may object on the public notice page)"
        )
    if filer.is_public:
        await _check_public_room(session, line_id)
    objection = Objection(
        statement_id=statement_id,
        line_id=line_id,
        unit_id=filer.unit_id,
        filed_by=filer.key_id or PUBLIC,
        name=filer.name,
        contact=filer.contact,
        text=text,
        status=ObjectionStatus.OPEN.value,
        created_at=now,
    )
    session.add(objection)
    await session.flush()
    await record(session, actor, "file", "objection", str(objection.id), None, snapshot(objection))
    return objection


async def _check_public_room(session: AsyncSession, line_id: int) -> None:
    count = await session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(
            Objection.line_id == line_id,
            Objection.filed_by == PUBLIC,
            Objection.status == ObjectionStatus.OPEN.value,
        )
    )
    if (count or 0) >= PUBLIC_OPEN_PER_LINE:
        raise Problem(
            429,
            "Too many objections",
            f"line {line_id} already has {PUBLIC_OPEN_PER_LINE} open objections from the "
            "public notice page; an official will resolve them first",
        )


async def resolve_objection(
    session: AsyncSession,
    objection_id: int,
    decision: Decision,
    reason: str | None,
    actor: Actor,
    rules: WorkflowRules,
    policies: Mapping[str, Policy],
    now: dt.datetime,
) -> Objection:
    """Uphold (the statement returns to draft) or dismiss (with a reason); audited, flushed."""
    objection = await session.scalar(
        select(Objection).where(Objection.id == objection_id).with_for_update()
    )
    if objection is None:
        raise Problem(404, "Not found", f"no objection with id {objection_id}")
    if objection.status != ObjectionStatus.OPEN.value:
        raise conflict(f"objection {objection_id} is already {objection.status}")
    reason = (reason or "").strip() or None
    if decision is Decision.DISMISSED and reason is None:
        raise invalid([FieldError("reason", "a dismissal needs a reason")])
    before = snapshot(objection)
    objection.status = decision.value
    objection.resolution = reason
    objection.resolved_at = now
    objection.resolved_by = actor.key_id
    await session.flush()
    await record(
        session, actor, decision.value, "objection", str(objection.id), before, snapshot(objection)
    )
    if decision is Decision.UPHELD:
        statement = await session.get(Statement, objection.statement_id)
        # A statement an earlier upheld objection already returned to draft stays there.
        if statement is not None and statement.status == Status.PUBLISHED.value:
            note = f"objection {objection.id} upheld" + (f": {reason}" if reason else "")
            await apply_action(
                session,
                statement.id,
                Action.UPHOLD,
                ActionInput(comment=note),
                actor,
                rules,
                policies,
                now,
            )
    return objection


async def list_objections(
    session: AsyncSession,
    unit_id: int | None,
    status: ObjectionStatus | None,
    statement_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Objection, str | None]], int]:
    """Objections, newest first, with the filing unit's code; unit_id limits to one unit's."""
    query = select(Objection, Unit.code).outerjoin(Unit, Objection.unit_id == Unit.id)
    conditions = []
    if unit_id is not None:
        conditions.append(Objection.unit_id == unit_id)
    if status is not None:
        conditions.append(Objection.status == status.value)
    if statement_id is not None:
        conditions.append(Objection.statement_id == statement_id)
    query = query.where(*conditions).order_by(Objection.id.desc())
    rows, total = await paginate(session, query, limit, offset)
    return [(o, code) for o, code in rows.tuples()], total


async def unit_code_of(session: AsyncSession, unit_id: int | None) -> str | None:
    """The code of a filing unit (None for the public)."""
    if unit_id is None:
        return None
    code: str | None = await session.scalar(select(Unit.code).where(Unit.id == unit_id))
    return code
