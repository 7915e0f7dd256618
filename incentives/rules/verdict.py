"""Turning a rule's steps and final amount into an Award or a Rejection."""

from __future__ import annotations

from collections.abc import Callable

from incentives.explain import Explanation, Step, result_award, result_rejection
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
