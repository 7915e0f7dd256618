"""Named conditions, the one runner that checks and explains them, and the verdict they give.

Every clause reads the same: a case object holds what deciding one subject needs; the clause
declares its conditions in DESIGN.md's order, then computes amount, cap and overlap, each
guarded by a condition of its own. One assessment function runs all of it. Deciding calls it
without a trace (no text is built, which keeps ten thousand subjects cheap); the explanation
calls the same function with a trace when it is read, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, Protocol, TypeVar

from incentives.explain import Explanation, Step, check_step, result_award, result_rejection
from incentives.facts import UnitFacts
from incentives.money import to_yuan
from incentives.outcome import Award, Reason, Rejection

Verdict = Award | Rejection
Wording = tuple[str, str]  # (zh, en)
Trace = list[Step] | None  # None: decide only, write nothing
Case = TypeVar("Case", contravariant=True)
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Condition(Generic[Case]):
    """One condition of a clause: its test, its reason code, and what it says met or not."""

    reason: Reason
    holds: Callable[[Case], bool]
    not_met: Callable[[Case], Wording]
    # What a reviewer reads when it holds; None for a guard on the amount that, met, is
    # already shown by the computation step before it.
    met: Callable[[Case], Wording] | None = None


def first_failing(conditions: Sequence[Condition[Case]], case: Case, trace: Trace) -> Reason | None:
    """Check conditions in order; the first that fails gives the reason, later ones are not run.

    With a trace, each condition checked is written, and a failing one also ends the
    explanation with the rejection and its reason code.
    """
    if trace is None:  # deciding: no text at all
        failed = failing(conditions, case)
        return None if failed is None else failed.reason
    for condition in conditions:
        if condition.holds(case):
            if condition.met is not None:
                trace.append(check_step(True, *condition.met(case)))
            continue
        zh, en = condition.not_met(case)
        trace.append(check_step(False, zh, en))
        trace.append(result_rejection(condition.reason.value, zh, en))
        return condition.reason
    return None


def failing(conditions: Sequence[Condition[Case]], case: Case) -> Condition[Case] | None:
    """The first condition that fails, writing nothing."""
    for condition in conditions:
        if not condition.holds(case):
            return condition
    return None


def paid(fen: int, trace: Trace) -> int:
    """The amount an assessment ends with, after every condition held."""
    if fen <= 0:  # an award of 0 is a rejection; a guard condition must have said why
        raise ValueError(f"award must be positive, got {fen} fen")
    if trace is not None:
        trace.append(result_award(fen))
    return fen


def verdict(
    clause: str,
    unit: str,
    subject: str,
    decided: Reason | int,
    assess: Callable[[C, Trace], Reason | int],
    case: C,
) -> Verdict:
    """The verdict assess(case, None) decided; it explains by running assess again, traced."""
    explain = partial(_explain, assess, case)
    if isinstance(decided, Reason):
        return Rejection(clause, unit, subject, decided, explain)
    return Award(clause, unit, subject, to_yuan(decided), explain)


def _explain(assess: Callable[[C, Trace], Reason | int], case: C) -> Explanation:
    trace: list[Step] = []
    assess(case, trace)
    return tuple(trace)


class HasUnit(Protocol):
    """A case whose unit may be marked dishonest."""

    @property
    def unit(self) -> UnitFacts: ...


def unit_honest(role_zh: str, role_en: str) -> Condition[HasUnit]:
    """Units marked 严重违法失信 receive nothing; every clause checks this first."""
    return Condition(
        Reason.UNIT_DISHONEST,
        lambda c: not c.unit.dishonest,
        lambda c: (
            f"{role_zh} {c.unit.code} 被列为严重违法失信主体，不予奖励",
            f"{role_en} {c.unit.code} is marked dishonest (严重违法失信) and receives nothing",
        ),
        lambda c: (
            f"{role_zh} {c.unit.code} 未被列为严重违法失信主体",
            f"{role_en} {c.unit.code} is not marked dishonest",
        ),
    )
