"""Review actions on a stored statement: the workflow table applied, checked and audited."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.models import Objection, Statement
from incentives.policy import Policy
from incentives.statements.files import freeze_files
from incentives.statements.workflow import (
    Action,
    Status,
    TransitionRefused,
    WorkflowRules,
    may_submit_voucher_on,
    next_status,
    notice_ends_at,
    notice_running,
    voucher_submittable_from,
    voucher_year,
)
from registry.audit import Actor, record
from registry.models import ApiKey
from service.kit.problems import FieldError, Problem, conflict, forbidden, invalid

FOUR_EYES = (
    "four eyes: a statement is approved by an official key other than the one that submitted it"
)


def _person(name: str | None) -> str | None:
    """A key holder's name as compared for four eyes: case, width and spaces do not count."""
    if name is None:
        return None
    folded = "".join(unicodedata.normalize("NFKC", name).casefold().split())
    return folded or None


async def _holder(session: AsyncSession, key_id: str | None) -> str | None:
    """The compared name of the holder of a key, if the key carries one."""
    if key_id is None:
        return None
    name = await session.scalar(select(ApiKey.name).where(ApiKey.key_id == key_id))
    return _person(name)


@dataclass(frozen=True)
class ActionInput:
    """What an official may send with an action."""

    comment: str | None = None
    reference: str | None = None
    paid_on: dt.date | None = None


async def load_for_update(session: AsyncSession, statement_id: int) -> Statement:
    """The statement, locked for this transaction (PostgreSQL), or 404."""
    found = await session.scalar(
        select(Statement).where(Statement.id == statement_id).with_for_update()
    )
    if found is None:
        raise Problem(404, "Not found", f"no statement with id {statement_id}")
    return found


def snapshot(statement: Statement) -> dict[str, Any]:
    """What the audit log keeps of a statement's workflow state."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "status": statement.status,
        "clause": statement.clause,
        "period": statement.period,
        "number": statement.number,
        "total_fen": statement.total_fen,
        "submitted_by": statement.submitted_by,
        "approved_by": statement.approved_by,
        "published_at": when(statement.published_at),
        "notice_ends_at": when(statement.notice_ends_at),
        "finalised_at": when(statement.finalised_at),
        "payment_reference": statement.payment_reference,
        "paid_on": statement.paid_on.isoformat() if statement.paid_on else None,
        "comment": statement.comment,
    }


async def open_objections(session: AsyncSession, statement_id: int) -> int:
    """How many objections to a statement wait for an official."""
    count = await session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.statement_id == statement_id, Objection.status == "open")
    )
    return int(count or 0)


async def apply_action(
    session: AsyncSession,
    statement_id: int,
    action: Action,
    given: ActionInput,
    actor: Actor,
    rules: WorkflowRules,
    policies: Mapping[str, Policy],
    now: dt.datetime,
) -> Statement:
    """Move a statement by one action, or refuse naming the rule; audited, flushed."""
    statement = await load_for_update(session, statement_id)
    before = snapshot(statement)
    try:
        after = next_status(Status(statement.status), action)
    except TransitionRefused as refused:
        raise conflict(f"statement {statement_id}: {refused}") from None
    await _check_and_apply(session, statement, action, given, actor, rules, now)
    statement.status = after.value
    if action is Action.FINALISE:
        await freeze_files(session, statement, policies.get(statement.policy))
    await session.flush()
    await record(
        session,
        actor,
        action.value,
        "statement",
        str(statement.id),
        before,
        snapshot(statement),
        note=given.comment,
    )
    return statement


async def _check_and_apply(
    session: AsyncSession,
    statement: Statement,
    action: Action,
    given: ActionInput,
    actor: Actor,
    rules: WorkflowRules,
    now: dt.datetime,
) -> None:
    if given.comment is not None:
        statement.comment = given.comment
    if action is Action.SUBMIT:
        _check_voucher_year(statement, rules, now)
        statement.submitted_by, statement.submitted_at = actor.key_id, now
    elif action is Action.APPROVE:
        if actor.key_id is not None and actor.key_id == statement.submitted_by:
            raise forbidden(f"{FOUR_EYES}; key {actor.key_id} submitted statement {statement.id}")
        submitter = await _holder(session, statement.submitted_by)
        if submitter is not None and submitter == _person(actor.name):
            # Two keys of one holder are still one pair of eyes.
            raise forbidden(
                f"{FOUR_EYES}; {actor.name} submitted statement {statement.id} with another key"
            )
        statement.approved_by, statement.approved_at = actor.key_id, now
    elif action is Action.REJECT:
        if not (given.comment or "").strip():
            raise invalid([FieldError("comment", "a rejection needs a comment saying why")])
        _back_to_draft(statement)
    elif action is Action.UPHOLD:
        _back_to_draft(statement)
    elif action is Action.PUBLISH:
        statement.published_at = now
        statement.notice_ends_at = notice_ends_at(now, rules.notice_days)
    elif action is Action.FINALISE:
        await _check_finalisable(session, statement, rules, now)
        statement.finalised_at = now
        # NULL leaves the one-open-statement key free: the next run may open number n+1.
        statement.open_key = None
    elif action is Action.DISBURSE:
        errors = []
        if not (given.reference or "").strip():
            errors.append(FieldError("reference", "the payment reference is required"))
        zone = ZoneInfo(rules.timezone)
        final_day = (statement.finalised_at or now).astimezone(zone).date()
        today = now.astimezone(zone).date()
        if given.paid_on is None:
            errors.append(FieldError("paid_on", "the payment date is required (YYYY-MM-DD)"))
        elif given.paid_on < final_day:
            errors.append(
                FieldError("paid_on", f"before the statement became final on {final_day}")
            )
        elif given.paid_on > today:
            errors.append(FieldError("paid_on", f"in the future (today is {today})"))
        if errors:
            raise invalid(errors)
        statement.payment_reference = (given.reference or "").strip()
        statement.paid_on = given.paid_on
        statement.disbursed_at = now


def _check_voucher_year(statement: Statement, rules: WorkflowRules, now: dt.datetime) -> None:
    year = voucher_year(statement.clause, statement.period)
    if year is None or may_submit_voucher_on(year, rules.voucher_grace_days, now, rules.timezone):
        return
    first = voucher_submittable_from(year, rules.voucher_grace_days)
    raise conflict(
        f"statement {statement.id}: a voucher statement for {year} may be drafted as a "
        f"forecast but submitted only from {first.isoformat()} ({rules.timezone}): after the "
        f"year has ended and the {rules.voucher_grace_days}-day grace period for late "
        "invoices and sales reports"
    )


async def _check_finalisable(
    session: AsyncSession, statement: Statement, rules: WorkflowRules, now: dt.datetime
) -> None:
    if notice_running(statement.notice_ends_at, now):
        assert statement.notice_ends_at is not None
        local = statement.notice_ends_at.astimezone(ZoneInfo(rules.timezone))
        raise conflict(
            f"statement {statement.id}: the public notice runs until "
            f"{local.isoformat(timespec='minutes')}; it can be final only after that"
        )
    pending = await open_objections(session, statement.id)
    if pending:
        raise conflict(
            f"statement {statement.id} has {pending} open objection"
            f"{'s' if pending != 1 else ''}; resolve "
            f"{'them' if pending != 1 else 'it'} before finalising"
        )


def _back_to_draft(statement: Statement) -> None:
    statement.submitted_by = statement.submitted_at = None
    statement.approved_by = statement.approved_at = None
    statement.published_at = statement.notice_ends_at = None
