"""Turning a rule's steps and final amount into an Award or a Rejection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from incentives.explain import Explanation, Step, check_step, result_award, result_rejection
from incentives.facts import UnitFacts
from incentives.money import to_yuan
from incentives.outcome import Award, Reason, Rejection

Verdict = Award | Rejection


def fixed(steps: Explanation) -> Callable[[], Explanation]:
    """An explanation already written."""

    def explain() -> Explanation:
        return steps

    return explain


def reject(
    clause: str, unit: str, subject: str, steps: list[Step], reason: Reason, zh: str, en: str
) -> Rejection:
    """A rejection whose last step states the reason."""
    steps.append(result_rejection(reason.value, zh, en))
    return Rejection(clause, unit, subject, reason, fixed(tuple(steps)))


def award(clause: str, unit: str, subject: str, steps: list[Step], fen: int) -> Award:
    """An award of a positive number of fen."""
    if fen <= 0:  # an award of 0 is a rejection; callers decide which reason first
        raise ValueError(f"award must be positive, got {fen} fen")
    steps.append(result_award(fen))
    return Award(clause, unit, subject, to_yuan(fen), fixed(tuple(steps)))


@dataclass
class Checklist:
    """One subject's assessment: the conditions it passed, then an award or the one it failed."""

    clause: str
    unit: str
    subject: str
    steps: list[Step]

    def passed(self, zh: str, en: str) -> None:
        """Record a condition that holds."""
        self.steps.append(check_step(True, zh, en))

    def failed(self, reason: Reason, zh: str, en: str) -> Rejection:
        """Record the condition that fails, and reject for its reason."""
        self.steps.append(check_step(False, zh, en))
        return reject(self.clause, self.unit, self.subject, self.steps, reason, zh, en)

    def construction_unit_honest(self, unit: UnitFacts) -> Rejection | None:
        """Units marked 严重违法失信 receive nothing; every clause checks this first."""
        if unit.dishonest:
            return self.failed(
                Reason.UNIT_DISHONEST,
                f"建设单位 {unit.code} 被列为严重违法失信主体，不予奖励",
                f"construction unit {unit.code} is marked dishonest (严重违法失信)",
            )
        self.passed(
            f"建设单位 {unit.code} 未被列为严重违法失信主体",
            f"construction unit {unit.code} is not marked dishonest",
        )
        return None
