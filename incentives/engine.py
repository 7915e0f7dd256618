"""Run every clause over one set of facts."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from incentives.facts import Facts, UnitFacts
from incentives.outcome import Award, Outcome, Rejection
from incentives.parameters import CLAUSES
from incentives.policy import Policy
from incentives.rules import compute_voucher, computing_center_build, identifier_node
from incentives.rules.overlap import index_other_support


def evaluate(facts: Facts, policy: Policy) -> Outcome:
    """Awards, rejections and excluded invoices for the facts known on facts.as_of."""
    with _collector_paused():
        return _evaluate(facts, policy)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # The rules build many small containers and no reference cycles; with a million facts
    # alive, every full cyclic collection rescans them all and costs seconds for nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _evaluate(facts: Facts, policy: Policy) -> Outcome:
    units = _units(facts)
    other = index_other_support(facts.other_support)
    verdicts = computing_center_build(facts.centers, units, other, policy, facts.as_of)
    verdicts += identifier_node(facts.nodes, units, other, policy, facts.as_of)
    vouchers, excluded = compute_voucher(
        facts.invoices, units, facts.key_providers, other, policy, facts.as_of
    )
    verdicts += vouchers
    order: dict[str, int] = {name: i for i, name in enumerate(CLAUSES)}

    def key(v: Award | Rejection) -> tuple[int, str, str]:
        return (order[v.clause], v.unit, v.subject)

    awards = sorted((v for v in verdicts if isinstance(v, Award)), key=key)
    rejections = sorted((v for v in verdicts if isinstance(v, Rejection)), key=key)
    return Outcome(tuple(awards), tuple(rejections), tuple(excluded))


def _units(facts: Facts) -> dict[str, UnitFacts]:
    units = {u.code: u for u in facts.units}
    # Buyers are checked by the voucher rule, which meets each one once, not once per invoice.
    referenced = [c.unit for c in facts.centers] + [n.unit for n in facts.nodes]
    missing = sorted({code for code in referenced if code not in units})
    if missing:
        raise ValueError(f"facts name units that are not given: {', '.join(missing)}")
    return units
