"""What if the policy changed: the same facts under changed parameters, per clause and unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentives.engine import evaluate
from incentives.facts import Facts
from incentives.outcome import Outcome
from incentives.parameters import PolicyError
from incentives.policy import Policy

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Proposal:
    """One changed parameter: a dotted path, its new value, and from which day it applies."""

    path: str
    value: object
    from_day: date | None = None  # None: for the whole policy period


@dataclass(frozen=True, slots=True)
class Difference:
    """What one unit gets under one clause, as the policy stands and as proposed."""

    clause: str
    unit: str
    current: Decimal
    proposed: Decimal

    @property
    def change(self) -> Decimal:
        """Proposed minus current: positive costs more."""
        return self.proposed - self.current


@dataclass(frozen=True, slots=True)
class Comparison:
    """Both outcomes and their differences, unit by unit and clause by clause."""

    current: Outcome
    proposed: Outcome
    differences: tuple[Difference, ...]

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per clause: (current, proposed) totals."""
        return clause_totals(self.differences)


def clause_totals(differences: Iterable[Difference]) -> dict[str, tuple[Decimal, Decimal]]:
    """Per clause: the (current, proposed) totals of these differences."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for d in differences:
        now, then = out.get(d.clause, (ZERO, ZERO))
        out[d.clause] = (now + d.current, then + d.proposed)
    return out


def overrides_of(policy: Policy, proposals: list[Proposal]) -> dict[str, object]:
    """Scenario-style overrides: a change from a day keeps the values in force before it."""
    overrides: dict[str, object] = {}
    for p in proposals:
        if p.path not in policy.parameters:
            raise PolicyError([(p.path, "is not a parameter of this policy")])
        if p.from_day is None:
            overrides[p.path] = p.value
            continue
        old = policy.parameters[p.path].values
        dated: dict[date, object] = {}
        for start, value in zip(old.starts, old.values, strict=True):
            start = max(start, policy.valid_from)  # a plain value starts at date.min
            if start < p.from_day:
                dated[start] = value
        dated[p.from_day] = p.value
        overrides[p.path] = dated
    return overrides


def _by_unit(outcome: Outcome) -> Mapping[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for award in outcome.awards:
        sums[(award.clause, award.unit)] += award.amount
    return sums


def compare(facts: Facts, policy: Policy, proposals: list[Proposal]) -> Comparison:
    """Evaluate the facts under the policy as it stands and as proposed (PolicyError if bad)."""
    changed = policy.with_overrides(overrides_of(policy, proposals))
    current, proposed = evaluate(facts, policy), evaluate(facts, changed)
    return Comparison(current, proposed, differences(current, proposed))


def differences(current: Outcome, proposed: Outcome) -> tuple[Difference, ...]:
    """What each unit gets under each clause in two outcomes, every pair either names."""
    before, after = _by_unit(current), _by_unit(proposed)
    return tuple(
        Difference(clause, unit, before.get((clause, unit), ZERO), after.get((clause, unit), ZERO))
        for clause, unit in sorted(set(before) | set(after))
    )
