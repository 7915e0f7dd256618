"""Invariants of the rules over generated facts (hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

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
from incentives.outcome import Outcome, Rejection
from incentives.policy import load_policy

POLICY = load_policy()
T = TypeVar("T")
AS_OF = date(2027, 3, 31)
START = date(2023, 6, 1)
CENT = Decimal("0.01")
CAP_CENTRE = Decimal(20_000_000)
CAP_VOUCHER = Decimal(4_000_000)

days = st.integers(0, 1400).map(lambda n: START + timedelta(days=n))
money = st.integers(1, 2_000_000_000).map(lambda fen: Decimal(fen).scaleb(-2))
unit_kinds = st.sampled_from(
    ["university", "research_institute", "enterprise", "compute_provider", "government"]
)


@st.composite
def units(draw: st.DrawFn) -> list[UnitFacts]:
    n = draw(st.integers(1, 6))
    return [
        UnitFacts(
            f"U{i}",
            draw(unit_kinds),
            draw(st.booleans() | st.just(True)),
            draw(st.sampled_from([False, False, False, True])),
        )
        for i in range(n)
    ]


@st.composite
def centres(draw: st.DrawFn, codes: list[str]) -> list[CenterFacts]:
    out = []
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["intelligent", "supercomputing", "general"]))
        out.append(
            CenterFacts(
                f"C{i}",
                draw(st.sampled_from(codes)),
                kind,
                {
                    draw(st.sampled_from(["FP16", "FP64"])): Decimal(draw(st.integers(0, 20000)))
                    / 100
                },
                draw(st.sampled_from(["operational", "operational", "planned"])),
                draw(days),
                {
                    "equipment": draw(money) * draw(st.sampled_from([1, 10, 100])),
                    "software": draw(money),
                    "civil_works": draw(money),
                },
            )
        )
    return out


@st.composite
def invoices(draw: st.DrawFn, buyers: list[str]) -> list[InvoiceFacts]:
    """Blue invoices with distinct numbers; P0 is listed from 2024-01-01, P1 never."""
    return [
        InvoiceFacts(
            f"{25230000000000000000 + i}",
            draw(st.sampled_from([*buyers, "P0"])),
            draw(st.sampled_from(["P0", "P0", "P0", "P1"])),
            draw(days),
            draw(money),
            confirmed=draw(st.booleans() | st.just(True)),
        )
        for i in range(draw(st.integers(0, 25)))
    ]


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    us = draw(units())
    codes = [u.code for u in us]
    providers = [
        UnitFacts("P0", "compute_provider", True),
        UnitFacts("P1", "compute_provider", True),
    ]
    nodes = [
        NodeFacts(f"N{i}", draw(st.sampled_from(codes)), "operational", draw(st.none() | days))
        for i in range(draw(st.integers(0, 5)))
    ]
    cs = draw(centres(codes))
    other = [
        OtherSupport("computing_center_build", c.unit, c.code, draw(money))
        for c in cs
        if draw(st.booleans())
    ]
    return Facts(
        as_of=AS_OF,
        units=tuple(us + providers),
        centers=tuple(cs),
        nodes=tuple(nodes),
        key_providers=(KeyProviderListing("P0", date(2024, 1, 1)),),
        invoices=tuple(draw(invoices(codes))),
        other_support=tuple(other),
    )


def summary(outcome: Outcome) -> set[tuple[str, str, str, str]]:
    return {(a.clause, a.unit, a.subject, str(a.amount)) for a in outcome.awards} | {
        (r.clause, r.unit, r.subject, r.reason.value) for r in outcome.rejections
    }


@settings(max_examples=60, deadline=None)
@given(facts())
def test_no_award_above_its_cap_and_none_negative(f: Facts) -> None:
    outcome = evaluate(f, POLICY)
    per_unit: dict[str, Decimal] = {}
    for award in outcome.awards:
        assert award.amount > 0
        assert award.amount == award.amount.quantize(CENT)
        if award.clause == "computing_center_build":
            per_unit[award.unit] = per_unit.get(award.unit, Decimal(0)) + award.amount
        elif award.clause == "compute_voucher":
            assert award.amount <= CAP_VOUCHER
        else:
            assert award.amount <= Decimal(5_000_000)
    assert all(total <= CAP_CENTRE for total in per_unit.values())
    for centre in f.centers:
        raw = (centre.costs["equipment"] + centre.costs["software"]) * Decimal("0.30")
        for award in outcome.awards:
            if award.subject == centre.code and award.clause == "computing_center_build":
                assert award.amount <= raw.quantize(CENT, rounding=ROUND_HALF_UP)


@settings(max_examples=60, deadline=None)
@given(facts())
def test_eligible_buyer_gets_a_voucher_exactly_when_spend_exceeds_the_threshold(f: Facts) -> None:
    outcome = evaluate(f, POLICY)
    awards = {
        (a.unit, a.subject): a.amount for a in outcome.awards if a.clause == "compute_voucher"
    }
    spend: dict[tuple[str, str], Decimal] = {}
    for inv in f.invoices:  # numbers are unique here, so no claim is a duplicate
        key = (inv.buyer, str(inv.issued_on.year))
        spend.setdefault(key, Decimal(0))
        counts = (
            inv.seller == "P0"
            and date(2024, 1, 1) <= inv.issued_on
            and date(2023, 12, 1) <= inv.issued_on < date(2026, 12, 1)
            and inv.buyer != inv.seller
            and inv.confirmed
        )
        if counts:
            spend[key] += inv.amount
    by_code = {u.code: u for u in f.units}
    for (buyer, year), total in spend.items():
        unit = by_code[buyer]
        eligible = (
            unit.kind in ("university", "research_institute", "enterprise")
            and unit.in_province
            and not unit.dishonest
        )
        if not eligible:
            assert (buyer, year) not in awards
            continue
        if total > Decimal(300_000):
            expected = min((total * Decimal("0.30")).quantize(CENT, ROUND_HALF_UP), CAP_VOUCHER)
            assert awards[(buyer, year)] == expected
        else:
            assert (buyer, year) not in awards


@settings(max_examples=60, deadline=None)
@given(facts(), st.randoms(use_true_random=False))
def test_amounts_do_not_depend_on_the_order_of_unrelated_inputs(f: Facts, rnd: Random) -> None:
    def shuffled(items: Sequence[T]) -> tuple[T, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    reordered = Facts(
        as_of=f.as_of,
        units=shuffled(f.units),
        centers=shuffled(f.centers),
        nodes=shuffled(f.nodes),
        key_providers=f.key_providers,
        invoices=shuffled(f.invoices),  # numbers are distinct: no claim depends on order
        other_support=shuffled(f.other_support),
    )
    assert summary(evaluate(f, POLICY)) == summary(evaluate(reordered, POLICY))


@settings(max_examples=60, deadline=None)
@given(facts())
def test_every_centre_node_and_buyer_year_gets_one_verdict_with_an_explanation(f: Facts) -> None:
    outcome = evaluate(f, POLICY)
    keys = [(v.clause, v.unit, v.subject) for v in outcome.verdicts]
    assert len(keys) == len(set(keys))
    expected = (
        {("computing_center_build", c.unit, c.code) for c in f.centers}
        | {("identifier_node", n.unit, n.code) for n in f.nodes}
        | {
            ("compute_voucher", i.buyer, str(i.issued_on.year))
            for i in f.invoices
            if i.issued_on <= f.as_of  # later invoices do not exist yet
        }
    )
    assert set(keys) == expected
    for verdict in outcome.verdicts:
        steps = verdict.explanation
        assert len(steps) >= 3
        assert POLICY.clauses[verdict.clause].reference in steps[0].zh
        assert POLICY.clauses[verdict.clause].reference in steps[0].en
        if isinstance(verdict, Rejection):
            assert f"({verdict.reason})" in steps[-1].en
    for excluded in outcome.excluded_invoices:
        # Explaining re-runs the declared invoice conditions: they give the ledger's reason.
        assert f"({excluded.reason})" in excluded.explanation[0].en
