"""Explanations: a reviewer reads the clause, the inputs, each condition, the cap and overlap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentives.engine import evaluate
from incentives.facts import (
    CenterFacts,
    Facts,
    InvoiceFacts,
    KeyProviderListing,
    NodeFacts,
    OtherSupport,
    UnitFacts,
)
from incentives.outcome import Award, Rejection
from incentives.policy import load_policy

POLICY = load_policy()
DAY = date(2024, 6, 30)


def centre(code: str, unit: str, equipment: str, fp16: str = "60") -> CenterFacts:
    return CenterFacts(
        code, unit, "intelligent", {"FP16": Decimal(fp16)}, "operational", DAY,
        {"equipment": Decimal(equipment), "civil_works": Decimal("7000000")},
    )  # fmt: skip


def zh(verdict: Award | Rejection) -> str:
    return "\n".join(step.zh for step in verdict.explanation)


def en(verdict: Award | Rejection) -> str:
    return "\n".join(step.en for step in verdict.explanation)


def test_centre_award_names_clause_inputs_conditions_cap_and_overlap() -> None:
    facts = Facts(
        as_of=date(2026, 6, 30),
        units=(UnitFacts("U1", "enterprise", True),),
        centers=(centre("C1", "U1", "80000000"),),
        other_support=(
            OtherSupport("computing_center_build", "U1", "C1", Decimal("5000000"), "某市补贴"),
        ),
    )
    (award,) = evaluate(facts, POLICY).awards
    assert award.amount == Decimal("15000000.00")
    text_zh, text_en = zh(award), en(award)
    for text in (text_zh, text_en):
        assert "五(十九)" in text and "50P" in text  # the clause, quoted
        assert "80,000,000.00" in text and "7,000,000.00" in text  # inputs, counted or not
        assert "min(24,000,000.00, 20,000,000.00) = " in text  # the cap applied
        assert "5,000,000.00" in text and "某市补贴" in text  # the overlap applied
    assert "条件满足：FP16 算力 60 PFLOPS 不低于 50 PFLOPS" in text_zh
    assert "Condition met: commissioned on 2024-06-30, inside the policy period" in text_en
    assert text_en.splitlines()[-1] == "Result: award CNY 15,000,000.00."


def test_rejection_ends_with_the_failed_condition_and_its_reason() -> None:
    facts = Facts(
        as_of=date(2026, 6, 30),
        units=(UnitFacts("U1", "enterprise", True),),
        centers=(centre("C1", "U1", "1000000", fp16="49.99"),),
    )
    (rejection,) = evaluate(facts, POLICY).rejections
    assert rejection.reason == "below_capacity_threshold"
    last_zh, last_en = rejection.explanation[-1].zh, rejection.explanation[-1].en
    assert "below_capacity_threshold" in last_zh and "below_capacity_threshold" in last_en
    assert "49.99 PFLOPS is below 50 PFLOPS" in en(rejection)
    assert "Condition NOT met" in en(rejection) and "条件不满足" in zh(rejection)
    # checks after the failing one are not claimed as done
    assert "operational" not in en(rejection).split("Condition NOT met")[1]


def test_voucher_explanation_gives_the_year_spend_threshold_and_rounding() -> None:
    facts = Facts(
        as_of=date(2026, 6, 30),
        units=(UnitFacts("B1", "university", True), UnitFacts("P1", "compute_provider", True)),
        key_providers=(KeyProviderListing("P1", date(2024, 1, 1)),),
        invoices=(
            InvoiceFacts(
                "25230000000000000001", "B1", "P1", date(2025, 3, 1), Decimal("300000.05")
            ),
            InvoiceFacts("25230000000000000002", "B1", "P9", date(2025, 3, 1), Decimal("5")),
        ),
    )
    outcome = evaluate(facts, POLICY)
    (award,) = outcome.awards
    assert (award.subject, award.amount) == ("2025", Decimal("90000.02"))
    text = en(award)
    assert "buyer B1 in calendar year 2025" in text
    assert "1 counted invoices totalling CNY 300,000.05" in text
    assert "1 invoices not counted" in text
    assert "exceeds CNY 300,000.00" in text
    assert "30% × 300,000.05 = CNY 90,000.02 (rounded half up to the fen)" in text
    (excluded,) = outcome.excluded_invoices
    assert excluded.reason == "seller_not_key_provider"
    assert "P9" in excluded.explanation[0].en and "P9" in excluded.explanation[0].zh


def test_node_explanation_says_which_node_took_the_units_award() -> None:
    facts = Facts(
        as_of=date(2026, 6, 30),
        units=(UnitFacts("D1", "enterprise", True),),
        nodes=(
            NodeFacts("N1", "D1", "operational", date(2024, 8, 1)),
            NodeFacts("N2", "D1", "operational", date(2024, 5, 1)),
        ),
    )
    outcome = evaluate(facts, POLICY)
    (rejection,) = outcome.rejections
    assert (rejection.subject, rejection.reason) == ("N1", "already_awarded_to_unit")
    assert "N2" in en(rejection) and "四(十六)" in zh(rejection)


def test_unknown_units_in_facts_are_an_error_not_a_silent_skip() -> None:
    facts = Facts(as_of=date(2026, 6, 30), centers=(centre("C1", "U9", "1"),))
    try:
        evaluate(facts, POLICY)
    except ValueError as exc:
        assert "U9" in str(exc)
    else:
        raise AssertionError("an unknown construction unit must be an error")


def test_duplicate_explanation_names_the_first_claimant() -> None:
    number = "25230000000000000001"
    facts = Facts(
        as_of=date(2026, 6, 30),
        units=(
            UnitFacts("B1", "university", True),
            UnitFacts("B2", "university", True),
            UnitFacts("P1", "compute_provider", True),
        ),
        key_providers=(KeyProviderListing("P1", date(2024, 1, 1)),),
        invoices=(
            InvoiceFacts(number, "B1", "P1", date(2025, 3, 1), Decimal("400000")),
            InvoiceFacts(number, "B2", "P1", date(2025, 3, 2), Decimal("400000")),
        ),
    )
    outcome = evaluate(facts, POLICY)
    (excluded,) = outcome.excluded_invoices
    assert (excluded.buyer, excluded.reason) == ("B2", "duplicate_invoice")
    assert "claimed earlier (buyer B1)" in excluded.explanation[0].en
    assert "购买方 B1" in excluded.explanation[0].zh
    assert [(a.unit, a.amount) for a in outcome.awards] == [("B1", Decimal("120000.00"))]
