"""Facts from the live database as of a day, with what each statement line's evidence needs.

The rules read only verified centres and nodes (their ordinary columns hold verified values);
a centre's capacity is its verified capacity, or the attested capacity where a fresh
attestation shows less. Invoices come in claim order, the order they were stored (invoice
id); one is confirmed when its seller reported the same number, buyer and amount.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from collectors.invoices.models import Invoice, SalesReport
from collectors.scraping.attestation import STALE_AFTER
from collectors.scraping.models import CapacityAttestation
from incentives.facts import (
    CenterFacts,
    Facts,
    InvoiceFacts,
    KeyProviderListing,
    NodeFacts,
    OtherSupport,
    UnitFacts,
)
from incentives.models import OtherSupportRecord
from registry.models import ComputingCenter, IdentifierNode, Unit
from registry.models import KeyProviderListing as ListingRow

TIMEZONE = ZoneInfo("Asia/Shanghai")
STREAM_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A unit as a scenario writes it."""

    id: int
    code: str
    name: str
    credit_code: str
    kind: str
    region: str | None
    in_province: bool
    dishonest: bool


@dataclass(frozen=True, slots=True)
class CenterRecord:
    """A verified centre, its capacities and the attestation that decided them."""

    code: str
    name: str
    verified_pflops: dict[str, Decimal]
    attested_pflops: dict[str, Decimal] | None
    attestation: dict[str, Any] | None
    used_pflops: dict[str, Decimal]
    costs: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A verified node's record."""

    code: str
    name: str | None
    industry: str
    region: str | None


@dataclass(slots=True)
class LiveFacts:
    """Facts for the rules, and the records behind them (ids, uploads, names)."""

    facts: Facts
    units: dict[str, UnitRecord]
    centers: dict[str, CenterRecord] = field(default_factory=dict)
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    # Aligned with facts.invoices: the stored row each invoice fact came from.
    invoice_ids: array[int] = field(default_factory=lambda: array("q"))
    other_support_sources: list[str | None] = field(default_factory=list)

    @property
    def unit_ids(self) -> dict[str, int]:
        """Unit code -> unit id."""
        return {code: u.id for code, u in self.units.items()}


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after a calendar day in Asia/Shanghai, in UTC."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TIMEZONE)
    return start.astimezone(dt.UTC)


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as exact yuan with two decimals."""
    return Decimal(fen).scaleb(-2)


async def load_facts(
    session: AsyncSession, as_of: dt.date, now: dt.datetime | None = None
) -> Facts:
    """The facts the rules read, from the live database, as of a day."""
    return (await load_live_facts(session, as_of, now)).facts


async def load_live_facts(
    session: AsyncSession, as_of: dt.date, now: dt.datetime | None = None
) -> LiveFacts:
    """Facts and records from the live database as of a day (now: for attestation freshness)."""
    units = await _units(session)
    by_id = {u.id: u.code for u in units.values()}
    centers, center_facts = await _centers(session, by_id, as_of, now)
    nodes, node_facts = await _nodes(session, by_id)
    listings = await _listings(session, by_id)
    invoice_ids, invoices = await _invoices(session, by_id)
    sources, support = await _other_support(session, by_id)
    facts = Facts(
        as_of=as_of,
        units=tuple(UnitFacts(u.code, u.kind, u.in_province, u.dishonest) for u in units.values()),
        centers=tuple(center_facts),
        nodes=tuple(node_facts),
        key_providers=tuple(listings),
        invoices=invoices,
        other_support=tuple(support),
    )
    return LiveFacts(facts, units, centers, nodes, invoice_ids, sources)


async def _units(session: AsyncSession) -> dict[str, UnitRecord]:
    rows = await session.execute(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.credit_code,
            Unit.kind,
            Unit.region,
            Unit.in_province,
            Unit.dishonest,
        ).order_by(Unit.id)
    )
    return {r.code: UnitRecord(*r) for r in rows}


def _pflops(raw: dict[str, Any] | None) -> dict[str, Decimal]:
    return {str(k): Decimal(str(v)) for k, v in sorted((raw or {}).items())}


async def _attestations(
    session: AsyncSession, as_of: dt.date, now: dt.datetime | None
) -> dict[int, CapacityAttestation]:
    """Each centre's newest attestation made by the end of as_of, if it is still fresh."""
    end = end_of_day(as_of)
    if now is not None:
        end = min(end, now)
    newest = (
        select(func.max(CapacityAttestation.id).label("id"))
        .where(CapacityAttestation.attested_at < end)
        .group_by(CapacityAttestation.center_id)
        .subquery()
    )
    rows = await session.scalars(
        select(CapacityAttestation).join(newest, newest.c.id == CapacityAttestation.id)
    )
    return {a.center_id: a for a in rows if a.confirmed_at >= end - STALE_AFTER}


async def _centers(
    session: AsyncSession, by_id: dict[int, str], as_of: dt.date, now: dt.datetime | None
) -> tuple[dict[str, CenterRecord], list[CenterFacts]]:
    attested = await _attestations(session, as_of, now)
    rows = await session.execute(
        select(ComputingCenter)
        .where(ComputingCenter.verified.is_(True))
        .order_by(ComputingCenter.id)
    )
    records: dict[str, CenterRecord] = {}
    facts: list[CenterFacts] = []
    for (c,) in rows.tuples():
        verified = _pflops(c.capacity_pflops)
        used = dict(verified)
        a = attested.get(c.id)
        seen: dict[str, Decimal] | None = None
        note: dict[str, Any] | None = None
        if a is not None:
            seen = _pflops(a.attested_pflops)
            note = {
                "id": a.id,
                "attested_at": a.attested_at.isoformat(),
                "confirmed_at": a.confirmed_at.isoformat(),
                "inventory": a.inventory,
                "flagged": a.flagged,
                "reasons": a.reasons,
            }
            for precision, value in verified.items():
                # Missing from the attestation counts as none seen, as the attestation's flag does.
                used[precision] = min(value, seen.get(precision, Decimal(0)))
        costs = {k: fen_to_yuan(int(v)) for k, v in sorted(c.costs_fen.items())}
        records[c.code] = CenterRecord(c.code, c.name, verified, seen, note, used, costs)
        facts.append(
            CenterFacts(c.code, by_id[c.unit_id], c.kind, used, c.status, c.commissioned_on, costs)
        )
    return records, facts


async def _nodes(
    session: AsyncSession, by_id: dict[int, str]
) -> tuple[dict[str, NodeRecord], list[NodeFacts]]:
    rows = await session.execute(
        select(IdentifierNode).where(IdentifierNode.verified.is_(True)).order_by(IdentifierNode.id)
    )
    records: dict[str, NodeRecord] = {}
    facts: list[NodeFacts] = []
    for (n,) in rows.tuples():
        records[n.code] = NodeRecord(n.code, n.name, n.industry, n.region)
        facts.append(NodeFacts(n.code, by_id[n.unit_id], n.status, n.connected_on))
    return records, facts


async def _listings(session: AsyncSession, by_id: dict[int, str]) -> list[KeyProviderListing]:
    rows = await session.execute(
        select(ListingRow.unit_id, ListingRow.listed_from, ListingRow.listed_until).order_by(
            ListingRow.id
        )
    )
    return [KeyProviderListing(by_id[u], start, until) for u, start, until in rows.tuples()]


def invoice_query() -> Any:
    """Every stored invoice in claim order, with whether its seller confirmed it."""
    buyer = aliased(Unit, name="buyer")
    report = aliased(SalesReport, name="report")
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.buyer_unit_id,
            Invoice.seller_unit_id,
            Invoice.issued_on,
            Invoice.amount_fen,
            Invoice.kind,
            Invoice.reverses,
            report.id.is_not(None).label("confirmed"),
        )
        .join(buyer, buyer.id == Invoice.buyer_unit_id)
        .outerjoin(
            report,
            and_(
                report.seller_unit_id == Invoice.seller_unit_id,
                report.number == Invoice.number,
                report.buyer_credit_code == buyer.credit_code,
                report.amount_fen == Invoice.amount_fen,
            ),
        )
        .order_by(Invoice.id)
    )


def invoice_fact(
    row: Sequence[Any], by_id: dict[int, str], days: dict[Any, dt.date]
) -> InvoiceFacts:
    """One stored invoice as the rules see it."""
    _, number, buyer, seller, issued, fen, kind, reverses, confirmed = row
    day = days.get(issued)
    if day is None:
        # SQLite gives text or dates by driver; one date object per distinct day.
        parsed = issued if isinstance(issued, dt.date) else dt.date.fromisoformat(issued)
        day = days[issued] = parsed
    return InvoiceFacts(
        number,
        by_id[buyer],
        by_id[seller],
        day,
        Decimal(fen).scaleb(-2),
        "red" if kind == "red" else "blue",
        reverses,
        bool(confirmed),
    )


# The same rows as invoice_query(), as plain SQL read through the driver: a million rows skip
# SQLAlchemy's per-row work (dates come as ISO text from SQLite, parsed once per distinct day).
ALL_INVOICES = (
    "SELECT i.id, i.number, i.buyer_unit_id, i.seller_unit_id, i.issued_on, i.amount_fen, "
    "i.kind, i.reverses, r.id IS NOT NULL "
    "FROM invoices i JOIN units b ON b.id = i.buyer_unit_id "
    "LEFT JOIN sales_reports r ON r.seller_unit_id = i.seller_unit_id "
    "AND r.number = i.number AND r.buyer_credit_code = b.credit_code "
    "AND r.amount_fen = i.amount_fen "
    "ORDER BY i.id"
)


async def _invoice_rows(session: AsyncSession) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Every invoice row in claim order, in batches, straight from the driver."""
    conn = await session.connection()
    driver: Any = (await conn.get_raw_connection()).driver_connection
    if conn.dialect.name == "postgresql":
        # The session's transaction is open, which a server-side cursor needs.
        batch: list[Any] = []
        async for record in driver.cursor(ALL_INVOICES, prefetch=STREAM_ROWS):
            batch.append(record)
            if len(batch) == STREAM_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    cursor = await driver.execute(ALL_INVOICES)
    try:
        while rows := await cursor.fetchmany(STREAM_ROWS):
            yield rows
    finally:
        await cursor.close()


async def _invoices(
    session: AsyncSession, by_id: dict[int, str]
) -> tuple[array[int], list[InvoiceFacts]]:
    ids: array[int] = array("q")
    out: list[InvoiceFacts] = []
    days: dict[Any, dt.date] = {}
    async for part in _invoice_rows(session):
        for row in part:
            ids.append(row[0])
            out.append(invoice_fact(row, by_id, days))
    return ids, out


async def _other_support(
    session: AsyncSession, by_id: dict[int, str]
) -> tuple[list[str | None], list[OtherSupport]]:
    rows = await session.execute(
        select(
            OtherSupportRecord.clause,
            OtherSupportRecord.unit_id,
            OtherSupportRecord.subject,
            OtherSupportRecord.amount_fen,
            OtherSupportRecord.source,
        ).order_by(OtherSupportRecord.id)
    )
    facts = [
        OtherSupport(clause, by_id[unit], subject, fen_to_yuan(fen), source)
        for clause, unit, subject, fen, source in rows.tuples()
    ]
    return [f.source for f in facts], facts
