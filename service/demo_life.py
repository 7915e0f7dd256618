"""A year of life for the demo: invoices, sales reports, telemetry, attestations, statements.

Everything goes through the functions the API uses (checks, audit log), as the `demo` actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collectors.invoices.parsing import read_json_items
from collectors.invoices.sales_reports import store_sales_reports
from collectors.invoices.schemas import SalesReportIn
from collectors.invoices.store import UploadMeta, store_invoices
from collectors.invoices.validation import Buyers
from collectors.scraping.attestation import refresh_attestation
from collectors.scraping.models import PushedInventory
from collectors.telemetry.samples import Reading
from collectors.telemetry.store import store_readings
from incentives.models import Statement, StatementLine
from incentives.objections import Filer, file_objection
from incentives.other_support import SupportIn, add_support
from incentives.policy import DEFAULT_POLICY, Policy, load_policy
from incentives.statements.review import ActionInput, apply_action
from incentives.statements.run import run_statements
from incentives.statements.workflow import Action, WorkflowRules
from registry.audit import Actor
from registry.models import AcceleratorModel, ComputingCenter, Unit
from service.app import attestation_thresholds
from service.kit.principal import Principal

ZONE = "Asia/Shanghai"
ACTOR = Actor.cli("demo")
# Monthly spend per buyer (yuan): around, below and above the 300,000 threshold, and one
# whose 30% is above the 4,000,000 cap.
MONTHLY_SPEND = {
    "UNI-HRB": Decimal("25500.00"),  # 306,000 a year: just over the threshold
    "INST-AGRI": Decimal("15000.00"),  # 180,000: below it
    "ENT-DQ": Decimal("100000.00"),  # 1,200,000: above it
    "ENT-QQHR": Decimal("1250000.00"),  # 15,000,000: 30% is over the cap
}
SELLERS = ("KP-HRB", "KP-DQ")
TELEMETRY_DAYS = 90
# The centre whose exporters show fewer accelerators than it declared: flagged.
FLAGGED_CENTER = "HRB-AI-01"
Step = Callable[[str], None]
Sessions = async_sessionmaker[AsyncSession]
NOTHING = ActionInput()


def invoice_number(year: int, buyer: int, month: int, seq: int = 0) -> str:
    """A 20-digit digital invoice number, unique per year, buyer, month."""
    return f"{year % 100:02d}23{buyer:02d}{month:02d}{seq:012d}"


def demo_invoices(today: dt.date) -> list[dict[str, Any]]:
    """Blue invoices: every month of 2025, and 2026 up to last month, for every buyer."""
    rng = random.Random(2025)
    out = []
    for b, (buyer, monthly) in enumerate(MONTHLY_SPEND.items(), start=1):
        for year in (2025, 2026):
            for month in range(1, 13):
                issued = dt.date(year, month, rng.randint(5, 25))
                if issued >= today.replace(day=1):
                    break
                out.append({"number": invoice_number(year, b, month), "buyer": buyer,
                            "seller": SELLERS[(b + month) % 2], "issued_on": issued.isoformat(),
                            "amount": str(monthly)})  # fmt: skip
    return out


async def _credit_codes(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(select(Unit.code, Unit.credit_code))
    return {code: credit for code, credit in rows.tuples() if credit}


async def load_invoices(sessions: async_sessionmaker[AsyncSession], today: dt.date) -> int:
    """The buyers' invoices, as one upload through the invoice checks."""
    invoices = demo_invoices(today)
    async with sessions() as session:
        credit = await _credit_codes(session)
        await session.rollback()  # end the read: the upload starts with its write
        items = [i | {"buyer": credit[i["buyer"]], "seller": credit[i["seller"]]}
                 for i in invoices]  # fmt: skip
        body = json.dumps({"invoices": items}, ensure_ascii=False)
        meta = UploadMeta(ACTOR, "cli", "demo-invoices.json", _sha256(body))
        report = await store_invoices(session, read_json_items(json.loads(body)), Buyers(),
                                      meta, today)  # fmt: skip
        await session.commit()
    return report.stored


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def load_sales_reports(
    sessions: async_sessionmaker[AsyncSession], official: Principal, today: dt.date
) -> int:
    """The providers' reports: most invoices confirmed; one differs, one unreported, one extra."""
    invoices = demo_invoices(today)
    unconfirmed = invoice_number(2025, 2, 6)  # INST-AGRI, June 2025: never reported
    differs = invoice_number(2025, 3, 3)  # ENT-DQ, March 2025: reported 1,000 yuan more
    async with sessions() as session:
        credit = await _credit_codes(session)
        items: dict[int, SalesReportIn] = {}
        for invoice in invoices:
            if invoice["number"] == unconfirmed:
                continue
            amount = Decimal(invoice["amount"]) + (1000 if invoice["number"] == differs else 0)
            items[len(items)] = _report(invoice, amount, credit)
        # A sale the buyer never uploaded: UNI-HRB, December 2025.
        ghost = {"number": invoice_number(2025, 1, 12, 1), "buyer": "UNI-HRB",
                 "seller": "KP-HRB", "issued_on": "2025-12-28"}  # fmt: skip
        items[len(items)] = _report(ghost, Decimal("12000.00"), credit)
        result = await store_sales_reports(session, official, ACTOR, items, [])
        await session.commit()
    return result.stored


def _report(invoice: dict[str, Any], amount: Decimal, credit: dict[str, str]) -> SalesReportIn:
    return SalesReportIn.model_validate({
        "number": invoice["number"], "buyer": credit[invoice["buyer"]],
        "seller": credit[invoice["seller"]], "issued_on": invoice["issued_on"],
        "amount": str(amount), "accelerator_hours": str((amount / 8).quantize(Decimal("0.1"))),
    })  # fmt: skip


async def operational_centers(session: AsyncSession) -> list[ComputingCenter]:
    """The demo's centres that are running."""
    rows = await session.scalars(
        select(ComputingCenter)
        .where(ComputingCenter.status == "operational")
        .order_by(ComputingCenter.code)
    )
    return list(rows)


async def load_telemetry(
    sessions: async_sessionmaker[AsyncSession], now: dt.datetime, step: Step
) -> int:
    """Hourly utilisation and power for 90 days, through the store that rolls up each day."""
    rng = random.Random(90)
    zone = ZoneInfo(ZONE)
    start = (now - dt.timedelta(days=TELEMETRY_DAYS)).replace(minute=0, second=0, microsecond=0)
    stored = 0
    async with sessions() as session, session.begin():
        centers = [(c.id, c.code, c.capacity_pflops) for c in await operational_centers(session)]
    for center_id, code, pflops in centers:
        peak_kw = 8 * float(max(Decimal(v) for v in pflops.values()))  # rough: 8 kW per PFLOPS
        readings = []
        for hour in range(TELEMETRY_DAYS * 24):
            at = start + dt.timedelta(hours=hour)
            local = at.astimezone(zone)
            # Busier in working hours, and more so as the year's projects start.
            daily = 0.5 + 0.3 * math.sin((local.hour - 8) / 24 * 2 * math.pi)
            util = min(100.0, max(0.0, 100 * (daily + rng.uniform(-0.1, 0.1))))
            readings.append(Reading(center_id, "gpu_utilization_percent", "{}", at, round(util, 1)))
            power = peak_kw * (0.35 + 0.6 * util / 100)
            readings.append(Reading(center_id, "power_kw", "{}", at, round(power, 1)))
        async with sessions() as session, session.begin():
            stored += (await store_readings(session, readings, zone)).accepted
        step(f"telemetry {code}")
    return stored


async def load_attestations(sessions: async_sessionmaker[AsyncSession], now: dt.datetime) -> int:
    """A synthetic exporter inventory per centre, attested by the collectors' own function."""
    thresholds = attestation_thresholds(ZONE)
    flagged = 0
    async with sessions() as session, session.begin():
        catalogue = {m.code: m for m in await session.scalars(select(AcceleratorModel))}
        for center in await operational_centers(session):
            devices = _devices(center, catalogue)
            existing = await session.scalar(
                select(PushedInventory).where(
                    PushedInventory.center_id == center.id, PushedInventory.job == "demo"
                )
            )
            if existing is None:
                pushed = PushedInventory(
                    center_id=center.id, job="demo", grouping="{}", exporter="dcgm",
                    devices=devices, pushed_at=now,
                )  # fmt: skip
                session.add(pushed)
            else:
                existing.devices, existing.pushed_at = devices, now
            await session.flush()
            row = await refresh_attestation(session, center.id, now, None, thresholds)
            flagged += bool(row is not None and row.flagged)
    return flagged


# The demo centres' accelerators as their exporters name them.
CENTER_MODELS = {"HRB-AI-01": ("ASCEND-910B", "Ascend910B"),
                 "DQ-SC-01": ("MI300X", "AMD Instinct MI300X")}  # fmt: skip
OTHER_MODEL = ("H100-SXM", "NVIDIA H100 80GB HBM3")


def _devices(center: ComputingCenter, catalogue: dict[str, AcceleratorModel]) -> dict[str, str]:
    """Enough accelerators for the declared capacity; the flagged centre shows only 70%."""
    code, name = CENTER_MODELS.get(center.code, OTHER_MODEL)
    model = catalogue[code]
    needed = 1
    for precision, declared in center.capacity_pflops.items():
        tflops = {"FP16": model.fp16_tflops, "FP32": model.fp32_tflops,
                  "FP64": model.fp64_tflops}.get(precision)  # fmt: skip
        if tflops:
            needed = max(needed, math.ceil(Decimal(declared) * 1000 / Decimal(tflops)))
    if center.code == FLAGGED_CENTER:
        needed = needed * 7 // 10
    return {f"dcgm:GPU-{center.code}-{i:05d}": name for i in range(needed)}


async def load_other_support(session: AsyncSession, policy: Policy) -> None:
    """Support the centre's builder already had from elsewhere, which its award deducts."""
    last = policy.valid_until - dt.timedelta(days=1)
    item = SupportIn("computing_center_build", "HRB-AI", "HRB-AI-01", Decimal("2000000"),
                     "省级数字经济专项资金（2024）")  # fmt: skip
    await add_support(session, [item], range(policy.valid_from.year, last.year + 1), ACTOR)


def official_actor(key_id: str) -> Actor:
    """An official's key acting from the demo loader: four eyes compare key ids."""
    return Actor(key_id=key_id, unit_code="GOV", role="official", request_id="demo")


async def load_statements(
    sessions: async_sessionmaker[AsyncSession],
    keys: dict[str, str],
    objector: tuple[str, int] | None,
    now: dt.datetime,
) -> dict[str, int]:
    """Run once; 2025 vouchers to disbursed, a window statement published and objected to."""
    # 2026 vouchers stay a forecast draft. `keys` are the official's and the admin's key
    # ids: one submits, the other approves (four eyes).
    policy = load_policy(DEFAULT_POLICY)
    policies = {policy.name: policy}
    today = now.astimezone(ZoneInfo(ZONE)).date()
    async with sessions() as session, session.begin():
        await load_other_support(session, policy)
        results = await run_statements(session, policy, today, ACTOR, now=now)
    ids = {f"{r.clause}/{r.period}": r.statement_id for r in results
           if r.statement_id is not None and r.lines}  # fmt: skip
    submitter, approver = official_actor(keys["official"]), official_actor(keys["admin"])
    rules = WorkflowRules(timezone=ZONE)
    # Notice period 0 for this statement only, so the demo can finalise it today; the
    # published one below keeps the normal 5 days, and its objection is filed inside them.
    no_notice = WorkflowRules(notice_days=0, timezone=ZONE)
    out: dict[str, int] = {}

    async def act(sid: int, action: Action, by: Actor, given: ActionInput = NOTHING,
                  with_rules: WorkflowRules = rules) -> None:  # fmt: skip
        async with sessions() as session, session.begin():
            await apply_action(session, sid, action, given, by, with_rules, policies, now)

    final = ids.get("compute_voucher/2025")
    if final is not None:
        await act(final, Action.SUBMIT, submitter, ActionInput(comment="2025 年度算力券，请审核"))
        await act(final, Action.APPROVE, approver)
        await act(final, Action.PUBLISH, approver, with_rules=no_notice)
        await act(final, Action.FINALISE, approver, with_rules=no_notice)
        paid = ActionInput(reference="HLJ-CZ-2026-0001", paid_on=today)
        await act(final, Action.DISBURSE, approver, paid)
        out["disbursed"] = final
    published = next((sid for key, sid in ids.items() if not key.startswith("compute_voucher")),
                     None)  # fmt: skip
    if published is not None:
        await act(published, Action.SUBMIT, submitter)
        await act(published, Action.APPROVE, approver)
        await act(published, Action.PUBLISH, approver)
        out["published"] = published
        async with sessions() as session, session.begin():
            line = await session.scalar(
                select(StatementLine).where(StatementLine.statement_id == published)
                .order_by(StatementLine.position).limit(1)
            )  # fmt: skip
            assert line is not None
            key_id, line_unit = (
                objector if objector and objector[1] == line.unit_id else (None, None)
            )
            filer = (
                Filer(key_id, line_unit) if key_id else Filer(None, None, "王先生", "0451-86000000")
            )
            text = "申报的设备购置费用中有一笔发票未计入，请复核。"
            objection = await file_objection(session, published, line.id, text, filer, ACTOR, now)
            out["objection"] = objection.id
    forecast = ids.get("compute_voucher/2026")
    if forecast is not None:
        out["forecast"] = forecast
    return out


async def life_loaded(session: AsyncSession) -> bool:
    """Whether the demo's statements are there already (the last thing loading writes)."""
    return await session.scalar(select(Statement.id).limit(1)) is not None
