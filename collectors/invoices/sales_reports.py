"""Key providers' sales reports: all or nothing, a resent report changes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.models import SalesReport
from collectors.invoices.numbers import canonical_number
from collectors.invoices.schemas import SalesReportIn, SalesReportResult
from collectors.invoices.store import LOOKUP_BATCH
from registry.audit import Actor, record_many
from registry.models import Unit
from registry.money import fen_text, to_fen
from service.kit.principal import Principal
from service.kit.problems import FieldError, conflict, invalid

COMPARED = ("buyer_credit_code", "issued_on", "amount_fen", "accelerator_hours", "code")
FIELD = {"buyer_credit_code": "buyer", "amount_fen": "amount"}


async def _sellers(
    session: AsyncSession, principal: Principal, items: dict[int, SalesReportIn]
) -> tuple[dict[int, int], list[FieldError]]:
    """The seller unit of each report: the provider's own unit, or the one an official names."""
    own = await session.scalar(select(Unit.credit_code).where(Unit.id == principal.unit_id))
    named = sorted({item.seller for item in items.values() if item.seller})
    ids: dict[str, int] = {}
    for batch in _batches(named):
        rows = await session.execute(
            select(Unit.credit_code, Unit.id).where(Unit.credit_code.in_(batch))
        )
        ids.update({code: uid for code, uid in rows.tuples()})
    sellers: dict[int, int] = {}
    errors: list[FieldError] = []
    for i, item in items.items():
        sellers[i] = -1
        if not principal.is_official:
            if item.seller not in (None, own):
                message = f"must be your unit's credit code {own}: a provider reports its own sales"
                errors.append(FieldError("seller", message, index=i))
            sellers[i] = principal.unit_id
        elif item.seller is None:
            errors.append(FieldError("seller", "required when an official reports", index=i))
        elif item.seller not in ids:
            message = f"no unit with credit code {item.seller} is registered"
            errors.append(FieldError("seller", message, index=i))
        else:
            sellers[i] = ids[item.seller]
    return sellers, errors


def _batches(values: Sequence[str]) -> Iterator[Sequence[str]]:
    # One IN (...) list per batch: PostgreSQL takes at most 32,767 bind parameters a statement.
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


async def _stored(
    session: AsyncSession, rows: dict[int, dict[str, Any]]
) -> dict[tuple[int, str], SalesReport]:
    """The stored reports of these sellers with these numbers, by (seller, number)."""
    sellers = {r["seller_unit_id"] for r in rows.values()}
    known: dict[tuple[int, str], SalesReport] = {}
    for batch in _batches(sorted({r["number"] for r in rows.values()})):
        # By number only, so the statement stays small; other sellers' reports are dropped here.
        stored = await session.scalars(select(SalesReport).where(SalesReport.number.in_(batch)))
        for s in stored:
            if s.seller_unit_id in sellers:
                known[(s.seller_unit_id, s.number)] = s
    return known


def _row(item: SalesReportIn, seller: int, principal: Principal) -> dict[str, Any]:
    return {
        "seller_unit_id": seller,
        "number": canonical_number(item.number, item.code),
        "code": item.code,
        "buyer_credit_code": item.buyer,
        "issued_on": item.issued_on,
        "amount_fen": to_fen(item.amount),
        "accelerator_hours": item.accelerator_hours,
        "reported_by": principal.key_id,
    }


def _shape_errors(items: dict[int, SalesReportIn]) -> list[FieldError]:
    """A digital invoice number starts with the two digits of its year of issue."""
    errors = []
    for i, item in items.items():
        if item.code is None and item.number[:2] != f"{item.issued_on.year % 100:02d}":
            message = "digits 1-2 of a digital invoice number are its year, unlike issued_on"
            errors.append(FieldError("number", message, index=i))
    return errors


async def store_sales_reports(
    session: AsyncSession,
    principal: Principal,
    actor: Actor,
    items: dict[int, SalesReportIn],
    errors: list[FieldError],
) -> SalesReportResult:
    """Check every report against the batch and what is stored; store the new ones, or none.

    `items` are the reports that passed their field checks, by index in the batch; `errors`
    are the others' errors, reported together with everything found here. The caller commits.
    """
    sellers, found = await _sellers(session, principal, items)
    errors = errors + found + _shape_errors(items)
    rows = {i: _row(item, sellers[i], principal) for i, item in items.items()}
    known = await _stored(session, rows)
    seen: dict[tuple[int, str], int] = {}
    fresh: list[dict[str, Any]] = []
    unchanged = 0
    for i, row in rows.items():
        key = (row["seller_unit_id"], row["number"])
        if key in seen:
            message = f"appears twice in this batch (first at index {seen[key]})"
            errors.append(FieldError("number", message, index=i))
            continue
        seen[key] = i
        old = known.get(key)
        if old is None:
            fresh.append(row)
            continue
        differs = [name for name in COMPARED if getattr(old, name) != row[name]]
        for name in differs:
            value = getattr(old, name)
            shown = fen_text(value) if name == "amount_fen" else str(value)
            message = f"already reported with other values: stored {shown}"
            errors.append(FieldError(FIELD.get(name, name), message, index=i))
        unchanged += not differs
    if errors:
        raise invalid(errors)
    if fresh:
        try:
            await session.execute(insert(SalesReport), fresh)
            changes: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = [
                (str(r["number"]), None, _audit_view(r)) for r in fresh
            ]
            await record_many(session, actor, "report", "sales_report", changes)
        except IntegrityError:
            await session.rollback()
            raise conflict(
                "another request stored some of these reports; send them again"
            ) from None
    return SalesReportResult(stored=len(fresh), unchanged=unchanged)


def _audit_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": row["number"],
        "buyer": row["buyer_credit_code"],
        "issued_on": row["issued_on"].isoformat(),
        "amount": fen_text(row["amount_fen"]),
        "accelerator_hours": format(row["accelerator_hours"], "f"),
    }
