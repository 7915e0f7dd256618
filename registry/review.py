"""The review queue: money-deciding values a unit declares wait for an official's decision.

The ordinary columns of a centre or node always hold verified values (what an official wrote,
or what an import loaded); the rules read those, and only rows with `verified = true`. What a
unit's own token declares for a money-deciding field is kept here instead, one pending entry per
object at most: a newer declaration supersedes the pending one and carries over its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import Actor, record
from registry.models import PendingChange, utcnow
from registry.resources import RESOURCES, Context, Resource
from service.kit.principal import Principal
from service.kit.problems import conflict

OBJECT_TYPE = "pending_change"


class ReviewStatus(StrEnum):
    """Where a declaration is in its review."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer declaration of the same object replaced it
    WITHDRAWN = "withdrawn"  # the object was deleted, or the unit declared the verified values


class ReviewKind(StrEnum):
    """What accepting a declaration does besides setting its values."""

    CREATE = "create"  # the object was registered by its unit: accepting verifies it
    UPDATE = "update"
    DELETE = "delete"  # the unit asks to remove a verified object: accepting deletes it


class ReviewedType(StrEnum):
    """The kinds of object whose money-deciding fields are reviewed."""

    COMPUTING_CENTER = "computing_center"
    IDENTIFIER_NODE = "identifier_node"


REVIEWED: dict[str, Resource] = {res.object_type: res for res in RESOURCES if res.reviewed}
assert set(REVIEWED) == set(ReviewedType), "ReviewedType must name every reviewed resource"


def held_for_review(principal: Principal, res: Resource) -> bool:
    """Whether this caller's changes to the resource's money-deciding fields wait for review."""
    return bool(res.reviewed) and not principal.is_official


def entry_snapshot(entry: PendingChange) -> dict[str, Any]:
    """What the audit log records of a review entry."""
    return {
        "id": entry.id,
        "object_type": entry.object_type,
        "object_code": entry.object_code,
        "unit": entry.unit_code,
        "kind": entry.kind,
        "status": entry.status,
        "declared": entry.changes,
        "previous": entry.previous,
        "submitted_by": entry.submitted_by,
        "submitted_by_name": entry.submitted_by_name,
        "decided_by": entry.decided_by,
        "decided_by_name": entry.decided_by_name,
        "comment": entry.comment,
    }


async def load_pending(
    session: AsyncSession, res: Resource, ctx: Context, codes: Iterable[str]
) -> None:
    """Put the pending declarations of these objects into the context, for rendering."""
    wanted = sorted(set(codes))
    if not res.reviewed or not wanted:
        return
    for start in range(0, len(wanted), 500):
        rows = await session.scalars(
            select(PendingChange).where(
                PendingChange.object_type == res.object_type,
                PendingChange.status == ReviewStatus.PENDING,
                PendingChange.object_code.in_(wanted[start : start + 500]),
            )
        )
        ctx.pending |= {r.object_code: r for r in rows}


async def _flush(session: AsyncSession) -> None:
    # The one-pending-per-object index refuses a concurrent declaration of the same object.
    try:
        await session.flush()
    except IntegrityError:
        raise conflict(
            "a concurrent declaration of this object got there first; try again"
        ) from None


def _reviewed_of(res: Resource, values: dict[str, Any]) -> dict[str, Any]:
    return {f: values[f] for f in res.reviewed if f in values}


async def _close(
    session: AsyncSession, entry: PendingChange, status: ReviewStatus, actor: Actor, comment: str
) -> None:
    before = entry_snapshot(entry)
    entry.status = status
    entry.decided_by = actor.key_id
    entry.decided_by_name = actor.name
    entry.decided_at = utcnow()
    entry.comment = comment
    # Flushed now: the one-pending-per-object index must see it closed before a new entry.
    await _flush(session)
    await record(
        session, actor, status.value, OBJECT_TYPE, str(entry.id), before, entry_snapshot(entry)
    )


async def declare(
    session: AsyncSession,
    res: Resource,
    row: Any,
    unit_code: str,
    stored: dict[str, Any],
    declared: dict[str, Any],
    named: Iterable[str],
    pending: PendingChange | None,
    actor: Actor,
) -> PendingChange | None:
    """Keep a unit's declaration of money-deciding fields for review; returns the pending entry.

    `stored` is the object as it is (wire form), `declared` the object as the unit would have it,
    `named` the fields this request declares. The fields of a pending declaration that this one
    does not name are carried over; fields declared equal to the verified value are dropped.
    """
    verified = bool(row.verified)
    fields = set(named) | set(pending.changes if pending else ())
    if not verified:
        # An object awaiting verification is reviewed whole, so accepting it verifies all.
        fields = set(res.reviewed)
    current = _reviewed_of(res, stored)
    wanted = {
        f: declared[f]
        for f in res.reviewed
        if f in fields and (not verified or declared[f] != current[f])
    }
    if pending is not None and pending.changes == wanted:
        return pending
    if pending is not None:
        outcome = ReviewStatus.SUPERSEDED if wanted else ReviewStatus.WITHDRAWN
        why = (
            "a newer declaration replaced it" if wanted else "the unit declared the verified values"
        )
        await _close(session, pending, outcome, actor, why)
    if not wanted:
        return None
    kind = ReviewKind.UPDATE if verified else ReviewKind.CREATE
    previous = {f: current[f] for f in wanted}
    return await _open(session, res, row.code, unit_code, kind, wanted, previous, actor)


async def _open(
    session: AsyncSession,
    res: Resource,
    code: str,
    unit_code: str,
    kind: ReviewKind,
    changes: dict[str, Any],
    previous: dict[str, Any],
    actor: Actor,
) -> PendingChange:
    entry = PendingChange(
        object_type=res.object_type,
        object_code=code,
        unit_code=unit_code,
        kind=kind,
        changes=changes,
        previous=previous,
        status=ReviewStatus.PENDING,
        submitted_by=actor.key_id,
        submitted_by_name=actor.name,
        submitted_at=utcnow(),
    )
    session.add(entry)
    await _flush(session)
    await record(session, actor, "declare", OBJECT_TYPE, str(entry.id), None, entry_snapshot(entry))
    return entry


async def _pending_of(session: AsyncSession, res: Resource, code: str) -> PendingChange | None:
    entry: PendingChange | None = await session.scalar(
        select(PendingChange).where(
            PendingChange.object_type == res.object_type,
            PendingChange.object_code == code,
            PendingChange.status == ReviewStatus.PENDING,
        )
    )
    return entry


async def declare_deletion(
    session: AsyncSession,
    res: Resource,
    row: Any,
    unit_code: str,
    stored: dict[str, Any],
    actor: Actor,
) -> PendingChange:
    """Keep a unit's deletion of a verified object for review; a pending declaration yields."""
    pending = await _pending_of(session, res, row.code)
    if pending is not None:
        if pending.kind == ReviewKind.DELETE:
            return pending
        await _close(session, pending, ReviewStatus.SUPERSEDED, actor, "the unit asked to delete")
    previous = _reviewed_of(res, stored)
    return await _open(session, res, row.code, unit_code, ReviewKind.DELETE, {}, previous, actor)


async def withdraw_all(session: AsyncSession, res: Resource, code: str, actor: Actor) -> None:
    """Withdraw the pending declaration of an object that is being deleted."""
    if not res.reviewed:
        return
    entry = await _pending_of(session, res, code)
    if entry is not None:
        await _close(session, entry, ReviewStatus.WITHDRAWN, actor, "the object was deleted")


async def get_entry(session: AsyncSession, entry_id: int) -> PendingChange | None:
    """One review entry by id."""
    return await session.get(PendingChange, entry_id)


async def claim(session: AsyncSession, entry: PendingChange, status: ReviewStatus) -> None:
    """Move a pending entry to a decision, or 409 when another official decided first."""
    # A conditional UPDATE, so two officials deciding at once cannot both succeed.
    result = await session.execute(
        update(PendingChange)
        .where(PendingChange.id == entry.id, PendingChange.status == ReviewStatus.PENDING)
        .values(status=status.value)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) != 1:
        await session.refresh(entry)
        raise conflict(f"review {entry.id} is {entry.status}, not pending; nothing was changed")


def check_not_decided(entry: PendingChange) -> None:
    """409 when the entry was already decided, superseded or withdrawn."""
    if entry.status != ReviewStatus.PENDING:
        raise conflict(f"review {entry.id} is {entry.status}, not pending; nothing was changed")


def stale_fields(entry: PendingChange, stored: dict[str, Any]) -> list[str]:
    """The declared fields whose stored value is no longer the one the unit saw."""
    # A deletion was asked of the object as it was: any of its reviewed values counts.
    fields = entry.previous if entry.kind == ReviewKind.DELETE else entry.changes
    return [f for f in fields if stored.get(f) != entry.previous.get(f)]


async def decide(
    session: AsyncSession,
    entry: PendingChange,
    status: ReviewStatus,
    actor: Actor,
    comment: str | None,
) -> None:
    """Record an official's decision on a claimed entry, audited."""
    before = entry_snapshot(entry) | {"status": ReviewStatus.PENDING.value}
    entry.status = status
    entry.decided_by = actor.key_id
    entry.decided_by_name = actor.name
    entry.decided_at = utcnow()
    entry.comment = comment
    await session.flush()
    action = "accept" if status is ReviewStatus.ACCEPTED else "reject"
    await record(session, actor, action, OBJECT_TYPE, str(entry.id), before, entry_snapshot(entry))
