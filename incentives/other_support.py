"""Support from other policies (从优、就高、不重复), recorded by officials for live statements."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from incentives.models import OtherSupportRecord
from registry.audit import Actor, record, record_many
from registry.models import ComputingCenter, IdentifierNode, Unit
from registry.money import fen_text, to_fen
from service.kit.problems import FieldError, Problem, invalid

YEAR = re.compile(r"^[0-9]{4}$")
CENTER_CLAUSE = "computing_center_build"
NODE_CLAUSE = "identifier_node"
VOUCHER_CLAUSE = "compute_voucher"


@dataclass(frozen=True)
class SupportIn:
    """One record as given: the scenario format's other_support item."""

    clause: str
    unit: str
    subject: str
    amount: Decimal
    source: str | None


def snapshot(row: OtherSupportRecord, unit_code: str) -> dict[str, Any]:
    """The scenario form of a record, as the audit log and the API show it."""
    return {
        "id": row.id,
        "clause": row.clause,
        "unit": unit_code,
        "subject": row.subject,
        "amount": fen_text(row.amount_fen),
        "source": row.source,
    }


async def _owners(session: AsyncSession, model: Any, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await session.execute(
        select(model.code, Unit.code)
        .join(Unit, model.unit_id == Unit.id)
        .where(model.code.in_(codes))
    )
    return dict(rows.tuples().all())


async def add_support(
    session: AsyncSession,
    items: Sequence[SupportIn],
    years: range,
    actor: Actor,
    indexed: bool = True,
) -> list[dict[str, Any]]:
    """Check every item against the registry (all errors at once), then store all; audited."""
    unit_codes = {i.unit for i in items}
    units = dict(
        (await session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(unit_codes))))
        .tuples()
        .all()
    )
    centers = await _owners(
        session, ComputingCenter, {i.subject for i in items if i.clause == CENTER_CLAUSE}
    )
    nodes = await _owners(
        session, IdentifierNode, {i.subject for i in items if i.clause == NODE_CLAUSE}
    )
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        where = index if indexed else None
        if item.unit not in units:
            errors.append(FieldError("unit", f"unknown unit {item.unit!r}", index=where))
        owner: dict[str, str] | None = {CENTER_CLAUSE: centers, NODE_CLAUSE: nodes}.get(item.clause)
        if owner is not None:
            what = "computing centre" if item.clause == CENTER_CLAUSE else "identifier node"
            if item.subject not in owner:
                errors.append(
                    FieldError("subject", f"no {what} with code {item.subject!r}", index=where)
                )
            elif item.unit in units and owner[item.subject] != item.unit:
                errors.append(
                    FieldError(
                        "subject",
                        f"{what} {item.subject} was built by {owner[item.subject]}, "
                        f"not {item.unit}",
                        index=where,
                    )
                )
        elif not YEAR.match(item.subject) or int(item.subject) not in years:
            errors.append(
                FieldError(
                    "subject",
                    f"for compute_voucher the subject is a year of the policy "
                    f"({years.start}–{years.stop - 1}), got {item.subject!r}",
                    index=where,
                )
            )
    if errors:
        raise invalid(errors)
    rows = [
        OtherSupportRecord(
            clause=item.clause,
            unit_id=units[item.unit],
            subject=item.subject,
            amount_fen=to_fen(item.amount),
            source=item.source,
            created_by=actor.key_id,
        )
        for item in items
    ]
    session.add_all(rows)
    await session.flush()
    out = [snapshot(row, item.unit) for row, item in zip(rows, items, strict=True)]
    await record_many(
        session, actor, "create", "other_support", [(str(o["id"]), None, o) for o in out]
    )
    return out


def listed_support(
    clause: str | None, unit_id: int | None, unit_code: str | None, subject: str | None
) -> Select[tuple[OtherSupportRecord, str]]:
    """Records matching the filters, oldest first, each with its unit's code."""
    query = select(OtherSupportRecord, Unit.code).join(Unit, OtherSupportRecord.unit_id == Unit.id)
    conditions = []
    if clause is not None:
        conditions.append(OtherSupportRecord.clause == clause)
    if unit_id is not None:
        conditions.append(OtherSupportRecord.unit_id == unit_id)
    if unit_code is not None:
        conditions.append(Unit.code == unit_code)
    if subject is not None:
        conditions.append(OtherSupportRecord.subject == subject)
    return query.where(*conditions).order_by(OtherSupportRecord.id)


async def support_by_id(session: AsyncSession, support_id: int) -> tuple[OtherSupportRecord, str]:
    """One record with its unit's code, or 404."""
    found = (
        await session.execute(
            select(OtherSupportRecord, Unit.code)
            .join(Unit, OtherSupportRecord.unit_id == Unit.id)
            .where(OtherSupportRecord.id == support_id)
        )
    ).first()
    if found is None:
        raise Problem(404, "Not found", f"no other-support record with id {support_id}")
    return found._tuple()


async def delete_support(
    session: AsyncSession, row: OtherSupportRecord, unit_code: str, actor: Actor
) -> None:
    """Delete one record; audited with what it was. Flushes, never commits."""
    before = snapshot(row, unit_code)
    await session.delete(row)
    await session.flush()
    await record(session, actor, "delete", "other_support", str(before["id"]), before, None)
