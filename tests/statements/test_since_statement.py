"""What changed since the last statement: facts field by field, invoices, awards moved."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from incentives.facts import CenterFacts, Facts, InvoiceFacts, NodeFacts, UnitFacts
from incentives.models import StatementRun
from incentives.policy import DEFAULT_POLICY, load_policy
from incentives.since_statement import FactChange, compare_facts
from registry.db import create_engine, session_factory
from tests.conftest import bearer, make_token
from tests.statements.helpers import SCENARIOS, import_file

CHANGES = "/api/v1/statements/changes"


def _facts() -> Facts:
    center = CenterFacts(
        "C1",
        "U1",
        "intelligent",
        {"fp16": Decimal("60")},
        "operating",
        date(2024, 6, 1),
        {"equipment": Decimal("10000000.00")},
    )
    return Facts(
        as_of=date(2026, 3, 31),
        units=(
            UnitFacts("U1", "enterprise", True),
            UnitFacts("B1", "university", True),
            UnitFacts("P1", "compute_provider", True),
        ),
        centers=(center,),
        invoices=(
            InvoiceFacts("25230000000000000101", "B1", "P1", date(2025, 3, 1), Decimal("400000")),
        ),
    )


def test_each_changed_field_added_subject_and_invoice_is_named() -> None:
    then = _facts()
    [center] = then.centers
    now = replace(
        then,
        centers=(replace(center, costs={"equipment": Decimal("12000000.00")}),),
        nodes=(NodeFacts("N1", "U1", "operating", date(2025, 1, 1)),),
        invoices=(
            *then.invoices,
            InvoiceFacts("25230000000000000102", "B1", "P1", date(2025, 4, 1), Decimal("1.5")),
        ),
    )
    result = compare_facts(then, now, load_policy(DEFAULT_POLICY))
    assert (
        FactChange("center", "C1", "changed", "costs.equipment", "10000000.00", "12000000.00")
        in result.facts
    )
    assert FactChange("node", "N1", "added") in result.facts
    assert not [c for c in result.facts if c.kind == "unit"]
    [b1] = result.invoices
    assert (b1.buyer, b1.added, b1.added_amount, b1.removed) == ("B1", 1, Decimal("1.5"), 0)


def test_nothing_changed_is_an_empty_comparison() -> None:
    facts = _facts()
    result = compare_facts(facts, facts, load_policy(DEFAULT_POLICY))
    assert result.facts == () and result.invoices == () and result.moved == ()


async def test_officials_see_the_support_recorded_since_the_run_and_the_award_it_moves(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    official = await make_token(database_url, "GOV", "official")
    resp = await client.get(CHANGES, headers=bearer(official))
    assert resp.status == 404  # no statement run yet
    run = await client.post(
        "/api/v1/statements/runs",
        json={"clause": "compute_voucher", "period": "2025", "as_of": "2026-03-31"},
        headers=bearer(official),
    )
    assert run.status == 200, await run.text()

    resp = await client.get(CHANGES, headers=bearer(official))
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["facts"] == [] and body["invoices"] == [] and body["awards"] == []

    # Support from another policy for B1's 2025 spend: the voucher tops it up only.
    support = {
        "clause": "compute_voucher",
        "unit": "B1",
        "subject": "2025",
        "amount": "100000.00",
        "source": "市科技局",
    }
    r = await client.post("/api/v1/other-support", json=support, headers=bearer(official))
    assert r.status == 201, await r.text()

    body = await (await client.get(CHANGES, headers=bearer(official))).json()
    assert [(f["kind"], f["subject"], f["change"]) for f in body["facts"]] == [
        ("other_support", "compute_voucher/B1/2025", "added")
    ]
    [moved] = body["awards"]
    assert (moved["clause"], moved["unit"], moved["then"]) == ("compute_voucher", "B1", "150000.00")
    assert Decimal(moved["change"]) < 0 and moved["now"] == "50000.00"
    assert body["awards_total"] == 1 and body["run"]["as_of"] == "2026-03-31"


async def test_units_may_not_read_it_and_a_bad_run_is_refused(
    client: Any, database_url: str
) -> None:
    await import_file(database_url, SCENARIOS / "voucher-basic.yaml")
    buyer = await make_token(database_url, "B1", "buyer")
    official = await make_token(database_url, "GOV", "official")
    assert (await client.get(CHANGES, headers=bearer(buyer))).status == 403
    assert (await client.get(f"{CHANGES}?run=abc", headers=bearer(official))).status == 400
    assert (await client.get(f"{CHANGES}?run=99", headers=bearer(official))).status == 404
    # A run that kept no facts has nothing to compare with: 404, never a 500.
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add(
                StatementRun(policy=DEFAULT_POLICY, as_of=date(2026, 3, 31), created_by="t")
            )
    finally:
        await engine.dispose()
    resp = await client.get(CHANGES, headers=bearer(official))
    assert resp.status == 404  # no statement names it either
    resp = await client.get(f"{CHANGES}?run=1", headers=bearer(official))
    assert resp.status == 404
