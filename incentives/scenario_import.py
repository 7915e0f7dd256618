"""`import scenario FILE`: a whole scenario into the database, all or nothing, audited.

The registry part goes through the registry importer; invoices are stored as if their buyers
uploaded them in file order (the file's order is the claim order, and stored order is claim
order), one upload per run of consecutive invoices of one buyer; each confirmed invoice gets
its seller's sales report; support from other policies is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from collectors.invoices.models import Invoice, InvoiceUpload, SalesReport
from incentives.models import OtherSupportRecord
from incentives.scenario import LoadedScenario
from registry.audit import Actor, record, record_many
from registry.importer import import_sections, read_scenario_registry
from registry.models import Unit

BATCH = 5000


@dataclass
class ScenarioImport:
    """What an import stored."""

    registry: dict[str, int] = field(default_factory=dict)
    invoices: int = 0
    uploads: int = 0
    sales_reports: int = 0
    other_support: int = 0
    # A buyer that claims one number twice is stored once: (buyer, number) is unique.
    skipped_repeats: int = 0


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _code_of(number: str) -> str | None:
    # 18 digits can only be a legacy code (10) and number (8); 20 digits are read as digital.
    return number[:10] if len(number) == 18 else None


async def import_scenario(
    session: AsyncSession, path: Path, loaded: LoadedScenario, actor: Actor, digest: str
) -> ScenarioImport:
    """Store a validated scenario (its file's sha256 given) in the caller's transaction."""
    report = ScenarioImport()
    created = await import_sections(session, read_scenario_registry(path), actor)
    report.registry = dict(created.created)
    units = {
        code: (uid, credit)
        for code, uid, credit in (
            await session.execute(select(Unit.code, Unit.id, Unit.credit_code))
        ).tuples()
    }
    scenario = loaded.scenario
    claimed: set[tuple[str, str]] = set()
    reported: set[tuple[str, str]] = set()
    runs: list[list[tuple[int, Any]]] = []
    for i, inv in enumerate(scenario.invoices):
        if (inv.buyer, inv.number) in claimed:
            report.skipped_repeats += 1
            continue
        claimed.add((inv.buyer, inv.number))
        if runs and runs[-1][0][1].buyer == inv.buyer:
            runs[-1].append((i, inv))
        else:
            runs.append([(i, inv)])
    reports: list[dict[str, Any]] = []
    for run in runs:
        buyer_id = units[run[0][1].buyer][0]
        upload_id = (
            await session.execute(
                insert(InvoiceUpload)
                .values(
                    buyer_unit_id=buyer_id,
                    uploaded_by="cli",
                    filename=path.name,
                    sha256=digest,
                    row_count=len(run),
                    stored_count=len(run),
                )
                .returning(InvoiceUpload.id)
            )
        ).scalar_one()
        rows = [
            {
                "number": inv.number,
                "code": _code_of(inv.number),
                "buyer_unit_id": buyer_id,
                "seller_unit_id": units[inv.seller][0],
                "issued_on": inv.issued_on,
                "amount_fen": _fen(inv.amount),
                "kind": inv.kind,
                "reverses": inv.reverses,
                "upload_id": upload_id,
                "row": i,
            }
            for i, inv in run
        ]
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(Invoice), rows[start : start + BATCH])
        await record(
            session,
            actor,
            "upload",
            "invoice_upload",
            str(upload_id),
            None,
            {"buyer": run[0][1].buyer, "filename": path.name, "rows": len(run)},
            note="import scenario",
        )
        report.uploads += 1
        report.invoices += len(rows)
        for _, inv in run:
            key = (inv.seller, inv.number)
            if inv.confirmed and key not in reported:
                reported.add(key)
                reports.append(
                    {
                        "seller_unit_id": units[inv.seller][0],
                        "number": inv.number,
                        "code": _code_of(inv.number),
                        "buyer_credit_code": units[inv.buyer][1],
                        "issued_on": inv.issued_on,
                        "amount_fen": _fen(inv.amount),
                        "accelerator_hours": Decimal(0),
                        "reported_by": "cli",
                    }
                )
    for start in range(0, len(reports), BATCH):
        await session.execute(insert(SalesReport), reports[start : start + BATCH])
    report.sales_reports = len(reports)
    if reports:
        await record_many(
            session,
            actor,
            "report",
            "sales_report",
            [(r["number"], None, {"seller": r["seller_unit_id"]}) for r in reports],
            note="import scenario",
        )
    support = [
        {
            "clause": o.clause,
            "unit_id": units[o.unit][0],
            "subject": o.subject,
            "amount_fen": _fen(o.amount),
            "source": o.source,
            "created_by": "cli",
        }
        for o in scenario.other_support
    ]
    if support:
        await session.execute(insert(OtherSupportRecord), support)
        await record_many(
            session,
            actor,
            "create",
            "other_support",
            [
                (f"{o.clause}:{o.unit}:{o.subject}", None, {"amount": f"{o.amount:.2f}"})
                for o in scenario.other_support
            ],
            note="import scenario",
        )
    report.other_support = len(support)
    return report
